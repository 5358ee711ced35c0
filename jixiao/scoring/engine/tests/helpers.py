"""Small builders for engine tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryResult,
    CategoryTree,
    LeafInput,
    Node,
    ProvinceData,
    UnitInfo,
    score_records,
)

D = Decimal


def leaf(
    code: str,
    parent: str | None,
    points: str | int | Decimal,
    method: str,
    params: Mapping[str, Any] | None = None,
    kind: str = "individual",
    level: int | None = None,
    name: str | None = None,
) -> Node:
    depth = level if level is not None else code.count(".") + 1
    return Node(code, parent, depth, name or code, kind, D(points), method, dict(params or {}))


def group(
    code: str,
    parent: str | None,
    points: str | int | Decimal,
    kind: str = "individual",
    name: str = "",
) -> Node:
    return Node(code, parent, code.count(".") + 1, name or code, kind, D(points))


def bonus(
    code: str, parent: str | None, bonus_cap: str | int | None, penalty_cap: str | int | None
) -> Node:
    return Node(
        code,
        parent,
        code.count(".") + 1,
        code,
        "bonus_penalty",
        D(0),
        None,
        {},
        None if bonus_cap is None else D(bonus_cap),
        None if penalty_cap is None else D(penalty_cap),
    )


def single_leaf_tree(
    method: str,
    points: str | int | Decimal,
    params: Mapping[str, Any] | None = None,
    scale: str | int | None = None,
) -> CategoryTree:
    """A category whose only indicator is one leaf worth the whole scale."""
    return CategoryTree(
        "cat", D(scale if scale is not None else points), (leaf("L", None, points, method, params),)
    )


def units(*codes: str, category: str = "cat", staffing: int | None = None) -> list[UnitInfo]:
    return [UnitInfo(code, category, staffing) for code in codes]


def run(
    tree: CategoryTree,
    unit_list: Iterable[UnitInfo],
    inputs: Iterable[LeafInput],
    events: Iterable[BonusPenaltyEvent] = (),
) -> tuple[ProvinceData, CategoryResult]:
    province, result = score_records([tree], list(unit_list), list(inputs), list(events))
    return province, result.categories[tree.category_code]


def leaf_score(
    method: str,
    points: str | int | Decimal,
    values: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    staffing: int | None = None,
) -> Decimal:
    """Score of one unit on a one-leaf category."""
    tree = single_leaf_tree(method, points, params)
    _, result = run(tree, units("U1", staffing=staffing), [LeafInput("U1", "L", dict(values))])
    return result.score("U1", "L")
