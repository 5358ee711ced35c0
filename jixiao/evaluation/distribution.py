"""Forced distribution (Taixing: no 打和牌): plain functions, no Django.

Among the n units one person rates in a category: at most floor(30% × n) at or above
90% of the scale, at least ceil(20% × n) below 80% of it, and nobody at full marks.
Below `min_units` units only the full-marks rule applies (with one or two units the
shares would forbid any good score). The browser applies the same arithmetic while
the person types (static/evaluation/distribution.js); the server decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

#: Points lost per category broken, on a 100-point scale (scaled with the scale).
PENALTY_PER_CATEGORY = Decimal("0.2")


@dataclass(frozen=True)
class Rule:
    scale: Decimal = Decimal(100)
    high_share: Decimal = Decimal("0.3")
    low_share: Decimal = Decimal("0.2")
    forbid_full: bool = True
    min_units: int = 3

    @property
    def high_threshold(self) -> Decimal:
        return self.scale * Decimal("0.9")

    @property
    def low_threshold(self) -> Decimal:
        return self.scale * Decimal("0.8")

    @property
    def penalty(self) -> Decimal:
        return PENALTY_PER_CATEGORY * self.scale / 100

    def limits(self, n: int) -> tuple[int | None, int | None]:
        """(most allowed at or above the high mark, fewest required below the low one)."""
        if n < self.min_units:
            return None, None
        return math.floor(self.high_share * n), math.ceil(self.low_share * n)


@dataclass
class Verdict:
    n: int
    high: int
    low: int
    full: int
    max_high: int | None
    min_low: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def check(scores: Sequence[Decimal | None], rule: Rule, label: str = "") -> Verdict:
    """Check one person's scores for the units of one category (None: not scored yet)."""
    given = [s for s in scores if s is not None]
    n = len(scores)
    max_high, min_low = rule.limits(n)
    high = sum(1 for s in given if s >= rule.high_threshold)
    low = sum(1 for s in given if s < rule.low_threshold)
    full = sum(1 for s in given if s >= rule.scale)
    verdict = Verdict(n, high, low, full, max_high, min_low)
    prefix = f"{label}：" if label else ""
    if rule.forbid_full and full:
        verdict.problems.append(
            f"{prefix}不得打满分（{_fmt(rule.scale)} 分），现有 {full} 个单位为满分"
        )
    if max_high is not None and high > max_high:
        verdict.problems.append(
            f"{prefix}{_fmt(rule.high_threshold)} 分及以上最多 {max_high} 个（{n} 个单位的 "
            f"{_fmt(rule.high_share * 100)}%），现有 {high} 个，请调低 {high - max_high} 个"
        )
    if min_low is not None and low < min_low:
        verdict.problems.append(
            f"{prefix}{_fmt(rule.low_threshold)} 分以下至少 {min_low} 个（{n} 个单位的 "
            f"{_fmt(rule.low_share * 100)}%），现有 {low} 个，请再调低 {min_low - low} 个"
        )
    return verdict
