"""Vectorised, exact leaf scoring: one call scores one indicator for every unit of a category.

Everything is integer arithmetic. Input numbers are integers scaled by 10**digits
(see `columns.NumberColumn`); scores are integers in 10**-4 points. Every kernel writes a
ratio `p / q` as `round_half_up(P * p / q)` with `P` the leaf's points in 10**-4, so the
result is the exact value rounded once, the same as the Decimal reference.

Overflow: before multiplying, a kernel bounds its largest intermediate from the actual
maxima of the column (`_pick`). If the bound is not safely inside int64 the arrays are
converted to Python-int object arrays, which are exact at any size and run the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from . import methods as m
from .columns import NumberColumn, TextColumn
from .fixed import (
    SCORE_DIGITS,
    IntArray,
    fits_int64,
    fraction_of,
    max_abs,
    places,
    rhu_div_nonneg,
    round_half_up_div,
    scaled,
)

BoolArray = IntArray


@dataclass(frozen=True)
class KernelInput:
    points4: int
    params: Mapping[str, Any]
    fields: Mapping[str, NumberColumn | TextColumn]
    ok: BoolArray
    staffing: IntArray


#: (rows that are invalid, Chinese message)
Problem = tuple[IntArray, str]
KernelResult = tuple[IntArray, list[Problem]]


def _pick(bound: int, *arrays: IntArray) -> tuple[IntArray, ...]:
    if fits_int64(bound) and all(a.dtype != object for a in arrays):
        return arrays
    return tuple(a.astype(object) for a in arrays)


def _number(kin: KernelInput, name: str) -> NumberColumn:
    column = kin.fields[name]
    assert isinstance(column, NumberColumn)
    return column


def _rescale(column: NumberColumn, digits: int) -> IntArray:
    shift = digits - column.digits
    if shift == 0:
        return column.values
    factor = 10**shift
    values = column.values
    if not fits_int64(max_abs(values) * factor):
        values = values.astype(object)
    result: IntArray = values * factor
    return result


def _aligned(*columns: NumberColumn) -> tuple[list[IntArray], int]:
    digits = max(c.digits for c in columns)
    return [_rescale(c, digits) for c in columns], digits


def _finish(scores: Any, kin: KernelInput, problems: list[Problem]) -> KernelResult:
    result = np.where(kin.ok, scores, 0)
    if result.dtype == object:
        result = result.astype(np.int64)
    result = result.astype(np.int64, copy=False)
    return result, problems


def _bad(kin: KernelInput, condition: Any, message: str, problems: list[Problem]) -> None:
    rows = np.flatnonzero(kin.ok & condition)
    if rows.size:
        problems.append((rows, message))


def _direct(kin: KernelInput) -> KernelResult:
    column = _number(kin, "score")
    p = kin.points4
    problems: list[Problem] = []
    d = column.digits
    if d <= SCORE_DIGITS:
        factor = 10 ** (SCORE_DIGITS - d)
        (s,) = _pick(max_abs(column.values) * factor, column.values)
        s4 = s * factor
        _bad(kin, (s4 < 0) | (s4 > p), "“得分”超出 0 至分值的范围", problems)
    else:
        factor = 10 ** (d - SCORE_DIGITS)
        (s,) = _pick(max(p * factor, max_abs(column.values)) * 2, column.values)
        _bad(kin, (s < 0) | (s > p * factor), "“得分”超出 0 至分值的范围", problems)
        s4 = rhu_div_nonneg(np.clip(s, 0, p * factor), factor)
    return _finish(np.clip(s4, 0, p), kin, problems)


def _deduction(kin: KernelInput) -> KernelResult:
    column = _number(kin, "count")
    p = kin.points4
    per = scaled(kin.params["per_occurrence"], SCORE_DIGITS)
    floor = min(scaled(kin.params["floor"], SCORE_DIGITS), p)
    problems: list[Problem] = []
    values = column.values
    unit = 10**column.digits
    _bad(kin, (values < 0) | (values % unit != 0), "“扣分次数”必须为非负整数", problems)
    cap = p // per + 1
    count = np.clip(values // unit, 0, cap).astype(np.int64)
    scores = np.maximum(p - per * count, max(floor, 0))
    return _finish(np.minimum(scores, p), kin, problems)


def _completion(kin: KernelInput) -> KernelResult:
    (a, t), _ = _aligned(_number(kin, "actual"), _number(kin, "target"))
    p = kin.points4
    zn, zd = fraction_of(kin.params["zero_below"])
    problems: list[Problem] = []
    _bad(kin, t <= 0, "“目标值”必须大于0", problems)
    ma, mt = max_abs(a), max_abs(t)
    a, t = _pick(2 * p * (ma + mt) + ma * zd + mt * zn + ma + mt, a, t)
    t = np.where(t > 0, t, 1)
    if kin.params["lower_is_better"]:
        full = a <= t
        den = np.where(full, 1, a)
        zero = t * zd < zn * den
        partial = rhu_div_nonneg(p * np.where(full, 0, t), den)
    else:
        full = a >= t
        clipped = np.clip(a, 0, t)
        zero = (a <= 0) | (a * zd < zn * t)
        partial = rhu_div_nonneg(p * clipped, t)
    scores = np.where(full, p, np.where(zero, 0, partial))
    return _finish(scores, kin, problems)


def _tiered(kin: KernelInput) -> KernelResult:
    column = _number(kin, "value")
    p = kin.points4
    lower = kin.params["lower_is_better"]
    tiers: tuple[tuple[str, Decimal, Decimal], ...] = kin.params["tiers"]
    digits = max([column.digits] + [places(t) for _, t, _ in tiers])
    values = _rescale(column, digits)
    ordered = sorted((scaled(t, digits), share) for _, t, share in tiers)
    thresholds = [t for t, _ in ordered]
    tier_scores = [round_half_up_div(p * n, d) for n, d in (fraction_of(s) for _, s in ordered)]
    bound = max([max_abs(values)] + [abs(t) for t in thresholds])
    (values,) = _pick(bound, values)
    limits = np.array(thresholds, dtype=values.dtype)
    if lower:
        index = np.searchsorted(limits, values, side="left")
        table = np.array([*tier_scores, 0], dtype=np.int64)
    else:
        index = np.searchsorted(limits, values, side="right")
        table = np.array([0, *tier_scores], dtype=np.int64)
    return _finish(table[index], kin, [])


def _rank(kin: KernelInput) -> KernelResult:
    column = _number(kin, "value")
    p = kin.points4
    params = kin.params
    higher = params["higher_is_better"]
    values = column.values
    reported = values[kin.ok]
    n = int(reported.size)
    ordered = np.sort(reported)
    if higher:
        rank = 1 + n - np.searchsorted(ordered, values, side="right")
    else:
        rank = 1 + np.searchsorted(ordered, values, side="left")
    rank = rank.astype(np.int64)
    floor = min(scaled(params["floor"], SCORE_DIGITS), p)
    mode = params["mode"]
    if mode == "fixed":
        table = [min(scaled(x, SCORE_DIGITS), p) for x in params["points_by_rank"]]
        lookup = np.array([*table, floor], dtype=np.int64)
        scores = lookup[np.minimum(rank, len(table) + 1) - 1]
        return _finish(scores, kin, [])
    if mode == "step":
        step = scaled(params["step"], SCORE_DIGITS)
        scores = np.clip(p - (rank - 1) * step, max(floor, 0), p)
        return _finish(scores, kin, [])
    if n == 0:
        return _finish(np.zeros(values.shape, dtype=np.int64), kin, [])
    if higher:
        best = int(ordered[-1])
        if best <= 0:
            return _finish(np.zeros(values.shape, dtype=np.int64), kin, [])
        (v,) = _pick(2 * p * best + best + max_abs(values), values)
        partial = rhu_div_nonneg(p * np.clip(v, 0, best), best)
        return _finish(np.where(v <= 0, 0, partial), kin, [])
    best = int(ordered[0])
    (v,) = _pick(2 * p * abs(best) + max_abs(values), values)
    if best <= 0:
        return _finish(np.where(v <= 0, p, 0), kin, [])
    den = np.where(v <= 0, 1, np.maximum(v, best))
    scores = np.where(v <= 0, p, rhu_div_nonneg(p * best, den))
    return _finish(scores, kin, [])


def _yoy(kin: KernelInput) -> KernelResult:
    (c, last), _ = _aligned(_number(kin, "current"), _number(kin, "last_year"))
    p = kin.points4
    tn, td = fraction_of(kin.params["target_growth"])
    mc, ml = max_abs(c), max_abs(last)
    c, last = _pick(2 * p * (mc + ml) * td + ml * tn + mc + ml, c, last)
    diff = c - last
    magnitude = np.abs(last)
    den = np.where(magnitude > 0, magnitude, 1) * tn
    full = diff * td >= den
    partial = rhu_div_nonneg(p * np.clip(diff, 0, None) * td, den)
    scores = np.where(diff <= 0, 0, np.where(full, p, partial))
    scores = np.where(last == 0, np.where(c > 0, p, 0), scores)
    return _finish(scores, kin, [])


def _schedule(kin: KernelInput) -> KernelResult:
    (a, planned), _ = _aligned(_number(kin, "actual"), _number(kin, "planned"))
    p = kin.points4
    problems: list[Problem] = []
    _bad(kin, planned < 0, "“计划进度”不能为负", problems)
    a, planned = _pick(2 * p * max_abs(planned) + max_abs(planned) + max_abs(a), a, planned)
    den = np.where(planned > 0, planned, 1)
    partial = rhu_div_nonneg(p * np.clip(a, 0, den), den)
    scores = np.where(planned <= 0, p, np.where(a >= planned, p, np.where(a <= 0, 0, partial)))
    return _finish(scores, kin, problems)


def _value_added(kin: KernelInput) -> KernelResult:
    (c, last), _ = _aligned(_number(kin, "current"), _number(kin, "last_year"))
    p = kin.points4
    mc, ml = max_abs(c), max_abs(last)
    c, last = _pick(2 * p * (mc + ml) + 2 * (mc + ml), c, last)
    increment = c - last
    reported = increment[kin.ok]
    best = int(reported.max()) if reported.size else 0
    if best <= 0:
        return _finish(np.zeros(c.shape, dtype=np.int64), kin, [])
    partial = rhu_div_nonneg(p * np.clip(increment, 0, best), best)
    return _finish(np.where(increment <= 0, 0, partial), kin, [])


def _grade(kin: KernelInput) -> KernelResult:
    column = kin.fields["grade"]
    assert isinstance(column, TextColumn)
    p = kin.points4
    table = {
        grade: round_half_up_div(p * n, d)
        for grade, (n, d) in ((g, fraction_of(s)) for g, s in kin.params["shares"].items())
    }
    labels = column.values.tolist()
    unknown = np.array([label not in table for label in labels], dtype=bool)
    problems: list[Problem] = []
    _bad(kin, unknown, "“等次”不在等次表中", problems)
    scores = np.array([table.get(label, 0) for label in labels], dtype=np.int64)
    return _finish(scores, kin, problems)


def _staffing(kin: KernelInput) -> KernelResult:
    column = _number(kin, "completed")
    p = kin.points4
    bn, bd = fraction_of(kin.params["base"])
    staff = kin.staffing
    problems: list[Problem] = []
    # −1 stands for "not registered" (columns.build_category_data); 0 is a wrong entry.
    _bad(kin, staff < 0, "未登记编制数，无法计算编制任务比", problems)
    _bad(kin, staff == 0, "编制数必须是正整数（现为 0），无法计算编制任务比", problems)
    _bad(kin, column.values < 0, "“完成重点任务数”不能为负", problems)
    unit = 10**column.digits
    k = column.values
    k, staff = _pick(2 * p * max_abs(k) * bn + max_abs(staff) * bd * unit + max_abs(k), k, staff)
    required = np.where(staff > 0, staff, 1) * (bd * unit)
    done = np.clip(k, 0, None) * bn
    partial = rhu_div_nonneg(p * np.minimum(done, required), required)
    scores = np.where(done >= required, p, partial)
    return _finish(scores, kin, problems)


def _evaluation(kin: KernelInput) -> KernelResult:
    column = _number(kin, "rating")
    p = kin.points4
    full = 100 * 10**column.digits
    problems: list[Problem] = []
    _bad(
        kin,
        (column.values < 0) | (column.values > full),
        "“评议得分”必须在 0 至 100 之间",
        problems,
    )
    (r,) = _pick(2 * p * max(max_abs(column.values), full) + full, column.values)
    scores = rhu_div_nonneg(p * np.clip(r, 0, full), full)
    return _finish(scores, kin, problems)


def _spot_accuracy(kin: KernelInput) -> KernelResult:
    (c, w), digits = _aligned(_number(kin, "checked"), _number(kin, "wrong"))
    p = kin.points4
    unit = 10**digits
    problems: list[Problem] = []
    _bad(kin, (c < 0) | (c % unit != 0), "“核验条数”必须为非负整数", problems)
    _bad(kin, (w < 0) | (w % unit != 0), "“不属实条数”必须为非负整数", problems)
    _bad(kin, w > c, "“不属实条数”不能超过“核验条数”", problems)
    sn, sd = fraction_of(kin.params["standard"])
    per = scaled(kin.params["per_wrong"], SCORE_DIGITS)
    cap_param = kin.params["cap"]
    cap = p if cap_param is None else scaled(cap_param, SCORE_DIGITS)
    limit = p // per + 1  # more wrong entries than this cannot lower the score further
    checked = np.clip(c // unit, 0, None)
    wrong = np.clip(w // unit, 0, None)
    checked, wrong = _pick(2 * max_abs(checked) * (sn + sd), checked, wrong)
    below = (checked > 0) & ((checked - wrong) * sd < checked * sn)
    lost = np.minimum(np.minimum(np.clip(wrong, 0, limit).astype(np.int64) * per, cap), p)
    return _finish(np.where(below, p - lost, p), kin, problems)


def _supervision(kin: KernelInput) -> KernelResult:
    red_col, yellow_col = _number(kin, "red"), _number(kin, "yellow")
    p = kin.points4
    per_red = scaled(kin.params["per_red"], SCORE_DIGITS)
    per_yellow = scaled(kin.params["per_yellow"], SCORE_DIGITS)
    cap_param = kin.params["cap"]
    cap = p if cap_param is None else min(scaled(cap_param, SCORE_DIGITS), p)
    problems: list[Problem] = []
    counts = []
    for column in (red_col, yellow_col):
        values, unit = column.values, 10**column.digits
        _bad(kin, (values < 0) | (values % unit != 0), "红黄牌张数必须为非负整数", problems)
        # Past p + 1 cards of any weight ≥ 0.0001 the cap is reached: clip to stay in int64.
        counts.append(np.clip(values // unit, 0, p + 1).astype(object))
    deducted = np.minimum(per_red * counts[0] + per_yellow * counts[1], cap)
    scores = np.maximum(p - deducted, 0).astype(np.int64)
    return _finish(scores, kin, problems)


KERNELS: Mapping[str, Callable[[KernelInput], KernelResult]] = {
    m.DIRECT: _direct,
    m.DEDUCTION: _deduction,
    m.COMPLETION: _completion,
    m.TIERED: _tiered,
    m.RANK: _rank,
    m.YOY_GROWTH: _yoy,
    m.SCHEDULE_PROGRESS: _schedule,
    m.VALUE_ADDED: _value_added,
    m.GRADE: _grade,
    m.STAFFING_TASK: _staffing,
    m.EVALUATION: _evaluation,
    m.SPOT_ACCURACY: _spot_accuracy,
    m.SUPERVISION_CARDS: _supervision,
}
