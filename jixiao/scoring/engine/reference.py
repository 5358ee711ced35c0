"""A straightforward Decimal reference of the whole pipeline, record by record.

It shares only the per-method scalar formulas (`MethodSpec.evaluate`) with the fast path;
tree walking, missing data, bonus caps, rounding of totals and ranking are written again
here as plainly as possible. Tests check that the fast path equals it exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .fixed import q2
from .methods import METHODS, parse_field
from .types import KIND_BONUS_PENALTY, BonusPenaltyEvent, CategoryTree, LeafInput, UnitInfo


@dataclass(frozen=True)
class ReferenceResult:
    node_scores: dict[str, dict[str, Decimal]]
    totals: dict[str, Decimal]
    published: dict[str, Decimal]
    ranks: dict[str, int]
    missing: dict[str, set[str]]


def reference_category(
    tree: CategoryTree,
    units: Iterable[UnitInfo],
    inputs: Iterable[LeafInput],
    events: Iterable[BonusPenaltyEvent] = (),
) -> ReferenceResult:
    unit_list = [u for u in units if u.category_code == tree.category_code]
    staffing = {u.unit_code: u.staffing for u in unit_list}
    entries = {(i.unit_code, i.indicator_code): i for i in inputs}
    event_list = list(events)
    children: dict[str | None, list[str]] = {}
    nodes = {n.code: n for n in tree.nodes}
    for node in tree.nodes:
        children.setdefault(node.parent_code, []).append(node.code)

    def applies(unit_code: str, code: str | None) -> bool:
        """A node applies to a unit if it and every ancestor admit the unit."""
        while code is not None:
            node = nodes[code]
            if node.units is not None and unit_code not in node.units:
                return False
            code = node.parent_code
        return True

    # Parse entries; a leaf with no entry or an empty field counts as missing.
    parsed: dict[tuple[str, str], dict[str, Any] | None] = {}
    for u in unit_list:
        for node in tree.nodes:
            if node.kind == KIND_BONUS_PENALTY or children.get(node.code) or not node.method:
                continue
            spec = METHODS[node.method]
            entry = entries.get((u.unit_code, node.code))
            values: dict[str, Any] | None = {} if entry is not None else None
            for field in spec.fields:
                raw = entry.values.get(field.name) if entry is not None else None
                if values is None or raw is None or raw == "":
                    values = None
                    break
                value, error = parse_field(field, raw)
                assert error is None, error
                values[field.name] = value
            parsed[(u.unit_code, node.code)] = values

    leaf_scores: dict[tuple[str, str], Decimal] = {}
    missing: dict[str, set[str]] = {u.unit_code: set() for u in unit_list}
    for node in tree.nodes:
        if node.kind == KIND_BONUS_PENALTY or children.get(node.code) or not node.method:
            continue
        spec = METHODS[node.method]
        params = spec.normalize_params(node.params)
        reported = [
            v
            for u in unit_list
            if applies(u.unit_code, node.code)
            and (v := parsed[(u.unit_code, node.code)]) is not None
        ]
        context = spec.column_context(params, reported)
        for u in unit_list:
            if not applies(u.unit_code, node.code):
                # Not this unit's indicator: not scored, not missing, not compared.
                leaf_scores[(u.unit_code, node.code)] = Decimal("0.0000")
                continue
            values = parsed[(u.unit_code, node.code)]
            if values is None:
                leaf_scores[(u.unit_code, node.code)] = Decimal("0.0000")
                missing[u.unit_code].add(node.code)
                continue
            result = spec.evaluate(node.points, params, values, context, staffing[u.unit_code])
            leaf_scores[(u.unit_code, node.code)] = result.score

    def signed(unit_code: str, code: str) -> tuple[Decimal, Decimal]:
        """(counted bonuses, counted deductions) of a bonus_penalty node: each sign
        summed over its children's counted parts and its own events, then capped."""
        node = nodes[code]
        if not applies(unit_code, code):
            return Decimal(0), Decimal(0)
        plus = minus = Decimal(0)
        for k in children.get(code, []):
            kid_plus, kid_minus = signed(unit_code, k)
            plus += kid_plus
            minus += kid_minus
        for event in event_list:
            if event.unit_code == unit_code and event.indicator_code == code:
                points = Decimal(event.points)
                if points >= 0:
                    plus += points
                else:
                    minus -= points
        if node.bonus_cap is not None:
            plus = min(plus, node.bonus_cap)
        if node.penalty_cap is not None:
            minus = min(minus, node.penalty_cap)
        return plus, minus

    def node_score(unit_code: str, code: str) -> Decimal:
        node = nodes[code]
        if not applies(unit_code, code):
            return Decimal(0)
        kids = [k for k in children.get(code, []) if applies(unit_code, k)]
        if node.kind == KIND_BONUS_PENALTY:
            plus, minus = signed(unit_code, code)
            return plus - minus
        if not kids:
            return leaf_scores[(unit_code, code)]
        return sum((node_score(unit_code, k) for k in kids), Decimal(0))

    node_scores = {
        u.unit_code: {code: node_score(u.unit_code, code) for code in nodes} for u in unit_list
    }
    totals = {
        u.unit_code: sum(
            (
                node_scores[u.unit_code][c]
                for c in children.get(None, [])
                if applies(u.unit_code, c)
            ),
            Decimal(0),
        )
        for u in unit_list
    }
    published = {code: q2(total) for code, total in totals.items()}
    ranks = {
        code: 1 + sum(1 for other in published.values() if other > value)
        for code, value in published.items()
    }
    return ReferenceResult(node_scores, totals, published, ranks, missing)
