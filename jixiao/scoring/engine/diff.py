"""Differences between two result sets (e.g. two published versions): who moved, by how
much, and which nodes changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .compute import CategoryResult, ProvinceResult
from .fixed import SCORE_DIGITS, unscaled


@dataclass(frozen=True)
class NodeChange:
    node_code: str
    name: str
    old: Decimal | None
    new: Decimal | None


@dataclass(frozen=True)
class UnitChange:
    unit_code: str
    category_code: str
    old_total: Decimal
    new_total: Decimal
    old_rank: int
    new_rank: int
    nodes: tuple[NodeChange, ...]

    @property
    def rank_change(self) -> int:
        """Places moved up (positive) or down (negative)."""
        return self.old_rank - self.new_rank

    @property
    def total_change(self) -> Decimal:
        return self.new_total - self.old_total


@dataclass(frozen=True)
class ResultDiff:
    changes: tuple[UnitChange, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def moved(self) -> tuple[UnitChange, ...]:
        """Units whose rank changed, largest move first."""
        moved = [c for c in self.changes if c.rank_change]
        return tuple(sorted(moved, key=lambda c: (-abs(c.rank_change), c.unit_code)))


def diff_results(
    old: ProvinceResult | CategoryResult, new: ProvinceResult | CategoryResult
) -> ResultDiff:
    """Units present in both with any change of total, rank or node score, in unit order;
    units only in one of them are listed as added / removed."""
    old_cats = _categories(old)
    new_cats = _categories(new)
    changes: list[UnitChange] = []
    old_units = {u for c in old_cats.values() for u in c.unit_codes}
    new_units = {u for c in new_cats.values() for u in c.unit_codes}
    for code in sorted(set(old_cats) & set(new_cats)):
        changes.extend(_diff_category(old_cats[code], new_cats[code]))
    changes.sort(key=lambda c: c.unit_code)
    return ResultDiff(
        changes=tuple(changes),
        added=tuple(sorted(new_units - old_units)),
        removed=tuple(sorted(old_units - new_units)),
    )


def _categories(result: ProvinceResult | CategoryResult) -> dict[str, CategoryResult]:
    if isinstance(result, CategoryResult):
        return {result.category_code: result}
    return dict(result.categories)


def _diff_category(old: CategoryResult, new: CategoryResult) -> list[UnitChange]:
    common_units = sorted(set(old.unit_codes) & set(new.unit_codes))
    if not common_units:
        return []
    old_rows = np.array([old.rows[u] for u in common_units])
    new_rows = np.array([new.rows[u] for u in common_units])
    old_nodes = old.compiled.index
    new_nodes = new.compiled.index
    shared = [code for code in new_nodes if code in old_nodes]
    only = sorted(set(old_nodes) ^ set(new_nodes))
    a = old.scores[[old_nodes[c] for c in shared]][:, old_rows]
    b = new.scores[[new_nodes[c] for c in shared]][:, new_rows]
    node_changed = a != b
    unit_changed = (
        node_changed.any(axis=0)
        | (old.published[old_rows] != new.published[new_rows])
        | (old.ranks[old_rows] != new.ranks[new_rows])
    )
    result = []
    for k in np.flatnonzero(unit_changed | bool(only)).tolist():
        unit = common_units[k]
        nodes = [
            NodeChange(
                shared[i],
                new.compiled.nodes[new_nodes[shared[i]]].name,
                unscaled(int(a[i, k]), SCORE_DIGITS),
                unscaled(int(b[i, k]), SCORE_DIGITS),
            )
            for i in np.flatnonzero(node_changed[:, k]).tolist()
        ]
        for code in only:
            before = old.score(unit, code) if code in old_nodes else None
            after = new.score(unit, code) if code in new_nodes else None
            name = (
                (new if code in new_nodes else old)
                .compiled.nodes[(new_nodes if code in new_nodes else old_nodes)[code]]
                .name
            )
            nodes.append(NodeChange(code, name, before, after))
        o = old.unit(unit)
        n = new.unit(unit)
        result.append(
            UnitChange(unit, new.category_code, o.total, n.total, o.rank, n.rank, tuple(nodes))
        )
    return result
