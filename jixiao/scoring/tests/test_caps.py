"""Bonus–penalty caps end to end: approved events past a cap are scored up to the cap per
sign, and the report card says what the cap changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.scoring.actions import compute_run
from jixiao.scoring.models import UnitResult
from jixiao.scoring.tests.factories import zhangjiagang_world
from jixiao.scoring.views_support import card_for

D = Decimal
pytestmark = pytest.mark.django_db


def test_deductions_past_the_cap_count_up_to_it_and_the_card_says_so() -> None:
    """MZJ (caps +3 / −5): −2 − 3 − 2 = 7 deducted, counted as 5; +3 bonus, counted 3.
    Net 3 − 5 = −2, so its total stays 67.90 (netting first would give 3 − 7 = −4)."""
    w = zhangjiagang_world()
    w.event("MZJ", "9", -3, "安全生产被约谈")
    w.event("MZJ", "9", -2, "督查通报")
    w.event("MZJ", "9", 3, "获省级表彰")
    run = compute_run(w.year)
    result = UnitResult.objects.select_related("unit", "run_category").get(
        run=run, unit__code="MZJ"
    )
    assert result.total == D("67.90")
    line = next(line for line in card_for(result).lines if line.code == "9")
    assert line.score == D("-2")
    assert "扣分 7 分，按上限计 5 分" in line.reason
    assert "-3 安全生产被约谈" in line.reason
