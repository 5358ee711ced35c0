"""Traffic lights and expected progress: plain functions over plain data (no Django).

Expected progress by the end of month m (a share of the annual target, 0..1):
  linear     m / 12
  milestones milestones[m-1] / annual   (the approved monthly plan)

A target's lag is (expected share − actual share) × 100, in percentage points; a node's
is the number of days past its due date (negative: days left) while it is not done.
Rules are tried in order and the first whose threshold the lag reaches (lag ≥ threshold)
gives the colour; no match is green. docs/monitoring.md has the worked boundaries.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

GREEN, YELLOW, RED = "green", "yellow", "red"
HUNDRED = Decimal(100)
Q4 = Decimal("0.0001")

# Named progress profiles: cumulative share of the year's target at the end of each month.
PROFILES: dict[str, tuple[str, ...]] = {
    # Slow first quarter (Spring Festival), catching up in the autumn.
    "back_loaded": (
        "0.04",
        "0.08",
        "0.15",
        "0.23",
        "0.31",
        "0.40",
        "0.49",
        "0.58",
        "0.68",
        "0.78",
        "0.89",
        "1",
    ),
    # 时间过半、任务过半 by quarter: the quarter's share reached in its last month.
    "quarterly": (
        "0",
        "0",
        "0.25",
        "0.25",
        "0.25",
        "0.5",
        "0.5",
        "0.5",
        "0.75",
        "0.75",
        "0.75",
        "1",
    ),
}


@dataclass(frozen=True)
class Rule:
    color: str
    threshold: Decimal


# What a year without office rules uses (docs/monitoring.md).
DEFAULT_TARGET_RULES = (Rule(RED, Decimal(20)), Rule(YELLOW, Decimal(5)))
DEFAULT_NODE_RULES = (Rule(RED, Decimal(1)), Rule(YELLOW, Decimal(-7)))


def _q4(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_UP)


def even_milestones(annual: Decimal) -> list[Decimal]:
    return [_q4(annual * m / 12) for m in range(1, 13)]


def profile_milestones(annual: Decimal, profile: str) -> list[Decimal]:
    shares = PROFILES[profile]
    return [_q4(annual * Decimal(s)) for s in shares]


def typed_milestones(annual: Decimal, typed: Sequence[Decimal | None]) -> list[Decimal]:
    """12 monthly (or 4 quarterly, held flat inside each quarter) cumulative values;
    ValueError (Chinese) unless they never go down and end at the annual target."""
    values = list(typed)
    if len(values) == 4:
        # A quarter's value is due at its last month; the months before it expect what
        # the previous quarter reached.
        quarters = [Decimal(0), *values]
        values = [quarters[(m + 1) // 3] if m % 3 != 2 else values[m // 3] for m in range(12)]
    if len(values) != 12 or any(v is None for v in values):
        raise ValueError("请填写 12 个月（或 4 个季度）的累计目标。")
    result = [_q4(v) for v in values if v is not None]
    if any(b < a for a, b in itertools.pairwise(result)):
        raise ValueError("累计目标不能逐月减少。")
    if result[-1] != _q4(annual):
        raise ValueError("12 月的累计目标必须等于年度目标。")
    return result


def expected_share(month: int, annual: Decimal, milestones: Sequence[Decimal] | None) -> Decimal:
    """The share of the annual target expected by the end of `month` (1..12)."""
    if not 1 <= month <= 12:
        raise ValueError("月份应在 1 到 12 之间。")
    if milestones and annual != 0:
        return milestones[month - 1] / annual
    return Decimal(month) / 12


def actual_share(value: Decimal | None, annual: Decimal) -> Decimal:
    if value is None or annual == 0:
        return Decimal(0)
    return value / annual


def target_lag(value: Decimal | None, annual: Decimal, expected: Decimal) -> Decimal:
    """Percentage points behind schedule, rounded to 2 decimals (negative: ahead)."""
    lag = (expected - actual_share(value, annual)) * HUNDRED
    return lag.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def node_lag(due_on: date, done_on: date | None, today: date) -> Decimal | None:
    """Days past due (negative: days left) of a node not yet done; None once done."""
    if done_on is not None:
        return None
    return Decimal((today - due_on).days)


def color(lag: Decimal | None, rules: Sequence[Rule]) -> str:
    """The colour of the first rule whose threshold `lag` reaches; green otherwise
    (and for a node already done)."""
    if lag is None:
        return GREEN
    for rule in rules:
        if lag >= rule.threshold:
            return rule.color
    return GREEN
