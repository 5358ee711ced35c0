"""How collection's audit rows read (keys that are not model fields); see audit/render.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register
from jixiao.collection.workflow import Act


def _act(value: object, row: object) -> str:
    return str(Act(value).label) if value in Act.values else str(value)


for _type in ("collection.entry", "collection.bonuspenaltyevent"):
    register(_type, "action", _("办理操作"), show=_act)
register("collection.collectionperiod", "what", hidden=True)
register("collection.collectionperiod", "department", _("数据采集单位"))
register("collection.collectionperiod", "reminded", _("催办单位"))
register("collection.evidencefile", "name", _("文件名"))
register("*", "entry", hidden=True)
register("*", "unit", _("被考核单位"))
register("*", "indicator", _("指标"))
