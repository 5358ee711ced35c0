"""Plain input data for the scoring engine (frozen dataclasses, no ORM)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KIND_COMMON = "common"
KIND_INDIVIDUAL = "individual"
KIND_BONUS_PENALTY = "bonus_penalty"
KIND_EVALUATION = "evaluation"
KINDS: tuple[str, ...] = (KIND_COMMON, KIND_INDIVIDUAL, KIND_BONUS_PENALTY, KIND_EVALUATION)
KIND_LABELS: Mapping[str, str] = {
    KIND_COMMON: "共性指标",
    KIND_INDIVIDUAL: "个性指标",
    KIND_BONUS_PENALTY: "加扣分",
    KIND_EVALUATION: "评议指标",
}

InputValue = Decimal | int | str | None


@dataclass(frozen=True)
class Node:
    """One indicator of a category's tree (一级 / 二级 / 三级指标).

    `units` restricts the indicator to some units of the category (个性指标, a unit's own
    targets): None means every unit; a restriction also applies to the node's descendants
    (a node applies to a unit only if every ancestor does). An empty set is refused.
    """

    code: str
    parent_code: str | None
    level: int
    name: str
    kind: str
    points: Decimal
    method: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    bonus_cap: Decimal | None = None
    penalty_cap: Decimal | None = None
    sort_order: int = 0
    units: frozenset[str] | None = None

    def applies_to(self, unit_code: str) -> bool:
        """Whether the node's own restriction admits the unit (ancestors not considered)."""
        return self.units is None or unit_code in self.units


@dataclass(frozen=True)
class CategoryTree:
    """The indicator tree of one unit category (分类考核), on a 100- or 1000-point scale."""

    category_code: str
    scale: Decimal
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class UnitInfo:
    """An assessed unit (被考核单位); staffing (编制数) feeds `staffing_task`."""

    unit_code: str
    category_code: str
    staffing: int | None = None


@dataclass(frozen=True)
class LeafInput:
    """Raw values a department entered for one unit and one leaf indicator.

    `ref` is opaque to the engine (the Django layer passes an entry id) and is carried
    into explanations.
    """

    unit_code: str
    indicator_code: str
    values: Mapping[str, InputValue]
    ref: Any = None


@dataclass(frozen=True)
class BonusPenaltyEvent:
    """One bonus (positive) or deduction (negative) for a bonus_penalty node (加扣分)."""

    unit_code: str
    indicator_code: str
    points: Decimal
    description: str
    ref: Any = None


@dataclass(frozen=True)
class LastYear:
    """Last year's published figures of a unit (for awards, warnings and statistics).

    `warned` says whether the unit got last year's bottom warning (后N位) as published,
    i.e. under last year's rules (its bottom N, ties included, none in a category too
    small to warn). It is a fact of last year's run, never re-derived from the rank: the
    "two years running" warning (连续两年后列) needs it.
    """

    unit_code: str
    total: Decimal | None = None
    rank: int | None = None
    units_in_category: int | None = None
    warned: bool = False
