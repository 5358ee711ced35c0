"""The monthly progress report (张家港 月度绩效评估): plain functions over arrays, no Django.

Rows are units, columns indicators; NaN means "no figure". For each cell:

  同比增幅      g = (v − l) ÷ |l| × 100                 (l: last year's value to the same month)
  绩效进度      p = v ÷ T × 100                          (T: the annual target)
  时序进度      e = expected share × 100                 (linear or the milestone plan)
  增值贡献率    c = (v − l) ÷ Σ_category (v − l) × 100   (only when the category's increase > 0)
  指标得分      s = min(p ÷ e, 1.2) × 100                 (no figure: 0; e = 0: 100 when p ≥ 0)

and for each unit, with w the indicator's points in the unit's category (KPI weights):

  月度得分 S = Σ w·s ÷ Σ w, rounded half up to 2 decimals; ranked within the category
  with the scoring engine's competition ranking (1, 2, 2, 4: equal to 2 decimals is a tie);
  the unit's 同比增幅, 绩效进度, 时序进度 and 增值贡献率 are the w-weighted means of the
  cells that have them. docs/monitoring.md works an example through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from jixiao.scoring.engine.compute import _competition_ranks

FloatArray = npt.NDArray[np.float64]
CAP = 1.2


@dataclass(frozen=True)
class UnitRow:
    unit: str
    category: str
    score: Decimal | None
    rank: int | None
    growth: Decimal | None
    progress: Decimal | None
    schedule: Decimal | None
    contribution: Decimal | None


@dataclass(frozen=True)
class Report:
    rows: list[UnitRow]
    growth: FloatArray
    progress: FloatArray
    contribution: FloatArray
    cell_score: FloatArray


def _d(value: float, places: str = "0.01") -> Decimal | None:
    if not np.isfinite(value):
        return None
    return Decimal(repr(round(float(value), 8))).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _weighted(values: FloatArray, weights: FloatArray) -> FloatArray:
    have = np.isfinite(values) & (weights > 0)
    w = np.where(have, weights, 0.0)
    total = w.sum(axis=1)
    sums = (np.where(have, values, 0.0) * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, sums / np.where(total > 0, total, 1), np.nan)


def monthly_report(
    units: Sequence[str],
    categories: Sequence[str],
    value: FloatArray,
    last: FloatArray,
    annual: FloatArray,
    expected: FloatArray,
    weight: FloatArray,
) -> Report:
    """All arrays are units × indicators; `expected` is a share (0..1), `weight` the
    indicator's points in the unit's category (0: the indicator does not apply)."""
    cats = np.asarray(categories)
    has_target = np.isfinite(annual) & (annual != 0)
    w = np.where(has_target, weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(np.isfinite(last) & (last != 0), (value - last) / np.abs(last), np.nan)
        growth = growth * 100
        progress = np.where(has_target, value / np.where(has_target, annual, 1) * 100, np.nan)
        schedule = np.where(has_target, expected * 100, np.nan)
        increase = value - last
        contribution = np.full(value.shape, np.nan)
        for cat in np.unique(cats):
            rows = cats == cat
            inc = increase[rows]
            total = np.nansum(inc, axis=0)
            share = np.where(total > 0, inc / np.where(total > 0, total, 1) * 100, np.nan)
            contribution[rows] = share
        ratio = np.where(
            schedule > 0,
            progress / np.where(schedule > 0, schedule, 1),
            np.where(progress >= 0, 1.0, 0.0),
        )
        cell = np.where(np.isfinite(progress), np.minimum(ratio, CAP) * 100, 0.0)
        cell = np.where(has_target, cell, np.nan)
        total_w = w.sum(axis=1)
        weighted = (np.where(has_target, cell, 0.0) * w).sum(axis=1)
        score = np.where(total_w > 0, weighted / np.where(total_w > 0, total_w, 1), np.nan)
    u_growth = _weighted(growth, w)
    u_progress = _weighted(progress, w)
    u_schedule = _weighted(schedule, w)
    u_contribution = _weighted(contribution, w)
    rounded = [_d(x) for x in score]
    ranks: dict[int, int] = {}
    for cat in np.unique(cats):
        idx = [i for i in np.flatnonzero(cats == cat) if rounded[i] is not None]
        if not idx:
            continue
        published = np.array([int(rounded[i] * 100) for i in idx], dtype=np.int64)  # type: ignore[operator]
        order = np.lexsort((np.arange(len(idx)), -published))
        for i, r in zip(idx, _competition_ranks(published, order), strict=True):
            ranks[int(i)] = int(r)
    rows = [
        UnitRow(
            unit=units[i],
            category=str(cats[i]),
            score=rounded[i],
            rank=ranks.get(i),
            growth=_d(u_growth[i]),
            progress=_d(u_progress[i]),
            schedule=_d(u_schedule[i]),
            contribution=_d(u_contribution[i]),
        )
        for i in range(len(units))
    ]
    return Report(rows, growth, progress, contribution, cell)
