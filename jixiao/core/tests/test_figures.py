"""Every figure shown is rounded half up (one helper), never half to even."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core import figures

D = Decimal


def test_a_half_rounds_away_from_zero() -> None:
    assert figures.half_up(D("69.885")) == D("69.89")
    assert figures.half_up(D("-85.505")) == D("-85.51")
    assert figures.half_up("0.125", 2) == D("0.13")
    assert figures.half_up(None) is None


def test_a_mean_is_exact_then_rounded_once() -> None:
    assert figures.mean([D("69.88"), D("69.89")]) == D("69.89")  # 69.885
    assert figures.mean([D("80.00"), D("80.01"), D("80.00"), D("80.01")]) == D("80.01")
    assert figures.mean([]) is None


def test_percentages_round_half_up() -> None:
    assert figures.percent(1, 8) == D(13)  # 12.5 %: round() would say 12
    assert figures.percent(D("0.125"), places=1) == D("12.5")
    assert figures.percent(D("0.6667"), places=2) == D("66.67")
    assert figures.percent(3, 0) == D(0)


def test_the_template_filters_round_half_up() -> None:
    template = Template("{% load figures %}{{ m|half_up:2 }} {{ s|percent }}%")
    assert template.render(Context({"m": D("69.885"), "s": D("0.125")})) == "69.89 13%"


@given(st.integers(-(10**9), 10**9), st.integers(0, 4))
def test_half_up_agrees_with_integer_arithmetic(thousandths: int, places: int) -> None:
    value = D(thousandths).scaleb(-6)
    step = 10 ** (6 - places)
    magnitude = (abs(thousandths) * 2 + step) // (2 * step)
    expected = D(magnitude if thousandths >= 0 else -magnitude).scaleb(-places)
    assert figures.half_up(value, places) == expected
