"""A tree diff in words: each changed field of an indicator as "before → after" text with
names instead of codes (categories, departments, units, the parent indicator), choice
labels, and the scoring method written as docs/scoring.md words it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.diff import FIELD_LABELS, Changed
from jixiao.scheme.models import DataPeriod, IndicatorKind
from jixiao.scheme.tree import NodeData, dec_str
from jixiao.scoring.labels import method_text


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Names:
    """Code -> name for what a tree refers to by code."""

    categories: Mapping[str, str]
    organizations: Mapping[str, str]
    indicators: Mapping[str, str]

    @classmethod
    def for_trees(
        cls, old: Iterable[NodeData], new: Iterable[NodeData], years: Iterable[Any]
    ) -> Names:
        nodes = [*old, *new]
        org_codes = {n.owner_code for n in nodes if n.owner_code}
        org_codes |= {u for n in nodes for u in n.unit_codes}
        return cls(
            categories={c.code: c.name for c in UnitCategory.objects.filter(year__in=list(years))},
            organizations={
                o.code: o.display_name for o in Organization.objects.filter(code__in=org_codes)
            },
            indicators={n.code: n.name for n in nodes},
        )

    def category(self, code: str) -> str:
        return self.categories.get(code, code)

    def organization(self, code: str | None) -> str:
        return self.organizations.get(code, code) if code else _("未设置")

    def indicator(self, code: str | None) -> str:
        if not code:
            return _("（一级指标，无上级）")
        name = self.indicators.get(code)
        return f"{code} {name}" if name else code


def points_text(points: Mapping[str, Decimal], names: Names) -> str:
    if not points:
        return _("未设分值")
    return "，".join(f"{names.category(c)} {dec_str(Decimal(v))} 分" for c, v in points.items())


def _cap(value: Decimal | None) -> str:
    return dec_str(value) if value is not None else _("不设上限")


def field_text(node: NodeData, field: str, names: Names) -> str:
    value = getattr(node, field)
    if field in ("method", "params"):
        return method_text(node.method, node.params) if node.method else _("未设置")
    if field == "parent_code":
        return names.indicator(value)
    if field == "owner_code":
        return names.organization(value)
    if field == "kind":
        return str(dict(IndicatorKind.choices).get(value, value))
    if field == "period":
        return str(dict(DataPeriod.choices).get(value, value))
    if field == "is_qualitative":
        return _("定性") if value else _("定量")
    if field == "points":
        return points_text(value, names)
    if field == "unit_codes":
        return "、".join(names.organization(u) for u in value) or _("类别内全部单位")
    if field in ("bonus_cap", "penalty_cap"):
        return _cap(value)
    if field == "level":
        return _("%(n)s 级指标") % {"n": value}
    return str(value) if value not in (None, "") else _("（空）")


def describe(change: Changed, names: Names) -> list[FieldChange]:
    """Every changed field of one indicator, before and after, in words. Method and
    parameters read as one line ("按次扣分（每次扣 2 分）")."""
    fields = [f for f in change.fields if f != "params"]
    if "params" in change.fields and "method" not in fields:
        fields.append("method")
    return [
        FieldChange(
            str(FIELD_LABELS[f]),
            field_text(change.old, f, names),
            field_text(change.new, f, names),
        )
        for f in fields
    ]


def summary_fields(fields: Iterable[str]) -> str:
    """A stored revision summary's field names ("method", "points") as labels."""
    return "、".join(str(FIELD_LABELS.get(f, f)) for f in fields)
