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
    # Every statistic is taken over the units a leaf applies to (weights 1), vectorised
    # over the leaves.
    applies = np.ones((len(leaves), n), dtype=bool)
    for position, node in enumerate(leaves):
        if node in masks:
            applies[position] = masks[node]
    weight = applies.astype(np.float64)
    counts = weight.sum(axis=1)
    safe = np.maximum(counts, 1)
    points = np.array([compiled.points4[node] / SCORE_UNIT for node in leaves])
    mean = (scores * weight).sum(axis=1) / safe
    centred = (scores - mean[:, None]) * weight
    std = np.sqrt((centred * centred).sum(axis=1) / safe)
    raw = result.scores[leaves] if leaves else np.zeros((0, n), dtype=np.int64)
    points4 = np.array([compiled.points4[node] for node in leaves], dtype=np.int64)
    full = ((raw >= points4[:, None]) & applies).sum(axis=1) / safe
    missing = (result.missing[leaves] & applies).sum(axis=1) / safe if leaves else full
    lost = ((points[:, None] - scores) * weight).sum(axis=1)
    lost_total = float(lost.sum())
    rest = (totals[None, :] - scores) if leaves else scores
    rest_mean = (rest * weight).sum(axis=1) / safe
    rest_centred = (rest - rest_mean[:, None]) * weight
    covariance = (centred * rest_centred).sum(axis=1)
    scale = np.sqrt((centred * centred).sum(axis=1) * (rest_centred * rest_centred).sum(axis=1))
    whole = applies.all(axis=1)
    quartiles = np.zeros((2, len(leaves)))
    if whole.any() and n:
        quartiles[:, whole] = np.percentile(scores[whole], [75, 25], axis=1)
    for position in np.flatnonzero(~whole & (counts > 0)).tolist():
        quartiles[:, position] = np.percentile(scores[position][applies[position]], [75, 25])
    indicators = []
    for position, node in enumerate(leaves):
        spec = compiled.nodes[node]
        count = int(counts[position])
        discrimination = (
            float(covariance[position] / scale[position])
            if count >= MIN_UNITS and scale[position] > 0
            else None
        )
        indicators.append(
            IndicatorQuality(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                method=spec.method or "",
                points=float(points[position]),
                units=count,
                mean=float(mean[position]),
                full_share=float(full[position]),
                flat=count >= MIN_UNITS and float(full[position]) >= float(flat_threshold),
                std=float(std[position]),
                iqr=float(quartiles[0, position] - quartiles[1, position]),
                discrimination=discrimination,
                missing_rate=float(missing[position]),
                lost_share=float(lost[position]) / lost_total if lost_total else 0.0,
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
