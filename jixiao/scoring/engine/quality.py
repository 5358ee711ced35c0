"""Indicator quality (指标质量), pure: how well each scored leaf of one category separates
the units. Reads a `CategoryResult` (leaf scores in 10**-4 points, missing flags,
applicability masks); no Django. Formulas in docs/analysis.md.

* full-mark share: units at the leaf's full points ÷ units it applies to; at
  `flat_threshold` or above (and at least `MIN_UNITS` units) the leaf is 打和牌
  (everybody gets full marks: it decides nothing);
* spread: population standard deviation and interquartile range, in points;
* discrimination: Pearson correlation of the leaf with the rest of the total (total −
  leaf) over the units it applies to; None when either side is constant;
* redundancy: pairs of leaves correlated at `redundancy_threshold` or more (|r|);
* missing rate: units lacking data (scored 0) ÷ units it applies to;
* share of points lost: Σ (points − score) of the leaf ÷ Σ of every leaf.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .compute import CategoryResult
from .fixed import SCORE_UNIT

#: A leaf with at least this share of its units at full marks is flagged 打和牌. Taixing
#: forbids indicators on which "everybody" scores full; 80% leaves room for the few units
#: that lose a point by accident while still catching an indicator that separates no one.
FLAT_THRESHOLD = Decimal("0.8")
#: Two leaves this correlated (|r|) measure the same thing twice.
REDUNDANCY_THRESHOLD = Decimal("0.9")
#: Fewer units than this (a unit's own 个性指标) say nothing about spread: never flagged.
MIN_UNITS = 3


@dataclass(frozen=True)
class IndicatorQuality:
    code: str
    name: str
    kind: str
    method: str
    points: float
    units: int
    mean: float
    full_share: float
    flat: bool
    std: float
    iqr: float
    discrimination: float | None
    missing_rate: float
    lost_share: float


@dataclass(frozen=True)
class RedundantPair:
    first: str
    second: str
    correlation: float


@dataclass(frozen=True)
class QualityReport:
    category_code: str
    indicators: tuple[IndicatorQuality, ...]
    pairs: tuple[RedundantPair, ...]
    flat_threshold: float
    redundancy_threshold: float

    @property
    def flat(self) -> tuple[IndicatorQuality, ...]:
        return tuple(i for i in self.indicators if i.flat)

    @property
    def weak(self) -> tuple[IndicatorQuality, ...]:
        """打和牌, or no positive discrimination (the leaf does not agree with the rest)."""
        return tuple(
            i
            for i in self.indicators
            if i.flat or (i.discrimination is not None and i.discrimination <= 0)
        )


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    if x.size < 3:
        return None
    dx = x - x.mean()
    dy = y - y.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if denominator == 0:
        return None
    return float((dx * dy).sum()) / denominator


def indicator_quality(
    result: CategoryResult,
    flat_threshold: Decimal = FLAT_THRESHOLD,
    redundancy_threshold: Decimal = REDUNDANCY_THRESHOLD,
) -> QualityReport:
    compiled = result.compiled
    leaves = list(compiled.scored_leaves)
    n = len(result.unit_codes)
    masks = result.masks
    totals = result.totals4.astype(np.float64) / SCORE_UNIT
    scores = result.scores[leaves].astype(np.float64) / SCORE_UNIT if leaves else np.zeros((0, n))
    lost = []
    rows = []
    for position, node in enumerate(leaves):
        applies = masks.get(node)
        where = np.ones(n, dtype=bool) if applies is None else np.asarray(applies)
        column = scores[position][where]
        points = compiled.points4[node] / SCORE_UNIT
        count = int(where.sum())
        lost.append(float((points - column).sum()) if count else 0.0)
        rows.append((node, where, column, points, count))
    lost_total = sum(lost)
    indicators = []
    for (node, where, column, points, count), lost_here in zip(rows, lost, strict=True):
        spec = compiled.nodes[node]
        full = int((result.scores[node][where] >= compiled.points4[node]).sum()) if count else 0
        full_share = full / count if count else 0.0
        q75, q25 = np.percentile(column, [75, 25]) if count else (0.0, 0.0)
        indicators.append(
            IndicatorQuality(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                method=spec.method or "",
                points=points,
                units=count,
                mean=float(column.mean()) if count else 0.0,
                full_share=full_share,
                flat=count >= MIN_UNITS and full_share >= float(flat_threshold),
                std=float(column.std()) if count else 0.0,
                iqr=float(q75 - q25),
                discrimination=_correlation(column, totals[where] - column),
                missing_rate=float(result.missing[node][where].mean()) if count else 0.0,
                lost_share=lost_here / lost_total if lost_total else 0.0,
            )
        )
    return QualityReport(
        compiled.category_code,
        tuple(indicators),
        _redundant_pairs(result, leaves, scores, float(redundancy_threshold)),
        float(flat_threshold),
        float(redundancy_threshold),
    )


def _redundant_pairs(
    result: CategoryResult, leaves: list[int], scores: np.ndarray, threshold: float
) -> tuple[RedundantPair, ...]:
    """Pairs over every unit of the category (a leaf that does not apply counts 0)."""
    if len(leaves) < 2 or scores.shape[1] < 3:
        return ()
    centred = scores - scores.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred * centred).sum(axis=1))
    varying = norms > 0
    if varying.sum() < 2:
        return ()
    index = np.flatnonzero(varying)
    unit = centred[index] / norms[index, None]
    matrix = unit @ unit.T
    first, second = np.nonzero(np.triu(np.abs(matrix) >= threshold - 1e-12, k=1))
    nodes = result.compiled.nodes
    pairs = [
        RedundantPair(
            nodes[leaves[index[a]]].code,
            nodes[leaves[index[b]]].code,
            float(matrix[a, b]),
        )
        for a, b in zip(first.tolist(), second.tolist(), strict=True)
    ]
    pairs.sort(key=lambda p: (-abs(p.correlation), p.first, p.second))
    return tuple(pairs)


__all__ = [
    "FLAT_THRESHOLD",
    "REDUNDANCY_THRESHOLD",
    "IndicatorQuality",
    "QualityReport",
    "RedundantPair",
    "indicator_quality",
]
