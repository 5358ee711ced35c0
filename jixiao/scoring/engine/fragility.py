"""Rank fragility (排名稳健性), pure: how little it would take to change each unit's rank,
grade, award or warning, and how wide its rank is under noise. Formulas and limits in
docs/analysis.md.

Margins are in published points (hundredths) and move one unit while the others stay:
the unit's outcome at any total x depends only on how many others are above x (A) and
tied at x (T), so it is piecewise constant between the others' totals. The candidates
are therefore each other total (a tie), one cent either side of it, and one cent either
side of a score threshold (第四等次 below a total); the margin is the nearest candidate
whose outcome differs. Everything is vectorised over units × candidates.

The decisions follow `results.assign_grades` / `assign_awards` / `warnings_for` as the
office configures them (`DecisionRules`, built from a run's stored rules); 争先 (rise
against last year) is not modelled here: it moves with every rank change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from .compute import CategoryResult
from .fixed import SCORE_UNIT, IntArray, scaled, unscaled
from .results import DEFAULT_GRADE, EXCLUDE, FOURTH_GRADE, quota

#: A decision "hinges" on less than this many points.
HINGE_POINTS = Decimal("0.1")
#: Leaf methods scored by judgement (定性 / 评议): the noise simulation perturbs these.
QUALITATIVE_METHODS = frozenset({"direct", "grade", "evaluation"})
NONE = -1
DECISIONS = ("rank", "grade", "award", "warning")
DECISION_LABELS = {"rank": "名次", "grade": "等次", "award": "奖项", "warning": "预警"}


@dataclass(frozen=True)
class DecisionRules:
    """What decides grades, awards and warnings of one category (see scoring.outcomes)."""

    bands: tuple[tuple[str, Decimal], ...] = (("优秀", Decimal("0.3")),)
    default_label: str = DEFAULT_GRADE
    bottom_label: str = FOURTH_GRADE
    bottom_count: int = 0
    below_total: Decimal | None = None
    quota_rounding: str = "floor"
    tie_policy: str = EXCLUDE
    model_count: int = 1
    excellent_share: Decimal | None = Decimal("0.3")
    warning_bottom: int = 2


@dataclass(frozen=True)
class UnitFragility:
    unit_code: str
    total: Decimal
    rank: int
    grade: str
    #: decision -> (points to gain, points to lose) that change it; None = no change possible
    margins: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)

    def smallest(self, decision: str) -> Decimal | None:
        values = [m for m in self.margins[decision] if m is not None]
        return min(values) if values else None


@dataclass(frozen=True)
class Hinge:
    unit_code: str
    decision: str
    direction: str  # "up" (a gain changes it) or "down"
    margin: Decimal


def _states(published: IntArray, candidates: IntArray) -> tuple[IntArray, IntArray]:
    """(A, T) for every unit (rows) moved to every candidate total (columns)."""
    ordered = np.sort(published)
    above = len(published) - np.searchsorted(ordered, candidates, side="right")
    tied = np.searchsorted(ordered, candidates, side="right") - np.searchsorted(
        ordered, candidates, side="left"
    )
    own = published[:, None]
    a = above[None, :] - (own > candidates[None, :])
    t = tied[None, :] - (own == candidates[None, :])
    return a, t


def _decisions(
    a: IntArray, t: IntArray, x: IntArray, n: int, rules: DecisionRules
) -> dict[str, IntArray]:
    """Each decision as an integer code per (unit, candidate)."""
    include = rules.tie_policy != EXCLUDE
    bottom_pos = n - a - t  # B + 1: the unit's group's first place from the bottom
    bottom = np.zeros(a.shape, dtype=bool)
    if rules.bottom_count:
        bottom |= bottom_pos <= rules.bottom_count
    if rules.below_total is not None:
        bottom |= x < scaled(rules.below_total, 2)
    grade = np.full(a.shape, len(rules.bands), dtype=np.int64)
    for index in reversed(range(len(rules.bands))):
        q = min(n, quota(n, rules.bands[index][1], rules.quota_rounding))
        fits = (a + 1 <= q) if include else (a + t + 1 <= q)
        grade = np.where(fits, index, grade)
    grade = np.where(bottom, -1, grade)
    barred = (bottom_pos <= rules.warning_bottom) if rules.warning_bottom else np.zeros_like(bottom)
    award = np.zeros(a.shape, dtype=np.int64)
    if rules.excellent_share is not None:
        limit = min(n, quota(n, rules.excellent_share, rules.quota_rounding))
        award = np.where(a + t + 1 <= limit, 2, award)
    award = np.where(a + t + 1 <= rules.model_count, 1, award)
    award = np.where(barred, 0, award)
    warn = rules.warning_bottom and n > rules.warning_bottom
    warning = barred.astype(np.int64) if warn else np.zeros(a.shape, dtype=np.int64)
    return {"rank": a, "grade": grade, "award": award, "warning": warning}


def _grade_label(code: int, rules: DecisionRules) -> str:
    if code < 0:
        return rules.bottom_label
    if code >= len(rules.bands):
        return rules.default_label
    return rules.bands[code][0]


def fragility(result: CategoryResult, rules: DecisionRules) -> list[UnitFragility]:
    """Margins of every unit, in the category's display order."""
    published = np.asarray(result.published, dtype=np.int64)
    n = len(published)
    if n == 0:
        return []
    distinct = np.unique(published)
    parts = [distinct, distinct + 1, distinct - 1]
    if rules.below_total is not None:
        below = scaled(rules.below_total, 2)
        parts.append(np.array([below, below - 1], dtype=np.int64))
    candidates = np.unique(np.concatenate(parts))
    a, t = _states(published, candidates)
    x = np.broadcast_to(candidates[None, :], a.shape)
    moved = _decisions(a, t, x, n, rules)
    ordered = np.sort(published)
    own_a = (n - np.searchsorted(ordered, published, side="right"))[:, None]
    own_t = (np.searchsorted(ordered, published, side="right") - 1)[:, None] - (
        np.searchsorted(ordered, published, side="left")[:, None]
    )
    current = {
        k: v[:, 0] for k, v in _decisions(own_a, own_t, published[:, None], n, rules).items()
    }
    distance = candidates[None, :] - published[:, None]
    margins: dict[str, tuple[IntArray, IntArray]] = {}
    big = np.iinfo(np.int64).max
    for name in DECISIONS:
        differs = moved[name] != current[name][:, None]
        up = np.where(differs & (distance > 0), distance, big).min(axis=1)
        down = np.where(differs & (distance < 0), -distance, big).min(axis=1)
        margins[name] = (up, down)
    grades = current["grade"].tolist()
    result_list = []
    for row in result.order.tolist():
        result_list.append(
            UnitFragility(
                unit_code=result.unit_codes[row],
                total=unscaled(int(published[row]), 2),
                rank=int(result.ranks[row]),
                grade=_grade_label(grades[row], rules),
                margins={
                    name: (_points(margins[name][0][row], big), _points(margins[name][1][row], big))
                    for name in DECISIONS
                },
            )
        )
    return result_list


def _points(value: int, big: int) -> Decimal | None:
    return None if int(value) == big else unscaled(int(value), 2)


def hinges(
    units: Sequence[UnitFragility], limit: Decimal = HINGE_POINTS, decisions: Sequence[str] = ()
) -> list[Hinge]:
    """Decisions (grade, award, warning by default) that a change under `limit` flips."""
    wanted = decisions or ("grade", "award", "warning")
    found = []
    for unit in units:
        for name in wanted:
            up, down = unit.margins[name]
            for direction, margin in (("up", up), ("down", down)):
                if margin is not None and margin < limit:
                    found.append(Hinge(unit.unit_code, name, direction, margin))
    found.sort(key=lambda h: (h.margin, h.unit_code, h.decision))
    return found


# Noise simulation ------------------------------------------------------------------------


@dataclass(frozen=True)
class RankIntervals:
    """Per unit row of the result: rank at the 5th and 95th percentile of the draws."""

    low: IntArray
    high: IntArray
    draws: int
    seed: int


def rank_intervals(
    result: CategoryResult,
    draws: int = 1000,
    seed: int = 14,
    amplitude: float = 1.0,
    bootstrap: bool = True,
    noisy_methods: frozenset[str] = QUALITATIVE_METHODS,
) -> RankIntervals:
    """Each unit's rank interval when qualitative and evaluation leaf scores move by a
    uniform ±`amplitude` points (kept within 0 and the leaf's points) and, with
    `bootstrap`, the leaves are resampled with replacement; deterministic for a seed.
    The noise of each draw is summed over the leaves analytically (see
    `clipped_uniform_moments` and docs/analysis.md)."""
    compiled = result.compiled
    leaves = list(compiled.scored_leaves)
    n = len(result.unit_codes)
    rng = np.random.default_rng(seed)
    scores = result.scores[leaves].astype(np.float64) / SCORE_UNIT
    rest = result.totals4.astype(np.float64) / SCORE_UNIT - scores.sum(axis=0)
    count = len(leaves)
    if bootstrap and count:
        # Resampling L leaves with replacement: how often each leaf is drawn, per draw.
        picks = rng.integers(0, count, size=(draws, count)) + np.arange(draws)[:, None] * count
        drawn = np.bincount(picks.ravel(), minlength=draws * count).reshape(draws, count)
        weights = drawn.astype(np.float64)
    else:
        weights = np.ones((draws, count))
    totals = weights @ scores + rest[None, :]
    noisy = [
        p
        for p, node in enumerate(leaves)
        if compiled.nodes[node].kind == "evaluation" or compiled.nodes[node].method in noisy_methods
    ]
    if noisy and n:
        base = scores[noisy]
        points = np.array([compiled.points4[leaves[p]] / SCORE_UNIT for p in noisy])
        # The noise is kept within 0 and the leaf's points: bounds per (leaf, unit); a
        # leaf that does not apply to a unit stays 0 (both bounds 0).
        high = points[:, None] - base
        low = -base
        for i, p in enumerate(noisy):
            mask = result.masks.get(leaves[p])
            if mask is not None:
                high[i] = np.where(mask, high[i], 0)
                low[i] = np.where(mask, low[i], 0)
        mean, variance = clipped_uniform_moments(low, high, amplitude)
        w = weights[:, noisy]
        # Σ over the noisy leaves of independent clipped uniforms, drawn as a normal with
        # the exact mean and variance of that sum (tens of leaves: the normal is close,
        # and it needs one draw per unit instead of one per leaf and unit).
        spread = np.sqrt(np.maximum((w * w) @ variance, 0))
        totals += w @ mean + spread * rng.standard_normal((draws, n))
    published = np.rint(totals * 100).astype(np.int64)
    ranks = competition_ranks_2d(published)
    low, high = np.quantile(ranks, [0.05, 0.95], axis=0, method="inverted_cdf")
    return RankIntervals(low.astype(np.int64), high.astype(np.int64), draws, seed)


def clipped_uniform_moments(
    low: np.ndarray, high: np.ndarray, amplitude: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of clip(U(−a, a), low, high) elementwise (low ≤ 0 ≤ high)."""
    a = float(amplitude)
    lo = np.maximum(low, -a)
    hi = np.minimum(high, a)
    below = (lo + a) / (2 * a)  # mass clipped to lo
    above = (a - hi) / (2 * a)  # mass clipped to hi
    mean = lo * below + hi * above + (hi * hi - lo * lo) / (4 * a)
    square = lo * lo * below + hi * hi * above + (hi**3 - lo**3) / (6 * a)
    return mean, square - mean * mean


def competition_ranks_2d(published: IntArray) -> IntArray:
    """Competition ranks (1, 2, 2, 4) of every row, higher first: 1 + how many in the
    row are higher, counted for all rows in one sort (rows offset apart)."""
    draws, n = published.shape
    if n == 0 or draws == 0:
        return np.empty((draws, n), dtype=np.int64)
    low = int(published.min())
    span = int(published.max()) - low + 1
    keyed = (published - low) + np.arange(draws, dtype=np.int64)[:, None] * span
    ordered = np.sort(keyed, axis=None)
    higher = (np.arange(1, draws + 1, dtype=np.int64)[:, None] * n) - np.searchsorted(
        ordered, keyed, side="right"
    )
    return higher + 1


__all__ = [
    "DECISIONS",
    "DECISION_LABELS",
    "HINGE_POINTS",
    "QUALITATIVE_METHODS",
    "DecisionRules",
    "Hinge",
    "RankIntervals",
    "UnitFragility",
    "clipped_uniform_moments",
    "competition_ranks_2d",
    "fragility",
    "hinges",
    "rank_intervals",
]
