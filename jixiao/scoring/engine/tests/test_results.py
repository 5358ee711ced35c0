"""Result application: grades, awards, warnings, coefficients and statistics."""

from __future__ import annotations

from jixiao.scoring.engine import LastYear, LeafInput
from jixiao.scoring.engine.compute import UnitScore
from jixiao.scoring.engine.results import (
    AwardRules,
    BottomBand,
    CoefficientRules,
    GradeBand,
    GradeRules,
    assign_awards,
    assign_grades,
    award_amounts,
    coefficients,
    new_top_entrants,
    quota,
    select_bottom,
    share_at_least,
    warnings_for,
)
from jixiao.scoring.engine.tests.helpers import D, run, single_leaf_tree, units


def _units(scores: dict[str, str]) -> tuple[UnitScore, ...]:
    tree = single_leaf_tree("direct", 100)
    inputs = [LeafInput(u, "L", {"score": s}) for u, s in scores.items()]
    return run(tree, units(*scores), inputs)[1].units


SCORES = {f"U{i}": str(95 - 3 * i) for i in range(10)}  # 95, 92, ..., 68


def test_quota_rounds_down_by_default() -> None:
    assert [quota(n, D("0.3")) for n in (5, 7, 9, 10)] == [1, 2, 2, 3]
    assert [quota(n, D("0.3"), "half_up") for n in (5, 7, 9, 10)] == [2, 2, 3, 3]


def test_bands_stack_from_the_top_and_the_fourth_grade_from_the_bottom() -> None:
    rules = GradeRules(
        bands=(GradeBand("优秀", top_share=D("0.3")), GradeBand("良好", top_share=D("0.8"))),
        default_label="一般",
        bottom=BottomBand(bottom_count=1, below_total=D(72)),
    )
    grades = assign_grades(_units(SCORES), rules)
    assert [grades[f"U{i}"] for i in range(10)] == [
        "优秀",
        "优秀",
        "优秀",
        "良好",
        "良好",
        "良好",
        "良好",
        "良好",
        "第四等次",
        "第四等次",
    ]


def test_a_band_can_also_require_a_minimum_total() -> None:
    rules = GradeRules(bands=(GradeBand("优秀", top_share=D("0.3"), min_total=D(93)),))
    grades = assign_grades(_units(SCORES), rules)
    assert sorted(u for u, g in grades.items() if g == "优秀") == ["U0"]


def test_bottom_two_includes_a_tie_at_the_boundary() -> None:
    ranked = _units({"A": "90", "B": "80", "C": "80", "D": "70"})
    assert select_bottom(ranked, 2) == ["B", "C", "D"]
    assert select_bottom(ranked, 2, "exclude") == ["D"]


def test_zhangjiagang_awards_model_excellent_and_most_improved() -> None:
    ranked = _units(SCORES)
    last = {f"U{i}": LastYear(f"U{i}", rank=i + 1) for i in range(10)}
    last["U5"] = LastYear("U5", rank=10)  # up 4 places
    last["U6"] = LastYear("U6", rank=9)  # up 2 places
    awards = {(a.unit_code, a.award) for a in assign_awards(ranked, last)}
    assert awards == {("U0", "标兵"), ("U1", "优秀"), ("U2", "优秀"), ("U5", "争先")}


def test_the_bottom_two_cannot_be_awarded_even_for_a_rise() -> None:
    ranked = _units(SCORES)
    last = {"U9": LastYear("U9", rank=30)}
    assert all(a.unit_code != "U9" for a in assign_awards(ranked, last))


def test_bottom_two_are_warned_and_twice_running_escalates() -> None:
    ranked = _units(SCORES)
    last = {
        "U8": LastYear("U8", rank=10, units_in_category=10, warned=True),
        "U9": LastYear("U9", rank=3, units_in_category=10),
    }
    warnings = [(w.unit_code, w.kind) for w in warnings_for(ranked, last)]
    assert warnings == [
        ("U8", "bottom_two"),
        ("U8", "bottom_two_consecutive"),
        ("U9", "bottom_two"),
    ]


def test_yangquan_coefficients_scale_an_award_amount() -> None:
    ranked = _units(SCORES)
    grades = assign_grades(ranked)
    rules = CoefficientRules(
        by_grade={"优秀": D("1.2"), "合格": D("1.0")},
        category_factor={"cat": D("1.1")},
        last_place_zero=True,
    )
    coefficient = coefficients(ranked, grades, rules)
    assert coefficient["U0"] == D("1.32")
    assert coefficient["U5"] == D("1.1")
    assert coefficient["U9"] == D(0)  # 末位零绩效
    amounts = award_amounts(coefficient, D("12345.67"))
    assert amounts["U0"] == D("16296.28")
    assert amounts["U9"] == D("0.00")


def test_liwan_statistics_share_above_ninety_and_new_top_ten() -> None:
    ranked = _units({f"U{i:02d}": str(99 - i) for i in range(15)})
    stat = share_at_least(ranked, D(100))
    assert (stat.count, stat.total, stat.share) == (10, 15, D("0.6667"))
    last = {f"U{i:02d}": LastYear(f"U{i:02d}", rank=15 - i) for i in range(15)}
    assert new_top_entrants(ranked, last) == ["U00", "U01", "U02", "U03", "U04"]


def test_two_years_running_follows_last_years_warning_not_its_rank() -> None:
    # Bottom 3 last year: 3rd of 5 was warned then; last this year, it is warned twice.
    ranked = _units({"A": "90", "B": "80", "C": "70", "D": "60", "E": "50"})
    last = {"E": LastYear("E", rank=3, units_in_category=5, warned=True)}
    kinds = [(w.unit_code, w.kind) for w in warnings_for(ranked, last, bottom_count=3)]
    assert ("E", "bottom_two_consecutive") in kinds
    # Bottom 1 last year: 4th of 5 was not warned, so last this year is a first warning.
    last = {"E": LastYear("E", rank=4, units_in_category=5, warned=False)}
    kinds = [(w.unit_code, w.kind) for w in warnings_for(ranked, last, bottom_count=1)]
    assert kinds == [("E", "bottom_two")]


def test_a_three_way_tie_for_third_of_five_is_warned_whole_and_counts_next_year() -> None:
    last_year = _units({"A": "90", "B": "80", "C": "70", "D": "70", "E": "70"})
    warned = {w.unit_code for w in warnings_for(last_year, bottom_count=3)}
    assert warned == {"C", "D", "E"}
    last = {code: LastYear(code, warned=code in warned) for code in "ABCDE"}
    this_year = _units({"A": "90", "B": "85", "C": "80", "D": "60", "E": "50"})
    twice = [w.unit_code for w in warnings_for(this_year, last, 3) if w.kind.endswith("e")]
    assert twice == ["C", "D", "E"]


def test_a_category_of_n_or_fewer_units_has_no_warning_and_no_bar_on_awards() -> None:
    ranked = _units({"A": "90", "B": "80"})
    assert warnings_for(ranked, bottom_count=2) == []
    awards = {(a.unit_code, a.award) for a in assign_awards(ranked)}
    assert ("A", "标兵") in awards


def test_when_everyone_ties_nobody_is_warned_or_barred() -> None:
    ranked = _units({"A": "80", "B": "80", "C": "80", "D": "80"})
    assert warnings_for(ranked, bottom_count=2) == []
    assert {a.unit_code for a in assign_awards(ranked) if a.award == "标兵"} == set()


def test_the_units_barred_from_awards_are_exactly_the_warned_units() -> None:
    ranked = _units({"A": "90", "B": "80", "C": "70", "D": "70"})
    warned = {w.unit_code for w in warnings_for(ranked, bottom_count=1)}
    assert warned == {"C", "D"}
    # C and D rose from 10th, yet being warned they get no 争先 (B, up 1, gets it).
    last = {"B": LastYear("B", rank=3), "C": LastYear("C", rank=10), "D": LastYear("D", rank=10)}
    awards = assign_awards(ranked, last, AwardRules(ineligible_bottom=1))
    assert {(a.unit_code, a.award) for a in awards} == {("A", "标兵"), ("B", "争先")}
