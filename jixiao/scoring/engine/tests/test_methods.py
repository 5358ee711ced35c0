"""Each method's worked example (the same numbers as docs/scoring.md) and its validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.scoring.engine import METHODS, InputError, LeafInput, SchemeError, explain, get_method
from jixiao.scoring.engine.tests.helpers import D, leaf_score, run, single_leaf_tree, units

TIERS = [
    {"min": 60, "share": "0.6"},
    {"min": 80, "share": "0.8"},
    {"min": 90, "share": "1.0"},
]


def test_the_registry_has_exactly_the_contract_codes() -> None:
    assert set(METHODS) == {
        "direct",
        "deduction",
        "completion",
        "tiered",
        "rank",
        "yoy_growth",
        "schedule_progress",
        "value_added",
        "grade",
        "staffing_task",
        "evaluation",
        "spot_accuracy",
        "supervision_cards",
    }
    for spec in METHODS.values():
        assert spec.label
        assert spec.fields
        assert all(f.label and f.type in {"decimal", "int", "grade"} for f in spec.fields)
        assert all(p.label for p in spec.params)


def test_direct_scores_what_was_entered() -> None:
    assert leaf_score("direct", 10, {"score": "8.5"}) == D("8.5000")


def test_direct_rounds_more_than_four_decimals_half_up() -> None:
    assert leaf_score("direct", 10, {"score": "8.12345"}) == D("8.1235")


def test_direct_rejects_a_score_above_the_points() -> None:
    assert get_method("direct").validate_input({"score": 11}, points=D(10)) == [
        "“得分”必须在 0 至 10 之间"
    ]
    with pytest.raises(InputError, match="超出"):
        leaf_score("direct", 10, {"score": 11})


def test_deduction_subtracts_per_occurrence() -> None:
    params = {"per_occurrence": 2, "floor": 4}
    assert leaf_score("deduction", 10, {"count": 2}, params) == D("6.0000")


def test_deduction_never_goes_below_the_floor() -> None:
    params = {"per_occurrence": 2, "floor": 4}
    assert leaf_score("deduction", 10, {"count": 5}, params) == D("4.0000")
    assert leaf_score("deduction", 10, {"count": 10**30}, params) == D("4.0000")


def test_deduction_validates_its_parameters_and_count() -> None:
    spec = get_method("deduction")
    assert spec.validate_params({}) == ["按次扣分：缺少参数“每次扣分”（per_occurrence）"]
    assert spec.validate_params({"per_occurrence": 0}) == ["按次扣分：每次扣分必须大于0"]
    assert "按次扣分：最低得分不能超过分值" in spec.validate_params(
        {"per_occurrence": 1, "floor": 12}, D(10)
    )
    assert spec.validate_params({"per_occurrence": "0.00001"}) == ["按次扣分：每次扣分最多4位小数"]
    assert spec.validate_input({"count": "1.5"}) == ["“扣分次数”必须是非负整数"]
    assert spec.validate_input({"count": -1}) == ["“扣分次数”必须是非负整数"]
    assert spec.validate_input({}) == ["请填写“扣分次数”"]


def test_completion_is_points_times_capped_ratio() -> None:
    assert leaf_score("completion", 60, {"actual": 85, "target": 100}) == D("51.0000")
    assert leaf_score("completion", 60, {"actual": 130, "target": 100}) == D("60.0000")


def test_completion_lower_is_better_inverts_the_ratio() -> None:
    params = {"lower_is_better": True}
    assert leaf_score("completion", 10, {"actual": 120, "target": 100}, params) == D("8.3333")
    assert leaf_score("completion", 10, {"actual": 90, "target": 100}, params) == D("10.0000")


def test_completion_scores_zero_below_the_zero_line() -> None:
    params = {"zero_below": "0.6"}
    assert leaf_score("completion", 10, {"actual": 59, "target": 100}, params) == D("0.0000")
    assert leaf_score("completion", 10, {"actual": 60, "target": 100}, params) == D("6.0000")


def test_completion_requires_a_positive_target() -> None:
    spec = get_method("completion")
    assert spec.validate_input({"actual": 1, "target": 0}) == ["“目标值”必须大于0"]
    assert spec.validate_params({"zero_below": 2}) == ["完成率：零分线必须在 0 至 1 之间"]
    with pytest.raises(InputError, match="目标值"):
        leaf_score("completion", 10, {"actual": 1, "target": 0})


def test_tiered_takes_the_highest_tier_reached() -> None:
    params = {"tiers": TIERS}
    assert leaf_score("tiered", 20, {"value": 85}, params) == D("16.0000")
    assert leaf_score("tiered", 20, {"value": 90}, params) == D("20.0000")
    assert leaf_score("tiered", 20, {"value": 50}, params) == D("0.0000")


def test_tiered_lower_is_better_uses_max_thresholds() -> None:
    params = {
        "lower_is_better": True,
        "tiers": [{"max": 5, "share": 1}, {"max": 10, "share": "0.5"}],
    }
    assert leaf_score("tiered", 10, {"value": 3}, params) == D("10.0000")
    assert leaf_score("tiered", 10, {"value": 7}, params) == D("5.0000")
    assert leaf_score("tiered", 10, {"value": 11}, params) == D("0.0000")


def test_tiered_rejects_tiers_that_pay_less_for_better_results() -> None:
    spec = get_method("tiered")
    bad = {"tiers": [{"min": 60, "share": "0.9"}, {"min": 80, "share": "0.5"}]}
    assert spec.validate_params(bad) == ["分档计分：档位越好，得分比例不能越低"]
    assert "分档计分：档位门槛不能重复" in spec.validate_params(
        {"tiers": [{"min": 1, "share": 1}, {"min": 1, "share": 1}]}
    )
    assert spec.validate_params({"tiers": []}) == ["分档计分：参数“档位”必须是非空的档位列表"]
    assert spec.validate_params({"tiers": [{"min": 1, "share": 2}]}) == [
        "分档计分：得分比例必须在 0 至 1 之间"
    ]


RANK_VALUES = {"A": 120, "B": 100, "C": 100, "D": 80}


def _rank_scores(params: dict[str, object]) -> dict[str, Decimal]:
    tree = single_leaf_tree("rank", 10, params)
    inputs = [LeafInput(u, "L", {"value": v}) for u, v in RANK_VALUES.items()]
    _, result = run(tree, units(*RANK_VALUES), inputs)
    return {u: result.score(u, "L") for u in RANK_VALUES}


def test_rank_fixed_gives_tied_units_the_points_of_their_shared_rank() -> None:
    scores = _rank_scores({"mode": "fixed", "points_by_rank": [10, 8, 6]})
    assert scores == {"A": D(10), "B": D(8), "C": D(8), "D": D(0)}


def test_rank_step_loses_a_step_per_place_down_to_the_floor() -> None:
    scores = _rank_scores({"mode": "step", "step": 1, "floor": 5})
    assert scores == {"A": D(10), "B": D(9), "C": D(9), "D": D(7)}
    scores = _rank_scores({"mode": "step", "step": 4, "floor": 5})
    assert scores["D"] == D(5)


def test_rank_proportional_is_value_over_best() -> None:
    scores = _rank_scores({"mode": "proportional"})
    assert scores == {"A": D(10), "B": D("8.3333"), "C": D("8.3333"), "D": D("6.6667")}


def test_rank_proportional_lower_is_better_is_best_over_value() -> None:
    scores = _rank_scores({"mode": "proportional", "higher_is_better": False})
    assert scores == {"A": D("6.6667"), "B": D(8), "C": D(8), "D": D(10)}


def test_rank_validates_its_mode_parameters() -> None:
    spec = get_method("rank")
    assert spec.validate_params({"mode": "fixed"}) == ["排名计分：固定分值模式须填写各名次分值"]
    assert spec.validate_params({"mode": "step"}) == ["排名计分：逐名递减模式须填写大于0的递减分值"]
    assert spec.validate_params({"mode": "best"}) == [
        "排名计分：参数“计分方式”必须是 fixed / step / proportional 之一"
    ]
    assert spec.validate_params({"mode": "fixed", "points_by_rank": [5, 8]}) == [
        "排名计分：名次越靠后，分值不能越高"
    ]
    assert spec.validate_params({"mode": "fixed", "points_by_rank": [12]}, D(10)) == [
        "排名计分：名次分值不能超过指标分值"
    ]


def test_yoy_growth_scores_growth_against_the_target_growth() -> None:
    params = {"target_growth": "0.08"}
    assert leaf_score("yoy_growth", 10, {"current": 105, "last_year": 100}, params) == D("6.2500")
    assert leaf_score("yoy_growth", 10, {"current": 110, "last_year": 100}, params) == D(10)
    assert leaf_score("yoy_growth", 10, {"current": 95, "last_year": 100}, params) == D(0)


def test_yoy_growth_measures_growth_against_the_size_of_a_negative_base() -> None:
    params = {"target_growth": "0.5"}
    # -100 -> -80 is growth of 20 / |-100| = 0.2, i.e. 0.4 of the target
    assert leaf_score("yoy_growth", 10, {"current": -80, "last_year": -100}, params) == D(4)


def test_yoy_growth_from_zero_is_full_marks_for_any_increase() -> None:
    params = {"target_growth": "0.08"}
    assert leaf_score("yoy_growth", 10, {"current": 1, "last_year": 0}, params) == D(10)
    assert leaf_score("yoy_growth", 10, {"current": 0, "last_year": 0}, params) == D(0)
    assert get_method("yoy_growth").validate_params({"target_growth": 0}) == [
        "同比增幅：目标增幅必须大于0"
    ]


def test_schedule_progress_is_actual_over_planned_to_date() -> None:
    assert leaf_score("schedule_progress", 10, {"actual": 45, "planned": 60}) == D("7.5000")
    assert leaf_score("schedule_progress", 10, {"actual": 70, "planned": 60}) == D(10)
    assert leaf_score("schedule_progress", 10, {"actual": 0, "planned": 0}) == D(10)
    assert get_method("schedule_progress").validate_input({"actual": 1, "planned": -1}) == [
        "“计划进度”不能为负"
    ]


def test_value_added_is_proportional_to_the_best_contribution() -> None:
    tree = single_leaf_tree("value_added", 10)
    values = {"A": (130, 100), "B": (210, 200), "C": (40, 50)}
    inputs = [
        LeafInput(u, "L", {"current": c, "last_year": last}) for u, (c, last) in values.items()
    ]
    province, result = run(tree, units(*values), inputs)
    assert [result.score(u, "L") for u in values] == [D(10), D("3.3333"), D(0)]
    formula = explain(result, province.data["cat"], "B").nodes[0].formula
    assert formula == "贡献率 10 ÷ 40 ≈ 0.2500；10 × 10 ÷ 30（最大增量） = 3.3333"


def test_grade_maps_grades_to_shares() -> None:
    assert leaf_score("grade", 10, {"grade": "B"}) == D(8)
    assert leaf_score("grade", 10, {"grade": "优"}, {"shares": {"优": 1, "良": "0.85"}}) == D(10)
    assert get_method("grade").validate_input({"grade": "E"}) == ["“等次”必须是 A / B / C / D 之一"]


def test_staffing_task_requires_staffing_over_base_tasks() -> None:
    params = {"base": 3}
    assert leaf_score("staffing_task", 20, {"completed": 3}, params, staffing=12) == D(15)
    assert leaf_score("staffing_task", 20, {"completed": 3}, params, staffing=9) == D(20)


def test_staffing_task_without_staffing_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="未登记编制数"):
        leaf_score("staffing_task", 20, {"completed": 3}, {"base": 3}, staffing=None)


def test_a_staffing_of_zero_is_called_wrong_not_unregistered() -> None:
    with pytest.raises(InputError, match="编制数必须是正整数（现为 0）") as error:
        leaf_score("staffing_task", 20, {"completed": 3}, {"base": 3}, staffing=0)
    assert "未登记" not in str(error.value)
    with pytest.raises(ValueError, match="编制数必须是正整数"):
        get_method("staffing_task").evaluate(D(20), {"base": D(3)}, {"completed": D(3)}, None, 0)


def test_evaluation_scales_a_hundred_point_rating() -> None:
    assert leaf_score("evaluation", 20, {"rating": "87.5"}) == D("17.5000")
    assert get_method("evaluation").validate_input({"rating": 101}) == [
        "“评议得分”必须在 0 至 100 之间"
    ]


def test_unknown_parameters_and_methods_are_rejected() -> None:
    assert get_method("direct").validate_params({"per_occurrence": 1}) == [
        "直接打分：未知参数“per_occurrence”"
    ]
    with pytest.raises(SchemeError, match="计分方法“magic”不存在"):
        run(single_leaf_tree("magic", 10), units("U1"), [])


def test_non_numeric_input_is_rejected_with_the_field_label() -> None:
    assert get_method("completion").validate_input({"actual": "abc", "target": 1}) == [
        "“实际完成值”必须是数字"
    ]
    with pytest.raises(InputError, match="实际完成值"):
        leaf_score("completion", 10, {"actual": "abc", "target": 1})


def test_missing_input_scores_zero_and_is_flagged() -> None:
    tree = single_leaf_tree("completion", 10)
    inputs = [LeafInput("A", "L", {"actual": 5, "target": 10}), LeafInput("B", "L", {"actual": 5})]
    province, result = run(tree, units("A", "B", "C"), inputs)
    assert result.score("B", "L") == D(0)
    assert result.unit("B").missing == ("L",)
    assert result.unit("C").missing == ("L",)
    assert result.unit("A").missing == ()
    node = explain(result, province.data["cat"], "B").nodes[0]
    assert node.missing
    assert node.formula == "未报送数据（缺少：目标值）→ 0.0000"


# spot_accuracy 核验准确率 (docs/scoring.md's worked example) --------------------------

SPOT = {"standard": "0.9", "per_wrong": "0.5", "cap": 2}


def test_spot_accuracy_deducts_per_wrong_entry_below_the_standard() -> None:
    assert leaf_score("spot_accuracy", 10, {"checked": 20, "wrong": 3}, SPOT) == D("8.5000")


def test_spot_accuracy_deducts_nothing_at_the_standard_exactly() -> None:
    assert leaf_score("spot_accuracy", 10, {"checked": 20, "wrong": 2}, SPOT) == D("10.0000")


def test_spot_accuracy_caps_the_deduction() -> None:
    assert leaf_score("spot_accuracy", 10, {"checked": 20, "wrong": 8}, SPOT) == D("8.0000")


def test_spot_accuracy_without_a_cap_never_goes_below_zero() -> None:
    params = {"per_wrong": 3}
    assert leaf_score("spot_accuracy", 10, {"checked": 5, "wrong": 5}, params) == D("0.0000")


def test_spot_accuracy_with_nothing_checked_is_full_marks() -> None:
    assert leaf_score("spot_accuracy", 10, {"checked": 0, "wrong": 0}, SPOT) == D("10.0000")


def test_spot_accuracy_explains_its_raw_inputs() -> None:
    spec = get_method("spot_accuracy")
    formula = spec.evaluate(
        D(10), spec.normalize_params(SPOT), {"checked": D(20), "wrong": D(3)}
    ).formula
    assert formula == (
        "核验 20 条，属实 17 条、不属实 3 条，准确率 85%，低于 90%：10 − min(0.5 × 3, 2) = 8.5000"
    )


def test_spot_accuracy_refuses_more_wrong_than_checked_and_bad_parameters() -> None:
    spec = get_method("spot_accuracy")
    assert spec.validate_input({"checked": 2, "wrong": 3}, SPOT) == [
        "“不属实条数”不能超过“核验条数”"
    ]
    assert spec.validate_params({"standard": "1.5", "per_wrong": 0}) == [
        "核验准确率：准确率标准必须大于0且不超过1（如 0.9）",
        "核验准确率：每条不属实扣分必须大于0",
    ]
    with pytest.raises(InputError, match="不能超过"):
        leaf_score("spot_accuracy", 10, {"checked": 2, "wrong": 3}, SPOT)


def test_supervision_cards_deduct_per_card_up_to_the_cap() -> None:
    params = {"cap": 3}
    assert leaf_score("supervision_cards", 5, {"red": 2, "yellow": 3}, params) == D("3.4000")
    assert leaf_score("supervision_cards", 5, {"red": 5, "yellow": 4}, params) == D("2.0000")
    assert leaf_score("supervision_cards", 5, {"red": 0, "yellow": 0}, params) == D("5.0000")
    # Without a cap the whole of the points may go, never below 0.
    assert leaf_score("supervision_cards", 1, {"red": 9, "yellow": 0}) == D("0.0000")


def test_supervision_cards_fast_path_agrees_with_the_formula() -> None:
    spec = get_method("supervision_cards")
    params = spec.normalize_params({"per_red": "0.5", "per_yellow": "0.2", "cap": "3"})
    for red, yellow in [(0, 0), (1, 0), (0, 1), (2, 3), (6, 0), (0, 15), (5, 4)]:
        exact = spec.evaluate(D(5), params, {"red": D(red), "yellow": D(yellow)}).score
        fast = leaf_score("supervision_cards", 5, {"red": red, "yellow": yellow}, {"cap": "3"})
        assert fast == exact, (red, yellow)
    assert (
        "5 − min(0.5 × 2 + 0.2 × 3, 3) = 3.4000"
        in spec.evaluate(D(5), params, {"red": D(2), "yellow": D(3)}).formula
    )
