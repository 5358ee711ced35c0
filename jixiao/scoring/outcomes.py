"""Result application per category (结果运用): grades, awards and warnings from the
category's `CategoryRules` (or the defaults: 优秀 = top 30%, one 标兵, one 争先, warnings
for the bottom two), through the engine's pure rules; and award amounts (考核系数) from
the rules stored with a run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.scoring.engine import LastYear, UnitScore
from jixiao.scoring.engine.results import (
    DEFAULT_GRADE,
    EXCELLENT,
    EXCLUDE,
    FOURTH_GRADE,
    WARNING_BOTTOM,
    AwardRules,
    BottomBand,
    CoefficientRules,
    GradeBand,
    GradeRules,
    assign_awards,
    assign_grades,
    award_amounts,
    coefficients,
    warnings_for,
)


@dataclass
class Outcome:
    grade: str = ""
    awards: list[list[str]] = field(default_factory=list)
    warnings: list[list[str]] = field(default_factory=list)


GOOD = "良好"

#: Grade -> rules field of its coefficient (考核系数, YQ).
COEFFICIENT_FIELDS = {
    EXCELLENT: "coefficient_excellent",
    GOOD: "coefficient_good",
    DEFAULT_GRADE: "coefficient_pass",
    FOURTH_GRADE: "coefficient_fourth",
}
DEFAULT_COEFFICIENTS = {EXCELLENT: "1.2", GOOD: "1.1", DEFAULT_GRADE: "1", FOURTH_GRADE: "0.8"}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value.normalize())


def rules_json(rules: Any | None) -> dict[str, Any]:
    """The rules of a category as stored with a run (defaults where none are set)."""
    if rules is None:
        return {
            "excellent_share": "0.3",
            "good_share": None,
            "fourth_grade_count": 0,
            "fourth_grade_below": None,
            "model_count": 1,
            "advance_count": 1,
            "advance_min_rise": 1,
            "warning_bottom": 2,
            "warn_consecutive": True,
            "award_base": None,
            "category_factor": "1",
            "coefficients": dict(DEFAULT_COEFFICIENTS),
            "last_place_zero": False,
        }
    return {
        "excellent_share": str(rules.excellent_share.normalize()),
        "good_share": _text(rules.good_share),
        "fourth_grade_count": rules.fourth_grade_count,
        "fourth_grade_below": None
        if rules.fourth_grade_below is None
        else str(rules.fourth_grade_below),
        "model_count": rules.model_count,
        "advance_count": rules.advance_count,
        "advance_min_rise": rules.advance_min_rise,
        "warning_bottom": rules.warning_bottom,
        "warn_consecutive": rules.warn_consecutive,
        "award_base": None if rules.award_base is None else str(rules.award_base),
        "category_factor": _text(rules.category_factor),
        "coefficients": {
            grade: _text(getattr(rules, name)) for grade, name in COEFFICIENT_FIELDS.items()
        },
        "last_place_zero": rules.last_place_zero,
    }


def grade_rules(rules: Mapping[str, Any]) -> GradeRules:
    bottom = None
    below = rules.get("fourth_grade_below")
    if rules.get("fourth_grade_count") or below is not None:
        bottom = BottomBand(
            bottom_count=rules.get("fourth_grade_count") or None,
            below_total=None if below is None else Decimal(below),
        )
    bands = [GradeBand(EXCELLENT, top_share=Decimal(rules["excellent_share"]))]
    if rules.get("good_share") is not None:
        bands.append(GradeBand(GOOD, top_share=Decimal(rules["good_share"])))
    # Quota rounding and tie policy are absent from stored rules (defaults); what-if
    # scenarios (jixiao.analysis) may set them.
    return GradeRules(
        bands=tuple(bands),
        bottom=bottom,
        quota_rounding=rules.get("quota_rounding", "floor"),
        tie_policy=rules.get("tie_policy", EXCLUDE),
    )


def was_warned(stored_warnings: Iterable[Sequence[str]] | None) -> bool:
    """Whether a stored result (`UnitResult.warnings`: [kind, message] pairs) carries the
    bottom warning (后N位)."""
    return any(w and w[0] == WARNING_BOTTOM for w in stored_warnings or ())


def outcomes_for(
    units: Sequence[UnitScore], last_year: Mapping[str, LastYear], rules: Mapping[str, Any]
) -> dict[str, Outcome]:
    grades = assign_grades(units, grade_rules(rules))
    warning_bottom = int(rules.get("warning_bottom", 2))
    awards = assign_awards(
        units,
        last_year,
        AwardRules(
            model_count=int(rules.get("model_count", 1)),
            excellent_share=Decimal(rules["excellent_share"]),
            advance_count=int(rules.get("advance_count", 1)),
            min_rise=int(rules.get("advance_min_rise", 1)),
            ineligible_bottom=warning_bottom,
            quota_rounding=rules.get("quota_rounding", "floor"),
        ),
    )
    result = {u.unit_code: Outcome(grade=grades[u.unit_code]) for u in units}
    for award in awards:
        result[award.unit_code].awards.append([award.award, award.reason])
    consecutive = bool(rules.get("warn_consecutive", True))
    for warning in warnings_for(units, last_year, warning_bottom, consecutive):
        result[warning.unit_code].warnings.append([warning.kind, warning.message])
    return result


# Award amounts 考核系数 (YQ) ---------------------------------------------------------


@dataclass(frozen=True)
class Payout:
    coefficient: Decimal
    amount: Decimal


def payouts(
    rules: Mapping[str, Any], rows: Iterable[tuple[str, str, int]], category_code: str = ""
) -> dict[str, Payout]:
    """Coefficient and award amount of each unit of one category from its stored rules
    and its (unit code, grade, rank) rows: amount = base × grade coefficient × category
    factor, ROUND_HALF_UP to the cent; 0 for the last place with 末位零绩效. Empty when
    the rules set no award base (older runs, or none configured)."""
    base = rules.get("award_base")
    if base is None:
        return {}
    rows = list(rows)
    stored = rules.get("coefficients") or DEFAULT_COEFFICIENTS
    by_grade = {grade: Decimal(value) for grade, value in stored.items() if value is not None}
    units = [
        UnitScore(code, category_code, Decimal(0), Decimal(0), rank, i, len(rows), ())
        for i, (code, _grade, rank) in enumerate(rows, start=1)
    ]
    coefficient_rules = CoefficientRules(
        by_grade=by_grade,
        category_factor={category_code: Decimal(rules.get("category_factor") or 1)},
        last_place_zero=bool(rules.get("last_place_zero")),
    )
    grades = {code: grade for code, grade, _rank in rows}
    values = coefficients(units, grades, coefficient_rules)
    amounts = award_amounts(values, Decimal(base))
    return {code: Payout(values[code], amounts[code]) for code in values}
