"""How the scheme's audit rows read; see audit/render.py.

Indicator rows written from the tree (`node_to_dict`) refer to departments, units,
categories and the parent by code; these show them by name, and the method with its
parameters as docs/scoring.md words them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register, remembered, text
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.models import DataPeriod, IndicatorKind, RevisionStatus, SchemeStatus
from jixiao.scoring.labels import method_label, params_text

INDICATOR = "scheme.indicator"


def _category(code: str) -> str:
    return remembered(
        ("category", code),
        lambda: (
            UnitCategory.objects.filter(code=code).values_list("name", flat=True).first() or code
        ),
    )


def _org_name(value: Any) -> str:
    def lookup() -> str:
        where = {"pk": value} if str(value).isdigit() else {"code": value}
        org = Organization.objects.filter(**where).first()
        return org.display_name if org is not None else str(value)

    return remembered(("org", str(value)), lookup)


def _org(value: Any, row: Mapping[str, Any]) -> str:
    return _org_name(value)


def _orgs(value: Any, row: Mapping[str, Any]) -> str:
    return "、".join(_org_name(c) for c in value or ()) or str(_("类别内全部单位"))


def _points(value: Any, row: Mapping[str, Any]) -> str:
    if not isinstance(value, Mapping):
        return text(value)
    return "，".join(f"{_category(c)} {text(v)} 分" for c, v in value.items())


def _parent(value: Any, row: Mapping[str, Any]) -> str:
    return str(value)  # an indicator code, as the tree shows it


def _params(value: Any, row: Mapping[str, Any]) -> str:
    return params_text(str(row.get("method") or ""), value if isinstance(value, Mapping) else {})


def _scheme_status(value: Any, row: Mapping[str, Any]) -> str:
    # Revision rows on the scheme carry the revision's status, the others the scheme's.
    labels = dict(RevisionStatus.choices) | dict(SchemeStatus.choices)
    return str(labels.get(value, _("已放弃") if value == "cancelled" else value))


def origin_text(value: Any) -> str:
    """Where a draft's revision came from (`actions.revise_draft`'s origin), in words."""
    if not isinstance(value, Mapping):
        return text(value)
    if value.get("scenario"):
        return str(_("情景模拟“%(s)s”（%(r)s 计分）")) % {
            "s": value["scenario"],
            "r": value.get("run", ""),
        }
    return "，".join(f"{k}：{text(v)}" for k, v in value.items())


def _nodes(value: Any, row: Mapping[str, Any]) -> str:
    items = value if isinstance(value, list) else []
    return "、".join(f"{i.get('code', '')} {i.get('name', '')}".strip() for i in items) or "—"


register(INDICATOR, "parent", _("上级指标"), show=_parent)
register(INDICATOR, "owner", _("数据采集单位"), show=_org)
register(INDICATOR, "units", _("适用单位"), show=_orgs)


register(INDICATOR, "points", _("分值"), show=_points, tail=_category)
register(INDICATOR, "params", _("计分参数"), show=_params)
register(INDICATOR, "method", _("计分方法"), show=lambda v, row: method_label(str(v)))
register(INDICATOR, "qualitative", _("定性指标"))
register(INDICATOR, "code", _("指标编码"))
register(
    INDICATOR, "kind", _("指标类型"), show=lambda v, r: str(dict(IndicatorKind.choices).get(v, v))
)
register(
    INDICATOR, "period", _("数据周期"), show=lambda v, r: str(dict(DataPeriod.choices).get(v, v))
)
register("scheme.scheme", "status", _("状态"), show=_scheme_status)
register("scheme.scheme", "year", _("考核年度"))
register("scheme.scheme", "revision", _("修订次数"))
register("scheme.scheme", "accepted_warnings", _("已知悉的提示"))
register("scheme.scheme", "added", _("新增指标"), show=_nodes)
register("scheme.scheme", "removed", _("取消指标"), show=_nodes)
register("scheme.scheme", "changed", _("调整指标"), show=_nodes)
register("scheme.scheme", "adjusted", _("调整指标数"))
register("scheme.scheme", "total", _("指标总数"))
register("scheme.scheme", "share", _("调整占比（%）"))
register("scheme.scheme", "reordered", _("调整排列顺序"))
register("scheme.scheme", "settings", _("调整方案设置"))
register("scheme.scheme", "origin", _("来源"), show=lambda v, r: origin_text(v))
register("scheme.scheme", "deleted", _("删除"))
register("scheme.scheme", "unchanged", _("未变"))
