"""Forced distribution boundaries (Taixing: ≤ 30% at ≥ 90, ≥ 20% below 80, no full marks)."""

from decimal import Decimal

import pytest

from jixiao.evaluation.distribution import Rule, check

RULE = Rule()


def scores(*values: int) -> list[Decimal | None]:
    return [Decimal(v) for v in values]


@pytest.mark.parametrize(
    ("n", "max_high", "min_low"), [(10, 3, 2), (7, 2, 2), (3, 0, 1), (1, None, None)]
)
def test_the_limits_follow_floor_and_ceiling(n, max_high, min_low):
    assert RULE.limits(n) == (max_high, min_low)


def test_ten_units_may_have_three_at_90_and_need_two_below_80():
    ok = check(scores(95, 92, 90, 89, 88, 85, 85, 82, 79, 70), RULE)
    assert ok.ok
    assert ok.high == 3
    assert ok.low == 2
    too_many = check(scores(95, 92, 90, 90, 88, 85, 85, 82, 79, 70), RULE)
    assert not too_many.ok
    assert "最多 3 个" in too_many.problems[0]
    assert "调低 1 个" in too_many.problems[0]


def test_seven_units_need_two_below_80():
    verdict = check(scores(91, 90, 85, 85, 84, 83, 79), RULE)
    assert not verdict.ok
    assert "至少 2 个" in verdict.problems[0]
    assert check(scores(91, 90, 85, 85, 84, 78, 79), RULE).ok


def test_three_units_allow_nobody_at_90():
    assert not check(scores(90, 85, 70), RULE).ok
    assert check(scores(89, 85, 70), RULE).ok


def test_one_unit_is_only_held_to_no_full_marks():
    assert check(scores(95), RULE).ok
    verdict = check(scores(100), RULE)
    assert verdict.problems == ["不得打满分（100 分），现有 1 个单位为满分"]


def test_other_scales_scale_the_thresholds_and_the_penalty():
    rule = Rule(scale=Decimal(10))
    assert rule.high_threshold == 9
    assert rule.low_threshold == 8
    assert rule.penalty == Decimal("0.02")
    assert not check([Decimal(9), Decimal(9), Decimal(7)], rule).ok


def test_unscored_cells_count_towards_n_but_not_the_counts():
    verdict = check([Decimal(95), None, None, None, None], RULE)
    assert verdict.n == 5
    assert verdict.high == 1
    assert verdict.max_high == 1
    assert verdict.low == 0
