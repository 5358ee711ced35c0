"""How verification's audit rows read (keys that are not model fields); see audit/render.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.audit.render import register
from jixiao.verification.actions import ACTS

CHECK = "verification.spotcheck"


def _act(value: Any, row: Any) -> str:
    return str(ACTS.get(value, value))


def _yes(value: Any, row: Any) -> str:
    return _("是") if value else _("否")


register(CHECK, "period", gettext_lazy("采集周期"))
register(CHECK, "population", gettext_lazy("总体数量"))
register(CHECK, "drawn", gettext_lazy("抽取条数"))
register("verification.correction", "action", gettext_lazy("办理操作"), show=_act)
register("collection.entry", "flag", gettext_lazy("异常提示"))
register("collection.entry", "acknowledged", gettext_lazy("已确认"), show=_yes)
# Stored uploads (inspection photos, like evidence): what the file is, not where it is.
for _type in ("verification.inspectionphoto", "collection.evidencefile"):
    register(_type, "owner", gettext_lazy("所属"))
    register(_type, "type", gettext_lazy("文件类型"))
    register(_type, "size", gettext_lazy("大小（字节）"))
    register(_type, "sha256", gettext_lazy("文件摘要"))
register("verification.duty", "indicators", gettext_lazy("对应指标"))
