"""Reading a scheme's tree out of the database as plain data, and checking it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment
from jixiao.scheme.models import Indicator, Scheme, SchemeRevision
from jixiao.scheme.tree import NodeData, canonical_params, display_order, to_decimal
from jixiao.scheme.validation import Context, Report, validate


def node_from_indicator(indicator: Indicator) -> NodeData:
    """Needs `parent`, `owner`, `points__category` and `units` loaded (see load_nodes)."""
    return NodeData(
        code=indicator.code,
        parent_code=indicator.parent.code if indicator.parent_id else None,  # type: ignore[union-attr]
        level=indicator.level,
        name=indicator.name,
        kind=indicator.kind,
        is_qualitative=indicator.is_qualitative,
        description=indicator.description,
        standard=indicator.standard,
        owner_code=indicator.owner.code if indicator.owner_id else None,  # type: ignore[union-attr]
        period=indicator.period,
        must_report=indicator.must_report,
        method=indicator.method,
        params=canonical_params(indicator.method, indicator.params),
        bonus_cap=indicator.bonus_cap,
        penalty_cap=indicator.penalty_cap,
        sort_order=indicator.sort_order,
        points={p.category.code: p.points for p in indicator.points.all()},
        unit_codes=tuple(sorted(u.code for u in indicator.units.all())),
    )


def indicators_for_tree(scheme: Scheme) -> list[Indicator]:
    return list(
        Indicator.objects.filter(scheme=scheme)
        .select_related("parent", "owner")
        .prefetch_related("points__category", "units")
    )


def load_nodes(scheme: Scheme) -> list[NodeData]:
    """The tree in display order (4 queries)."""
    return display_order(node_from_indicator(i) for i in indicators_for_tree(scheme))


def context_for(year: AssessmentYear) -> Context:
    categories = list(UnitCategory.objects.filter(year=year))
    units: dict[str, set[str]] = {c.code: set() for c in categories}
    for category_code, unit_code in UnitEnrollment.objects.filter(
        year=year, unit__is_active=True
    ).values_list("category__code", "unit__code"):
        units.setdefault(category_code, set()).add(unit_code)
    return Context(
        scales={c.code: Decimal(c.scale) for c in categories},
        units_by_category={k: frozenset(v) for k, v in units.items()},
        departments=frozenset(Organization.objects.departments().values_list("code", flat=True)),
        category_names={c.code: c.name for c in categories},
    )


def validate_scheme(scheme: Scheme, nodes: list[NodeData] | None = None) -> Report:
    return validate(nodes if nodes is not None else load_nodes(scheme), context_for(scheme.year))


def open_revision(scheme: Scheme) -> SchemeRevision | None:
    return SchemeRevision.objects.open().filter(scheme=scheme).first()


# -- snapshots (a revision's "before", JSON-safe) -------------------------------------


def node_to_dict(node: NodeData) -> dict[str, Any]:
    from jixiao.scheme.tree import dec_str

    return {
        "code": node.code,
        "parent": node.parent_code,
        "level": node.level,
        "name": node.name,
        "kind": node.kind,
        "qualitative": node.is_qualitative,
        "description": node.description,
        "standard": node.standard,
        "owner": node.owner_code,
        "period": node.period,
        "must_report": node.must_report,
        "method": node.method or None,
        "params": dict(node.params),
        "bonus_cap": dec_str(node.bonus_cap) if node.bonus_cap is not None else None,
        "penalty_cap": dec_str(node.penalty_cap) if node.penalty_cap is not None else None,
        "points": {k: dec_str(v) for k, v in sorted(node.points.items())},
        "units": list(node.unit_codes),
    }


def node_from_dict(data: dict[str, Any], sort_order: int = 0) -> NodeData:
    """Inverse of node_to_dict for data already checked (schema-valid)."""
    method = data.get("method") or ""

    def dec(value: Any) -> Decimal | None:
        return to_decimal(value) if value is not None else None

    return NodeData(
        code=data["code"],
        parent_code=data.get("parent"),
        level=int(data["level"]),
        name=data["name"],
        kind=data["kind"],
        is_qualitative=bool(data.get("qualitative", False)),
        description=data.get("description") or "",
        standard=data.get("standard") or "",
        owner_code=data.get("owner"),
        period=data.get("period") or "annual",
        must_report=bool(data.get("must_report", False)),
        method=method,
        params=canonical_params(method, data.get("params") or {}),
        bonus_cap=dec(data.get("bonus_cap")),
        penalty_cap=dec(data.get("penalty_cap")),
        sort_order=sort_order,
        points={k: d for k, v in (data.get("points") or {}).items() if (d := dec(v)) is not None},
        unit_codes=tuple(sorted(data.get("units") or ())),
    )


def settings_snapshot(scheme: Scheme) -> dict[str, Any]:
    return {"name": scheme.name, "heavy_deduction_share": str(scheme.heavy_deduction_share)}
