"""The monthly score worked from the Zhangjiagang description (docs/monitoring.md)."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np

from jixiao.monitoring import zjg


def _worked_example() -> zjg.Report:
    # Three towns in one category, October (linear plan: 10/12 of the year expected),
    # 工业开票销售 (points 60) and 固定资产投资 (points 40).
    value = np.array([[850.0, 42.0], [700.0, 30.0], [900.0, 50.0]])
    last = np.array([[800.0, 40.0], [720.0, 25.0], [780.0, 40.0]])
    annual = np.array([[1000.0, 50.0], [900.0, 40.0], [1000.0, 60.0]])
    expected = np.full((3, 2), 10 / 12)
    weight = np.array([[60.0, 40.0]] * 3)
    return zjg.monthly_report(
        ["杨舍镇", "塘桥镇", "金港镇"], ["QZ"] * 3, value, last, annual, expected, weight
    )


def test_the_worked_example_gives_the_documented_scores_and_ranks() -> None:
    rows = {r.unit: r for r in _worked_example().rows}
    assert (rows["金港镇"].score, rows["金港镇"].rank) == (D("104.80"), 1)
    assert (rows["杨舍镇"].score, rows["杨舍镇"].rank) == (D("101.52"), 2)
    assert (rows["塘桥镇"].score, rows["塘桥镇"].rank) == (D("92.00"), 3)


def test_the_worked_example_gives_the_documented_growth_progress_and_contribution() -> None:
    rows = {r.unit: r for r in _worked_example().rows}
    yangshe = rows["杨舍镇"]
    assert yangshe.growth == D("5.75")  # (6.25 × 60 + 5 × 40) ÷ 100
    assert yangshe.progress == D("84.60")  # (85 × 60 + 84 × 40) ÷ 100
    assert yangshe.schedule == D("83.33")
    assert yangshe.contribution == D("24.71")  # (33.33 × 60 + 11.76 × 40) ÷ 100
    assert rows["塘桥镇"].growth == D("6.33")  # a fall in one indicator counts negative


def test_progress_ahead_of_schedule_is_capped_at_120_percent() -> None:
    one = np.ones((1, 1))
    report = zjg.monthly_report(["A"], ["X"], one * 100, one * np.nan, one * 100, one * 0.5, one)
    assert report.rows[0].score == D("120.00")
    assert report.rows[0].growth is None  # no stored last-year value: no 同比


def test_a_missing_figure_scores_zero_and_equal_scores_share_a_rank() -> None:
    value = np.array([[50.0], [50.0], [np.nan], [40.0]])
    report = zjg.monthly_report(
        ["A", "B", "C", "D"],
        ["X"] * 4,
        value,
        np.full((4, 1), np.nan),
        np.full((4, 1), 100.0),
        np.full((4, 1), 0.5),
        np.ones((4, 1)),
    )
    ranks = {r.unit: (r.score, r.rank) for r in report.rows}
    assert ranks == {
        "A": (D("100.00"), 1),
        "B": (D("100.00"), 1),
        "D": (D("80.00"), 3),
        "C": (D("0.00"), 4),
    }


def test_units_are_ranked_only_within_their_category() -> None:
    report = zjg.monthly_report(
        ["A", "B"],
        ["X", "Y"],
        np.array([[10.0], [90.0]]),
        np.full((2, 1), np.nan),
        np.full((2, 1), 100.0),
        np.full((2, 1), 0.5),
        np.ones((2, 1)),
    )
    assert [r.rank for r in report.rows] == [1, 1]
