"""The quality report of a run: per category, indicator quality, rank fragility, the
decisions that hinge on less than 0.1 point and the noise simulation's rank intervals.
Built from the pure engine (`quality`, `fragility`) on the run's own snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.analysis.loading import CategoryState
from jixiao.scoring.engine.fragility import (
    DecisionRules,
    Hinge,
    RankIntervals,
    UnitFragility,
    fragility,
    hinges,
    rank_intervals,
)
from jixiao.scoring.engine.quality import QualityReport, indicator_quality
from jixiao.scoring.engine.results import EXCELLENT, EXCLUDE
from jixiao.scoring.outcomes import GOOD

DRAWS = 1000
SEED = 14


def decision_rules(rules: Mapping[str, Any]) -> DecisionRules:
    """The engine's view of a category's stored rules (as `scoring.outcomes` applies them)."""
    bands = [(EXCELLENT, Decimal(rules.get("excellent_share") or "0.3"))]
    if rules.get("good_share") is not None:
        bands.append((GOOD, Decimal(rules["good_share"])))
    below = rules.get("fourth_grade_below")
    return DecisionRules(
        bands=tuple(bands),
        bottom_count=int(rules.get("fourth_grade_count") or 0),
        below_total=None if below is None else Decimal(below),
        quota_rounding=rules.get("quota_rounding", "floor"),
        tie_policy=rules.get("tie_policy", EXCLUDE),
        model_count=int(rules.get("model_count", 1)),
        excellent_share=Decimal(rules.get("excellent_share") or "0.3"),
        warning_bottom=int(rules.get("warning_bottom", 2)),
    )


@dataclass(frozen=True)
class CategoryReport:
    state: CategoryState
    quality: QualityReport
    units: list[UnitFragility]
    hinges: list[Hinge]
    intervals: RankIntervals | None

    def interval(self, unit_code: str) -> tuple[int, int] | None:
        if self.intervals is None:
            return None
        row = self.state.result.rows[unit_code]
        return int(self.intervals.low[row]), int(self.intervals.high[row])


def category_report(state: CategoryState, simulate: bool = True) -> CategoryReport:
    units = fragility(state.result, decision_rules(state.rules))
    return CategoryReport(
        state,
        indicator_quality(state.result),
        units,
        hinges(units),
        rank_intervals(state.result, draws=DRAWS, seed=SEED) if simulate else None,
    )


@dataclass(frozen=True)
class RunSummary:
    """What the run page shows before publishing."""

    hinging: dict[str, int]
    flat: int
    categories: int


def run_summary(states: list[CategoryState]) -> RunSummary:
    hinging = {"grade": set(), "award": set(), "warning": set()}  # type: dict[str, set[str]]
    flat = 0
    for state in states:
        report = category_report(state, simulate=False)
        for hinge in report.hinges:
            hinging[hinge.decision].add(hinge.unit_code)
        flat += len(report.quality.flat)
    return RunSummary({k: len(v) for k, v in hinging.items()}, flat, len(states))
