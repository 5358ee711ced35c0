"""Indicator quality: 打和牌, spread, discrimination, redundancy, missing data, points lost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.scoring.engine import CategoryTree, LeafInput
from jixiao.scoring.engine.quality import indicator_quality
from jixiao.scoring.engine.tests.helpers import D, leaf, run, units


def _tree() -> CategoryTree:
    return CategoryTree(
        "cat",
        D(100),
        (
            leaf("A", None, 40, "direct"),
            leaf("B", None, 30, "direct"),
            leaf("C", None, 20, "direct"),
            leaf("F", None, 10, "direct"),
        ),
    )


def _report(threshold: str = "0.8"):  # type: ignore[no-untyped-def]
    scores = {
        "U1": (40, 30, 20, 10),
        "U2": (35, 26, 19, 10),
        "U3": (30, 23, 12, 10),
        "U4": (25, 19, 15, 10),
        "U5": (20, 15, 18, 9),
    }
    inputs = [
        LeafInput(u, code, {"score": value})
        for u, row in scores.items()
        for code, value in zip("ABCF", row, strict=True)
        if not (u == "U5" and code == "C")
    ]
    result = run(_tree(), units(*scores), inputs)[1]
    return indicator_quality(result, flat_threshold=Decimal(threshold))


def test_an_indicator_almost_everybody_tops_is_flagged_flat() -> None:
    report = _report()
    by = {i.code: i for i in report.indicators}
    assert by["F"].full_share == pytest.approx(0.8)
    assert by["F"].flat
    assert not by["A"].flat
    assert [i.code for i in report.flat] == ["F"]
    assert not {i.code for i in _report("0.9").flat}


def test_spread_discrimination_and_missing_rate_are_measured_per_indicator() -> None:
    by = {i.code: i for i in _report().indicators}
    assert by["A"].std == pytest.approx(7.0710678, rel=1e-6)
    assert by["A"].iqr == pytest.approx(10)
    assert by["A"].discrimination is not None
    assert by["A"].discrimination > 0.9
    assert by["C"].missing_rate == pytest.approx(0.2)
    assert by["A"].missing_rate == 0


def test_two_indicators_that_move_together_are_named_redundant() -> None:
    report = _report()
    assert ("A", "B") in {(p.first, p.second) for p in report.pairs}
    assert all(abs(p.correlation) >= 0.9 for p in report.pairs)
    assert ("B", "F") not in {(p.first, p.second) for p in report.pairs}


def test_the_points_lost_add_up_to_the_whole() -> None:
    indicators = _report().indicators
    assert sum(i.lost_share for i in indicators) == pytest.approx(1)
    by = {i.code: i for i in indicators}
    assert by["A"].lost_share > by["F"].lost_share
