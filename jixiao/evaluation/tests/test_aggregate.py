from decimal import Decimal
from fractions import Fraction

from jixiao.evaluation.aggregate import (
    GroupInput,
    ItemInput,
    mean,
    rating,
    to_decimal,
    weights_problem,
)

D = Decimal


def test_the_plain_mean_keeps_every_score():
    m = mean([D(90), D(80), D(70)])
    assert m is not None
    assert m.value == 80
    assert m.counted == 3
    assert not m.trimmed


def test_trimming_drops_one_highest_and_one_lowest():
    m = mean([D(100), D(90), D(80), D(70), D(10)], trim=1)
    assert m is not None
    assert m.value == 80
    assert m.counted == 3
    assert m.trimmed


def test_trimming_is_skipped_when_too_few_scores_remain():
    m = mean([D(90), D(70)], trim=1)
    assert m is not None
    assert m.value == 80
    assert not m.trimmed


def test_rounding_is_half_up_on_the_exact_value():
    assert to_decimal(Fraction(1, 32)) == D("0.0313")  # 0.03125
    assert to_decimal(Fraction(200, 3)) == D("66.6667")
    assert to_decimal(Fraction(-1, 32)) == D("-0.0313")


def test_groups_are_weighted_and_sub_items_inside_them():
    leaders = GroupInput("区领导", D(60), 2, [ItemInput("评分", D(100), [D(90), D(80)])])
    grassroots = GroupInput(
        "基层单位",
        D(40),
        2,
        [ItemInput("令行禁止", D(30), [D(100), D(100)]), ItemInput("综合", D(70), [D(70), D(70)])],
    )
    r = rating([leaders, grassroots])
    # 85 × 0.6 + (100 × 0.3 + 70 × 0.7) × 0.4 = 51 + 31.6
    assert r.value == D("82.6000")
    assert "区领导" in r.formula()
    assert "= 82.6000" in r.formula()


def test_a_group_without_ballots_gives_its_weight_to_the_others():
    leaders = GroupInput("区领导", D(60), 1, [ItemInput("评分", D(100), [D(90)])])
    empty = GroupInput("基层单位", D(40), 0, [ItemInput("评分", D(100), [])])
    r = rating([leaders, empty])
    assert r.value == D("90.0000")
    assert r.missing == ["基层单位"]
    assert "基层单位无有效票" in r.formula()


def test_nobody_rated_means_no_rating():
    assert rating([GroupInput("区领导", D(100), 0, [ItemInput("评分", D(100), [])])]).value is None


def test_weights_must_add_up_to_exactly_100():
    assert weights_problem({"a": D(60), "b": D(40)}) == ""
    assert "99.5%" in weights_problem({"a": D("59.5"), "b": D(40)})


def test_columnar_means_equal_the_plain_ones_for_every_cell():
    import random

    import numpy as np

    from jixiao.evaluation.aggregate import columnar_means

    rng = random.Random(7)
    cells = [rng.randrange(30) for _ in range(2000)]
    values = [rng.randrange(0, 1_000_001) for _ in cells]
    for trim in (0, 1, 2):
        got = columnar_means(np.array(cells), np.array(values), trim)
        for cell, m in got.items():
            mine = [Fraction(v, 10_000) for c, v in zip(cells, values, strict=True) if c == cell]
            expected = mean(mine, trim)
            assert m == expected


def test_satisfaction_indices_count_exactly_per_key():
    from jixiao.evaluation.aggregate import satisfaction_indices

    points = {5: D(100), 4: D(80), 3: D(60), 2: D(40), 1: D(20)}
    got = satisfaction_indices([3, 3, 3, 9], [5, 4, 1, 2], points)
    assert got[3].value == D("66.6667")
    assert got[9].value == D("40.0000")
    assert set(got) == {3, 9}
