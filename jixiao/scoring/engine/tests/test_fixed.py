"""Exact arithmetic: the rounding rule and the int64 overflow fallback."""

from __future__ import annotations

import numpy as np

from jixiao.scoring.engine.fixed import published_array, round_half_up_div, scaled, unscaled
from jixiao.scoring.engine.tests.helpers import D, leaf_score


def test_half_up_rounds_halves_away_from_zero() -> None:
    assert round_half_up_div(5, 10) == 1
    assert round_half_up_div(-5, 10) == -1
    assert round_half_up_div(4, 10) == 0
    assert published_array(np.array([8500, 8499, -8550, 12345])).tolist() == [85, 85, -86, 123]


def test_scaled_and_unscaled_are_exact() -> None:
    assert scaled(D("12.345"), 4) == 123450
    assert unscaled(123450, 4) == D("12.3450")
    assert scaled(D("1E+3"), 2) == 100000


def test_huge_money_values_fall_back_to_exact_python_integers() -> None:
    # 10**15 万元 with 4 decimals overflows int64 once multiplied by the points
    params = {"target_growth": "0.08"}
    values = {"current": "1080000000000000.0001", "last_year": "1000000000000000"}
    assert leaf_score("yoy_growth", 10, values, params) == D(10)
    values = {"current": "1040000000000000.0001", "last_year": "1000000000000000"}
    assert leaf_score("yoy_growth", 10, values, params) == D(5)
    huge = {"actual": "123456789012345678901234567890", "target": "246913578024691357802469135780"}
    assert leaf_score("completion", 60, huge) == D(30)


def test_a_ratio_exactly_on_a_half_rounds_up() -> None:
    # 10 × 1 ÷ 16 = 0.625 exactly -> 0.6250; 1 × 1 ÷ 32 = 0.03125 -> 0.0313
    assert leaf_score("completion", 10, {"actual": 1, "target": 16}) == D("0.6250")
    assert leaf_score("completion", 1, {"actual": 1, "target": 32}) == D("0.0313")
