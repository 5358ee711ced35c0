"""The indicator tree as plain data (no ORM): what validation, diff, Excel and JSON share.

A scheme's tree is a list of `NodeData`, keyed by indicator code. Points are per unit
category code; owners and units are organization codes. Parameters are kept in a
canonical form (numbers as normalized decimal strings) so that a tree that went out
through Excel or JSON and came back compares equal to the original.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.scoring.engine.methods import METHODS

KIND_COMMON = "common"
KIND_INDIVIDUAL = "individual"
KIND_BONUS_PENALTY = "bonus_penalty"
KIND_EVALUATION = "evaluation"
KINDS = (KIND_COMMON, KIND_INDIVIDUAL, KIND_BONUS_PENALTY, KIND_EVALUATION)
PERIODS = ("monthly", "quarterly", "half_year", "annual")
MAX_LEVEL = 3


@dataclass(frozen=True)
class NodeData:
    """One indicator, as plain data."""

    code: str
    parent_code: str | None
    level: int
    name: str
    kind: str
    is_qualitative: bool = False
    description: str = ""
    standard: str = ""
    owner_code: str | None = None
    period: str = "annual"
    must_report: bool = False
    method: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    bonus_cap: Decimal | None = None
    penalty_cap: Decimal | None = None
    sort_order: int = 0
    points: Mapping[str, Decimal] = field(default_factory=dict)
    unit_codes: tuple[str, ...] = ()

    @property
    def is_bonus(self) -> bool:
        return self.kind == KIND_BONUS_PENALTY


def dec_str(value: Decimal) -> str:
    """A decimal written the shortest exact way: 5.0000 -> "5", 2.50 -> "2.5"."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def to_decimal(value: Any) -> Decimal | None:
    """A Decimal for an int / Decimal / numeric string / float (by its repr); else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _canonical_number(value: Any) -> Any:
    number = to_decimal(value)
    return dec_str(number) if number is not None else value


def _canonical_value(kind: str | None, raw: Any) -> Any:
    if kind == "decimal":
        return _canonical_number(raw)
    if kind == "decimal_list" and isinstance(raw, list | tuple):
        return [_canonical_number(x) for x in raw]
    if kind == "grade_shares" and isinstance(raw, Mapping):
        return {str(k): _canonical_number(v) for k, v in raw.items()}
    if kind == "tiers" and isinstance(raw, list | tuple):
        return [
            {str(k): _canonical_number(v) for k, v in tier.items()}
            if isinstance(tier, Mapping)
            else tier
            for tier in raw
        ]
    return raw


def canonical_params(method: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Parameters in the one stored form; anything malformed is kept as is so that
    validation reports it.

    A parameter equal to its method's default is left out: the form always posts its
    checkboxes, so without this an untouched "越低越好" would be stored as an explicit
    false the first time a leaf is saved and announced as a changed 计分参数 in the
    revision notice. Stored rows, forms, Excel and JSON all pass through here, so a
    default is stored (and compared) one way only: absent."""
    if not params:
        return {}
    spec = METHODS.get(method)
    specs = {p.name: p for p in spec.params} if spec else {}
    result: dict[str, Any] = {}
    for name, raw in params.items():
        if raw is None:
            continue
        param = specs.get(name)
        kind = param.type if param else None
        value = _canonical_value(kind, raw)
        if param is not None and param.default is not None:
            default = _canonical_value(kind, param.default)
            if value == default or (kind == "bool" and value is default):
                continue
        result[name] = value
    return result


def display_order(nodes: Iterable[NodeData]) -> list[NodeData]:
    """Depth first, siblings by sort order then code; nodes whose parent is missing last."""
    nodes = list(nodes)
    children: dict[str | None, list[NodeData]] = {}
    codes = {n.code for n in nodes}
    for node in nodes:
        parent = node.parent_code if node.parent_code in codes else None
        children.setdefault(parent, []).append(node)
    ordered: list[NodeData] = []
    seen: set[str] = set()

    def visit(parent: str | None) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: (n.sort_order, n.code)):
            if node.code in seen:  # duplicate codes or cycles: list once
                continue
            seen.add(node.code)
            ordered.append(node)
            visit(node.code)

    visit(None)
    ordered.extend(n for n in nodes if n.code not in seen and n not in ordered)
    return ordered


def children_map(nodes: Sequence[NodeData]) -> dict[str | None, list[NodeData]]:
    result: dict[str | None, list[NodeData]] = {}
    for node in nodes:
        result.setdefault(node.parent_code, []).append(node)
    return result


def normalize_sort_orders(nodes: Sequence[NodeData]) -> list[NodeData]:
    """Siblings numbered 0, 1, 2… in their current order (display order)."""
    counters: dict[str | None, int] = {}
    result = []
    for node in display_order(nodes):
        n = counters.get(node.parent_code, 0)
        counters[node.parent_code] = n + 1
        result.append(node if node.sort_order == n else replace(node, sort_order=n))
    return result


def with_ancestors(nodes: Sequence[NodeData], keep: set[str]) -> list[NodeData]:
    """The nodes in `keep` plus all their ancestors, in display order."""
    by_code = {n.code: n for n in nodes}
    wanted = set()
    for code in keep:
        current: str | None = code
        while current is not None and current not in wanted and current in by_code:
            wanted.add(current)
            current = by_code[current].parent_code
    return [n for n in display_order(nodes) if n.code in wanted]
