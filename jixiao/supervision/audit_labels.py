"""How supervision's audit rows read (keys that are not model fields); see audit/render.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register
from jixiao.supervision.workflow import Act


def _act(value: object, row: object) -> str:
    return str(Act(value).label) if value in Act.values else str(value)


register("supervision.supervisiontask", "action", _("办理操作"), show=_act)
register("supervision.supervisiontask", "report", _("推进情况"))
register("supervision.taskattachment", "name", _("文件名"))
register("supervision.bulletin", "tasks", _("事项数"))
register("supervision.bulletin", "cards", _("红黄牌数"))
register("supervision.card", "issued", _("本次亮牌数"))
