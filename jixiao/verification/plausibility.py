"""Is an entry plausible? Pure statistics over plain numbers (no ORM).

An entry is compared on its indicator's *normalised input* — the completion ratio for
completion-type methods (实际/目标), the growth rate for year-on-year growth, the raw
number otherwise — with:

- hard rules: a negative number where the indicator counts things; a completion ratio
  above the ceiling (default 300%);
- its own history: the same indicator last year (or, without one, the previous period)
  — a change beyond the jump factor (default ×3 up or ÷3 down);
- its peers (same indicator, same period, same unit category): a robust z-score
  |x − median| / (1.4826 × MAD) above k (default 5), with at least `min_peers` peers,
  and x at least `min_gap` (20%) away from the median.

Each finding is one sentence in plain Chinese, e.g. "较上年增长 480%，同类单位中位数 12%".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

RATIO_METHODS = frozenset({"completion", "schedule_progress"})
GROWTH_METHODS = frozenset({"yoy_growth"})
PERCENT_METHODS = RATIO_METHODS | GROWTH_METHODS
MAD_SCALE = 1.4826  # makes the MAD comparable to a standard deviation for normal data


@dataclass(frozen=True)
class Thresholds:
    ceiling: float = 3.0  # completion ratio above this is implausible (300%)
    jump_factor: float = 3.0  # more than ×3 or less than ÷3 of last year / last period
    mad_k: float = 5.0  # robust z-score beyond which an entry stands out from its peers
    min_peers: int = 5
    # Peers that agree closely (a tight MAD) must not flag a small difference: an outlier
    # also differs from the median by more than this share of it.
    min_gap: float = 0.2
    allow_negative: bool = False


DEFAULTS = Thresholds()


def normalise(
    method: str, value: Decimal | float | None, reference: Decimal | float | None
) -> float | None:
    """The number an entry is compared on (None when it cannot be computed)."""
    if value is None:
        return None
    if method in PERCENT_METHODS:
        if reference is None or float(reference) == 0:
            return None
        ratio = float(value) / float(reference)
        return ratio - 1 if method in GROWTH_METHODS else ratio
    return float(value)


def _fmt(method: str, x: float) -> str:
    if method in PERCENT_METHODS:
        return f"{x * 100:.0f}%"
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def assess(
    method: str,
    value: Decimal | float | None,
    reference: Decimal | float | None,
    *,
    previous: tuple[str, float] | None = None,
    peers: Sequence[float] = (),
    thresholds: Thresholds = DEFAULTS,
    peer_stats: tuple[float, float] | None = None,
) -> list[str]:
    """Reasons (Chinese) why this entry looks implausible; [] when it does not.

    `previous` is (label, normalised value) of the unit's own earlier figure, label
    "上年" or "上期"; `peers` the normalised values of the category's other units, or
    `peer_stats` their (median, 1.4826 × MAD) already computed (big batches)."""
    t = thresholds
    reasons: list[str] = []
    if value is not None and float(value) < 0 and not t.allow_negative:
        reasons.append(f"数值为负数（{_fmt('', float(value))}），该指标不应为负")
    x = normalise(method, value, reference)
    if x is None:
        return reasons
    if method in RATIO_METHODS and x > t.ceiling:
        reasons.append(f"完成率 {_pct(x)}，超过上限 {_pct(t.ceiling)}")
    median: float | None = None
    spread = 0.0
    if peer_stats is not None:
        median, spread = peer_stats
    elif len(peers) >= t.min_peers:
        median, spread = robust(peers)
    peer_note = f"，同类单位中位数 {_fmt(method, median)}" if median is not None else ""
    if previous is not None:
        label, before = previous
        # Growth rates can be negative: compare them on the growth factor (1 + rate).
        a, b = (x + 1, before + 1) if method in GROWTH_METHODS else (x, before)
        if a > 0 and b > 0:
            factor = a / b
            if factor > t.jump_factor:
                reasons.append(f"较{label}增长 {_pct(factor - 1)}{peer_note}")
            elif factor < 1 / t.jump_factor:
                reasons.append(f"较{label}下降 {_pct(1 - factor)}{peer_note}")
    if median is not None and spread > 0:
        z = abs(x - median) / spread
        if z > t.mad_k and abs(x - median) > t.min_gap * abs(median):
            reasons.append(
                f"{_fmt(method, x)} 明显偏离同类单位（中位数 {_fmt(method, median)}，"
                f"稳健 Z 值 {z:.1f}，阈值 {t.mad_k:g}）"
            )
    return reasons


def robust(values: Sequence[float]) -> tuple[float, float]:
    """(median, 1.4826 × MAD) of some values."""
    array = np.asarray(values, dtype=float)
    median = float(np.median(array))
    return median, MAD_SCALE * float(np.median(np.abs(array - median)))


def flag_mask(
    x: npt.NDArray[np.float64],
    previous: npt.NDArray[np.float64],
    group: npt.NDArray[np.int64],
    ratio: npt.NDArray[np.bool_],
    raw: npt.NDArray[np.float64],
    thresholds: Thresholds = DEFAULTS,
) -> npt.NDArray[np.bool_]:
    """The same checks as `assess`, vectorised over a whole period or year (no reasons:
    the flagged few are then assessed one by one for their sentences).

    `x` normalised inputs (NaN when missing), `previous` the unit's earlier normalised
    figure (NaN when none), `group` the peer group (indicator × category), `ratio`
    whether the ceiling applies, `raw` the raw value (for the sign)."""
    t = thresholds
    flagged = (raw < 0) if not t.allow_negative else np.zeros(len(x), bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        flagged |= ratio & (x > t.ceiling)
        factor = x / previous
        ok = (x > 0) & (previous > 0)
        flagged |= ok & ((factor > t.jump_factor) | (factor < 1 / t.jump_factor))
    # Peer medians and MADs per group: one sort by (group, x), then positional medians.
    valid = ~np.isnan(x)
    idx = np.flatnonzero(valid)
    order = idx[np.lexsort((x[idx], group[idx]))]
    g, v = group[order], x[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, len(g)])
    median = _segment_median(v, starts, sizes)
    deviation = np.abs(v - np.repeat(median, sizes))
    by_dev = np.lexsort((deviation, np.repeat(np.arange(len(starts)), sizes)))
    mad = MAD_SCALE * _segment_median(deviation[by_dev], starts, sizes)
    enough = np.repeat((sizes > t.min_peers) & (mad > 0), sizes)
    with np.errstate(invalid="ignore", divide="ignore"):
        outlier = (
            enough
            & (deviation / np.repeat(mad, sizes) > t.mad_k)
            & (deviation > t.min_gap * np.abs(np.repeat(median, sizes)))
        )
    flagged[order[outlier]] = True
    return flagged


def _segment_median(
    values: npt.NDArray[np.float64], starts: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    lower = values[starts + (sizes - 1) // 2]
    upper = values[starts + sizes // 2]
    return (lower + upper) / 2
