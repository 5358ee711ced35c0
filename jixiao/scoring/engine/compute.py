"""The fast path: leaf columns by method -> sums up the tree -> bonus/penalty -> totals -> ranks.

Scores are int64 in 10**-4 points, laid out node-major (`scores[node, unit]`) so that each
leaf's column and each sum is a contiguous row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import numpy as np

from .columns import CategoryData, LeafColumn, build_category_data
from .errors import InputError, SchemeError, ScoringError
from .fixed import (
    SCORE_DIGITS,
    TOTAL_DIGITS,
    IntArray,
    as_decimal,
    places,
    published_array,
    scaled,
    unscaled,
)
from .kernels import KERNELS, KernelInput
from .scheme import CompiledTree, compile_tree
from .types import (
    KIND_BONUS_PENALTY,
    BonusPenaltyEvent,
    CategoryTree,
    LeafInput,
    UnitInfo,
)

BoolArray = IntArray
#: Largest magnitude accepted for one bonus/penalty event, in points.
MAX_EVENT_POINTS = 10**9
_MAX_ROWS_LISTED = 5


@dataclass(frozen=True)
class UnitScore:
    """A unit's published result within its category."""

    unit_code: str
    category_code: str
    total: Decimal
    total_exact: Decimal
    rank: int
    position: int
    units_in_category: int
    missing: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class CategoryResult:
    """Scores of every unit and node of one category; arrays are read-only."""

    compiled: CompiledTree
    unit_codes: tuple[str, ...]
    scores: IntArray
    missing: BoolArray
    totals4: IntArray
    published: IntArray
    ranks: IntArray
    order: IntArray

    @property
    def category_code(self) -> str:
        return self.compiled.category_code

    @property
    def scale(self) -> Decimal:
        return self.compiled.scale

    @cached_property
    def rows(self) -> Mapping[str, int]:
        return {code: row for row, code in enumerate(self.unit_codes)}

    @cached_property
    def units(self) -> tuple[UnitScore, ...]:
        """Units in display order: rank, then unit code."""
        n = len(self.unit_codes)
        leaves = list(self.compiled.scored_leaves)
        missing: list[list[str]] = [[] for _ in range(n)]
        if leaves:
            rows, positions = np.nonzero(self.missing[leaves].T)
            for row, position in zip(rows.tolist(), positions.tolist(), strict=True):
                missing[row].append(self.compiled.nodes[leaves[position]].code)
        published = self.published.tolist()
        totals = self.totals4.tolist()
        ranks = self.ranks.tolist()
        result = []
        for position, row in enumerate(self.order.tolist(), start=1):
            result.append(
                UnitScore(
                    unit_code=self.unit_codes[row],
                    category_code=self.category_code,
                    total=unscaled(published[row], TOTAL_DIGITS),
                    total_exact=unscaled(totals[row], SCORE_DIGITS),
                    rank=ranks[row],
                    position=position,
                    units_in_category=n,
                    missing=tuple(missing[row]),
                )
            )
        return tuple(result)

    @cached_property
    def _by_code(self) -> Mapping[str, UnitScore]:
        return {u.unit_code: u for u in self.units}

    def unit(self, unit_code: str) -> UnitScore:
        return self._by_code[unit_code]

    @property
    def masks(self) -> Mapping[int, BoolArray]:
        """Applicability rows of the restricted nodes (see `CompiledTree.masks`)."""
        return self.compiled.masks(self.unit_codes)

    def applies(self, unit_code: str, node_code: str) -> bool:
        """Whether the indicator applies to the unit (个性指标 of other units do not)."""
        mask = self.masks.get(self.compiled.index[node_code])
        return mask is None or bool(mask[self.rows[unit_code]])

    def score(self, unit_code: str, node_code: str) -> Decimal:
        """A node's score (4 decimals) for a unit."""
        node = self.compiled.index[node_code]
        return unscaled(int(self.scores[node, self.rows[unit_code]]), SCORE_DIGITS)

    def node_scores(self, unit_code: str) -> dict[str, Decimal]:
        row = self.rows[unit_code]
        column = self.scores[:, row].tolist()
        return {
            node.code: unscaled(column[i], SCORE_DIGITS)
            for i, node in enumerate(self.compiled.nodes)
        }

    def kind_subtotals(self, unit_code: str) -> dict[str, Decimal]:
        """Sum per indicator type (共性 / 个性 / 加扣分 / 评议): scored leaves by their own
        kind, plus the outermost bonus_penalty nodes."""
        row = self.rows[unit_code]
        compiled = self.compiled
        totals: dict[str, int] = {}
        for i in compiled.scored_leaves:
            kind = compiled.nodes[i].kind
            totals[kind] = totals.get(kind, 0) + int(self.scores[i, row])
        for i in compiled.bonus_nodes:
            parent = compiled.parent[i]
            if parent >= 0 and compiled.nodes[parent].kind == KIND_BONUS_PENALTY:
                continue
            totals[KIND_BONUS_PENALTY] = totals.get(KIND_BONUS_PENALTY, 0) + int(
                self.scores[i, row]
            )
        return {kind: unscaled(value, SCORE_DIGITS) for kind, value in totals.items()}


@dataclass(frozen=True, eq=False)
class ProvinceData:
    """Engine input for a whole year: compiled trees and columns per category."""

    trees: Mapping[str, CompiledTree]
    data: Mapping[str, CategoryData]

    @cached_property
    def category_of(self) -> Mapping[str, str]:
        return {unit: code for code, d in self.data.items() for unit in d.unit_codes}

    def with_input(self, leaf_input: LeafInput) -> ProvinceData:
        """A copy with one entry replaced; only that category's column is copied."""
        code = self.category_of.get(leaf_input.unit_code)
        if code is None:
            raise InputError([f"单位“{leaf_input.unit_code}”不存在"])
        compiled = self.trees[code]
        fields = compiled.leaf_fields.get(leaf_input.indicator_code)
        if fields is None:
            raise InputError([f"指标“{leaf_input.indicator_code}”不是类别“{code}”的末级指标"])
        data = dict(self.data)
        data[code] = self.data[code].with_input(leaf_input, fields)
        return _with_data(self, data)

    def with_events(self, category_code: str, events: Iterable[BonusPenaltyEvent]) -> ProvinceData:
        data = dict(self.data)
        data[category_code] = self.data[category_code].with_events(events)
        return _with_data(self, data)


def _with_data(province: ProvinceData, data: dict[str, CategoryData]) -> ProvinceData:
    result = ProvinceData(province.trees, data)
    # Units do not move between categories, so the unit index can be shared.
    result.__dict__["category_of"] = province.category_of
    return result


@dataclass(frozen=True, eq=False)
class ProvinceResult:
    categories: Mapping[str, CategoryResult]

    @cached_property
    def _units(self) -> Mapping[str, UnitScore]:
        return {u.unit_code: u for c in self.categories.values() for u in c.units}

    def unit(self, unit_code: str) -> UnitScore:
        return self._units[unit_code]

    def with_category(self, result: CategoryResult) -> ProvinceResult:
        categories = dict(self.categories)
        categories[result.category_code] = result
        return ProvinceResult(categories)


def prepare(
    trees: Iterable[CategoryTree],
    units: Iterable[UnitInfo],
    inputs: Iterable[LeafInput],
    events: Iterable[BonusPenaltyEvent] = (),
) -> ProvinceData:
    """Compile the trees and build columns from records; raises ScoringError listing every
    problem (scheme first, then data)."""
    compiled: dict[str, CompiledTree] = {}
    problems: list[str] = []
    for tree in trees:
        try:
            compiled[tree.category_code] = compile_tree(tree)
        except ScoringError as exc:
            problems.extend(f"类别“{tree.category_code}”：{p}" for p in exc.problems)
    if problems:
        raise SchemeError(problems)
    unit_list = list(units)
    for category, compiled_tree in compiled.items():
        codes = sorted(u.unit_code for u in unit_list if u.category_code == category)
        problems.extend(f"类别“{category}”：{p}" for p in compiled_tree.unit_problems(codes))
    if problems:
        raise SchemeError(problems)
    by_category: dict[str, list[LeafInput]] = {code: [] for code in compiled}
    category_of = {u.unit_code: u.category_code for u in unit_list}
    for u in unit_list:
        if u.category_code not in compiled:
            problems.append(f"单位“{u.unit_code}”的类别“{u.category_code}”没有考核方案")
    for item in inputs:
        code = category_of.get(item.unit_code)
        if code is None or code not in compiled:
            problems.append(f"单位“{item.unit_code}”不存在或没有考核方案")
            continue
        by_category[code].append(item)
    events_by: dict[str, list[BonusPenaltyEvent]] = {code: [] for code in compiled}
    for event in events:
        code = category_of.get(event.unit_code)
        if code is None or code not in compiled:
            problems.append(f"单位“{event.unit_code}”不存在或没有考核方案")
            continue
        events_by[code].append(event)
    data: dict[str, CategoryData] = {}
    for code, compiled_tree in compiled.items():
        try:
            data[code] = build_category_data(
                code,
                unit_list,
                compiled_tree.leaf_fields,
                by_category[code],
                events_by[code],
                compiled_tree.bonus_codes,
            )
        except ScoringError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return ProvinceData(compiled, data)


def _leaf_column(
    compiled: CompiledTree, data: CategoryData, node: int, mask: BoolArray | None
) -> tuple[IntArray, BoolArray, list[str]]:
    """Scores of one leaf for every unit, rows lacking data, problems found.

    `mask` (None = every unit) says to which units the leaf applies: the others are
    neither scored (0), nor missing, nor compared with (rank-type methods), nor checked.
    """
    n = len(data.unit_codes)
    code = compiled.nodes[node].code
    column: LeafColumn | None = data.columns.get(code)
    if column is None:
        lacking = np.ones(n, dtype=bool) if mask is None else mask.copy()
        return np.zeros(n, dtype=np.int64), lacking, []
    method = compiled.methods[node]
    params = compiled.params[node]
    assert method is not None
    assert params is not None
    ok = column.ok if mask is None else column.ok & mask
    kin = KernelInput(compiled.points4[node], params, column.fields, ok, data.staffing)
    scores, problems = KERNELS[method.code](kin)
    messages = []
    for rows, message in problems:
        listed = "、".join(data.unit_codes[r] for r in rows[:_MAX_ROWS_LISTED])
        more = f"等{len(rows)}个单位" if len(rows) > _MAX_ROWS_LISTED else ""
        messages.append(f"指标“{code}”：单位 {listed}{more}：{message}")
    lacking = ~column.ok if mask is None else ~column.ok & mask
    return scores, lacking, messages


def _event_sums(compiled: CompiledTree, data: CategoryData) -> dict[int, tuple[IntArray, IntArray]]:
    """Per bonus_penalty node, its own events' bonuses and deductions per unit, apart
    (both ≥ 0, in 10⁻⁴ points): caps apply per sign."""
    n = len(data.unit_codes)
    sums: dict[int, tuple[IntArray, IntArray]] = {}
    problems = []
    rows = data.rows
    for event in data.events:
        node = compiled.index.get(event.indicator_code)
        points = as_decimal(event.points)
        where = f"单位“{event.unit_code}”加扣分“{event.indicator_code}”"
        if node is None or compiled.nodes[node].kind != KIND_BONUS_PENALTY:
            problems.append(f"{where}：不是本类别的加扣分指标")
            continue
        if event.unit_code not in rows:
            problems.append(f"{where}：单位不属于本类别")
            continue
        if points is None or places(points) > SCORE_DIGITS or abs(points) > MAX_EVENT_POINTS:
            problems.append(f"{where}：分值必须是最多{SCORE_DIGITS}位小数的数字")
            continue
        plus, minus = sums.setdefault(
            node, (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
        )
        value = scaled(points, SCORE_DIGITS)
        if value >= 0:
            plus[rows[event.unit_code]] += value
        else:
            minus[rows[event.unit_code]] -= value
    if problems:
        raise InputError(problems)
    return sums


def _aggregate(
    compiled: CompiledTree, data: CategoryData, scores: IntArray, masks: Mapping[int, BoolArray]
) -> None:
    """Fill non-leaf and bonus rows of `scores` in place, deepest level first. A parent's
    score is the sum of its children's, which are 0 where they do not apply; a restricted
    bonus_penalty node ignores events of units it does not apply to.

    A bonus_penalty node counts its bonuses and its deductions apart: bonuses (its own
    positive events plus its children's counted bonuses) up to `bonus_cap`, deductions
    likewise up to `penalty_cap`; its score is counted bonuses − counted deductions. So
    +2 then −3 with caps ±2 is 2 − 2 = 0, not max(−1, −2) = −1."""
    events = _event_sums(compiled, data) if compiled.bonus_nodes else {}
    n = scores.shape[1]
    # Counted bonuses and deductions (both ≥ 0) of the bonus nodes done so far.
    signed: dict[int, tuple[IntArray, IntArray]] = {}
    for node, kids, bonus in compiled.passes:
        if bonus:
            plus = np.zeros(n, dtype=np.int64)
            minus = np.zeros(n, dtype=np.int64)
            for kid in kids:
                kid_plus, kid_minus = signed[kid]
                plus += kid_plus
                minus += kid_minus
            if node in events:
                plus += events[node][0]
                minus += events[node][1]
            upper, lower = compiled.caps4[node]
            if upper is not None:
                plus = np.minimum(plus, upper)
            if lower is not None:
                minus = np.minimum(minus, lower)
            mask = masks.get(node)
            if mask is not None:
                plus = np.where(mask, plus, 0)
                minus = np.where(mask, minus, 0)
            signed[node] = (plus, minus)
            scores[node] = plus - minus
            continue
        if len(kids) == 1:
            value = scores[kids[0]].copy()
        elif kids:
            value = scores[list(kids)].sum(axis=0)
        else:
            value = np.zeros(n, dtype=np.int64)
        scores[node] = value


def _finish(
    compiled: CompiledTree, data: CategoryData, scores: IntArray, missing: BoolArray
) -> CategoryResult:
    totals = scores[list(compiled.top)].sum(axis=0) if compiled.top else scores[0] * 0
    published = published_array(totals)
    n = len(data.unit_codes)
    order = np.lexsort((np.arange(n), -published))
    ranks = _competition_ranks(published, order)
    for array in (scores, missing, totals, published, ranks, order):
        array.flags.writeable = False
    return CategoryResult(
        compiled, data.unit_codes, scores, missing, totals, published, ranks, order
    )


def _competition_ranks(published: IntArray, order: IntArray) -> IntArray:
    """Standard competition ranking (1, 2, 2, 4) of higher published totals first."""
    n = len(order)
    ranks = np.empty(n, dtype=np.int64)
    if n == 0:
        return ranks
    ordered = published[order]
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    starts[1:] = ordered[1:] != ordered[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    ranks[order] = first + 1
    return ranks


def score_category(tree: CompiledTree | CategoryTree, data: CategoryData) -> CategoryResult:
    """Score every unit of one category; raises ScoringError listing every invalid value."""
    compiled = tree if isinstance(tree, CompiledTree) else compile_tree(tree)
    unit_problems = compiled.unit_problems(data.unit_codes)
    if unit_problems:
        raise SchemeError(f"类别“{compiled.category_code}”：{p}" for p in unit_problems)
    masks = compiled.masks(data.unit_codes)
    n_nodes = len(compiled.nodes)
    n = len(data.unit_codes)
    scores = np.zeros((n_nodes, n), dtype=np.int64)
    missing = np.zeros((n_nodes, n), dtype=bool)
    problems: list[str] = []
    for node in compiled.scored_leaves:
        column, lacking, messages = _leaf_column(compiled, data, node, masks.get(node))
        scores[node] = column
        missing[node] = lacking
        problems.extend(messages)
    if problems:
        raise InputError(f"类别“{compiled.category_code}”{p}" for p in problems)
    _aggregate(compiled, data, scores, masks)
    return _finish(compiled, data, scores, missing)


def rescore(previous: CategoryResult, data: CategoryData, changed: Iterable[str]) -> CategoryResult:
    """Recompute a category after some entries changed: only the changed leaf columns are
    rescored (relative methods need their whole column anyway), then sums and ranks.

    `changed` holds leaf codes; pass bonus_penalty node codes (or nothing) after events
    changed. Units must be the same as in `previous`.
    """
    compiled = previous.compiled
    if data.unit_codes != previous.unit_codes:
        raise ScoringError(["单位名单已变化，请重新计算整个类别"])
    scores = previous.scores.copy()
    missing = previous.missing.copy()
    masks = compiled.masks(data.unit_codes)
    problems: list[str] = []
    for code in changed:
        node = compiled.index.get(code)
        if node is None:
            raise ScoringError([f"指标“{code}”不在类别“{compiled.category_code}”中"])
        if compiled.nodes[node].kind == KIND_BONUS_PENALTY:
            continue
        column, lacking, messages = _leaf_column(compiled, data, node, masks.get(node))
        scores[node] = column
        missing[node] = lacking
        problems.extend(messages)
    if problems:
        raise InputError(f"类别“{compiled.category_code}”{p}" for p in problems)
    _aggregate(compiled, data, scores, masks)
    return _finish(compiled, data, scores, missing)


def score_province(province: ProvinceData) -> ProvinceResult:
    """Score every category; raises ScoringError listing the problems of all categories."""
    results: dict[str, CategoryResult] = {}
    problems: list[str] = []
    for code in sorted(province.trees):
        try:
            results[code] = score_category(province.trees[code], province.data[code])
        except ScoringError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return ProvinceResult(results)


def update_entry(
    province: ProvinceData, result: ProvinceResult, leaf_input: LeafInput
) -> tuple[ProvinceData, ProvinceResult]:
    """One entry changed: new input and new results, recomputing only its category column."""
    new_province = province.with_input(leaf_input)
    code = province.category_of[leaf_input.unit_code]
    category = rescore(
        result.categories[code], new_province.data[code], [leaf_input.indicator_code]
    )
    return new_province, result.with_category(category)


def score_records(
    trees: Iterable[CategoryTree],
    units: Iterable[UnitInfo],
    inputs: Iterable[LeafInput],
    events: Iterable[BonusPenaltyEvent] = (),
) -> tuple[ProvinceData, ProvinceResult]:
    """Convenience: `prepare` then `score_province`."""
    province = prepare(trees, units, inputs, events)
    return province, score_province(province)


__all__ = [
    "CategoryResult",
    "ProvinceData",
    "ProvinceResult",
    "UnitScore",
    "prepare",
    "rescore",
    "score_category",
    "score_province",
    "score_records",
    "update_entry",
]
