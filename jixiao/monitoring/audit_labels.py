"""How monitoring's audit rows read (keys that are not model fields); see audit/render.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register
from jixiao.monitoring.workflow import ACTS


def _act(value: object, row: object) -> str:
    if value == "publish":
        return str(_("发布"))
    return str(ACTS[value]) if isinstance(value, str) and value in ACTS else str(value)


for _type in ("monitoring.target", "monitoring.projectnode", "monitoring.monthlyreport"):
    register(_type, "action", _("办理操作"), show=_act)
register("monitoring.lightrule", "rules", _("亮灯规则"))
register("monitoring.monthlyreport", "month", _("月份"))
register("monitoring.monthlyreport", "units", _("单位数"))
register("monitoring.monthlyreport", "format", _("格式"))
register("monitoring.progressevidence", "name", _("文件名"))
register("monitoring.progressevidence", "size", _("大小"))
