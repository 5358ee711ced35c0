from __future__ import annotations

from decimal import Decimal

from jixiao.collection import leaf
from jixiao.collection.tests.conftest import World

HALF = Decimal("0.5")


def test_a_direct_score_is_taken_as_entered(world: World) -> None:
    out = leaf.evaluate(
        world.direct, Decimal(10), 80, {"value": "8.5"}, heavy_share=HALF, reason="x"
    )
    assert (out.ok, out.score) == (True, Decimal("8.5000"))


def test_a_completion_ratio_is_computed_by_the_engine(world: World) -> None:
    out = leaf.evaluate(
        world.completion, Decimal(20), 80, {"value": "90", "reference": "120"}, heavy_share=HALF
    )
    assert out.score == Decimal("15.0000")
    assert "20" in out.formula
    assert out.reason_needed == ""  # computed partial scores need no written reason


def test_full_marks_and_judged_deductions_need_a_reason(world: World) -> None:
    full = leaf.evaluate(world.direct, Decimal(10), 80, {"value": "10"}, heavy_share=HALF)
    assert full.errors == ["满分须填写计分说明（依据）"]
    judged = leaf.evaluate(world.direct, Decimal(10), 80, {"value": "9"}, heavy_share=HALF)
    assert judged.errors == ["扣分须填写扣分原因"]
    heavy = leaf.evaluate(
        world.completion, Decimal(20), 80, {"value": "1", "reference": "10"}, heavy_share=HALF
    )
    assert heavy.reason_needed.startswith("得分低于正常范围")


def test_rank_methods_are_left_to_scoring(world: World) -> None:
    out = leaf.evaluate(world.rank, Decimal(10), 80, {"value": "3"}, heavy_share=HALF)
    assert (out.ok, out.relative, out.score) == (True, True, None)


def test_bad_values_get_chinese_messages(world: World) -> None:
    above = leaf.evaluate(world.direct, Decimal(10), 80, {"value": "11"}, heavy_share=HALF)
    assert above.errors == ["“得分”必须在 0 至 10 之间"]
    negative = leaf.evaluate(world.deduction, Decimal(10), 80, {"value": "-1"}, heavy_share=HALF)
    assert negative.errors == ["“扣分次数”不能为负数"]
    text = leaf.evaluate(world.direct, Decimal(10), 80, {"value": "八"}, heavy_share=HALF)
    assert "不是有效的数字" in text.errors[0]


def test_numbers_are_read_as_people_type_them(world: World) -> None:
    out = leaf.evaluate(
        world.completion,
        Decimal(20),
        80,
        {"value": "１，２３４", "reference": "1,234"},
        heavy_share=HALF,
        reason="x",
    )
    assert out.values == {"value": Decimal("1234"), "reference": Decimal("1234")}
    assert out.score == Decimal("20.0000")


def test_the_confirmation_rule_matches_liwan() -> None:
    assert leaf.needs_confirmation(Decimal(10), Decimal(10), HALF)
    assert leaf.needs_confirmation(Decimal(5), Decimal(10), HALF)
    assert not leaf.needs_confirmation(Decimal("5.01"), Decimal(10), HALF)
    assert not leaf.needs_confirmation(None, Decimal(10), HALF)


def test_a_staffing_of_zero_is_called_wrong_and_a_blank_one_unregistered(world: World) -> None:
    from jixiao.collection.tests import factories as f

    indicator = f.make_indicator(
        world.scheme, "S1", world.direct.owner, method="staffing_task", params={"base": 3}
    )
    zero = leaf.evaluate(indicator, Decimal(20), 0, {"value": "3"}, heavy_share=HALF)
    assert zero.errors == ["该单位的编制数为 0：编制数必须是正整数，请先在考核对象中更正"]
    blank = leaf.evaluate(indicator, Decimal(20), None, {"value": "3"}, heavy_share=HALF)
    assert blank.errors == ["该单位未登记编制数，无法按编制任务比计分"]
