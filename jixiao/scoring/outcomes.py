"""Result application per category (结果运用): grades, awards and warnings from the
category's `CategoryRules` (or the defaults: 优秀 = top 30%, one 标兵, one 争先, warnings
for the bottom two), through the engine's pure rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.scoring.engine import LastYear, UnitScore
from jixiao.scoring.engine.results import (
    EXCELLENT,
    AwardRules,
    BottomBand,
    GradeBand,
    GradeRules,
    assign_awards,
    assign_grades,
    warnings_for,
)


@dataclass
class Outcome:
    grade: str = ""
    awards: list[list[str]] = field(default_factory=list)
    warnings: list[list[str]] = field(default_factory=list)


def rules_json(rules: Any | None) -> dict[str, Any]:
    """The rules of a category as stored with a run (defaults where none are set)."""
    if rules is None:
        return {
            "excellent_share": "0.3",
            "fourth_grade_count": 0,
            "fourth_grade_below": None,
            "model_count": 1,
            "advance_count": 1,
            "warning_bottom": 2,
        }
    return {
        "excellent_share": str(rules.excellent_share.normalize()),
        "fourth_grade_count": rules.fourth_grade_count,
        "fourth_grade_below": None
        if rules.fourth_grade_below is None
        else str(rules.fourth_grade_below),
        "model_count": rules.model_count,
        "advance_count": rules.advance_count,
        "warning_bottom": rules.warning_bottom,
    }


def outcomes_for(
    units: Sequence[UnitScore], last_year: Mapping[str, LastYear], rules: Mapping[str, Any]
) -> dict[str, Outcome]:
    bottom = None
    below = rules.get("fourth_grade_below")
    if rules.get("fourth_grade_count") or below is not None:
        bottom = BottomBand(
            bottom_count=rules.get("fourth_grade_count") or None,
            below_total=None if below is None else Decimal(below),
        )
    grade_rules = GradeRules(
        bands=(GradeBand(EXCELLENT, top_share=Decimal(rules["excellent_share"])),), bottom=bottom
    )
    grades = assign_grades(units, grade_rules)
    warning_bottom = int(rules.get("warning_bottom", 2))
    awards = assign_awards(
        units,
        last_year,
        AwardRules(
            model_count=int(rules.get("model_count", 1)),
            excellent_share=Decimal(rules["excellent_share"]),
            advance_count=int(rules.get("advance_count", 1)),
            ineligible_bottom=warning_bottom,
        ),
    )
    result = {u.unit_code: Outcome(grade=grades[u.unit_code]) for u in units}
    for award in awards:
        result[award.unit_code].awards.append([award.award, award.reason])
    if warning_bottom and len(units) > warning_bottom:
        for warning in warnings_for(units, last_year, bottom_count=warning_bottom):
            result[warning.unit_code].warnings.append([warning.kind, warning.message])
    return result
