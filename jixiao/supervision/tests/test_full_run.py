"""Red and yellow cards move a unit's total through a full score run, and the report card
explains the 督查督办 line down to the cards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.accounts.models import User
from jixiao.scoring.actions import compute_run
from jixiao.scoring.models import UnitResult
from jixiao.scoring.tests.factories import make_world
from jixiao.scoring.views_support import card_for
from jixiao.supervision import cards
from jixiao.supervision.models import TaskState
from jixiao.supervision.results import write_card_entries
from jixiao.supervision.tests.factories import in_state

pytestmark = pytest.mark.django_db


def test_cards_lower_the_total_and_the_card_lists_them(supervision: User) -> None:
    w = make_world(2026)
    w.category("JG", 100, "机关部门")
    late, clean = w.unit("FGJ", "JG"), w.unit("JYJ", "JG")
    w.indicator("1", None, 95, "direct", name="实绩评估")
    w.indicator(
        "2",
        None,
        5,
        "supervision_cards",
        {"per_red": "0.5", "per_yellow": "0.2", "cap": "3"},
        kind="common",
        name="督查督办",
    )
    w.entry("FGJ", "1", 90)
    w.entry("JYJ", "1", 90)
    # FGJ: two progress reports overdue, then the deadline passed: 2 yellow + 2 red.
    in_state(TaskState.ACCEPTED, late, supervision, deadline=date(2026, 3, 20))
    cards.run(date(2026, 3, 23))
    assert write_card_entries(supervision, 2026) == 2

    run = compute_run(w.year)
    totals = dict(UnitResult.objects.filter(run=run).values_list("unit__code", "total"))
    # 实绩评估 is typed points (90 each); 督查督办: 5 − min(0.5 × 2 + 0.2 × 2, 3) = 3.6.
    assert totals == {"FGJ": Decimal("93.60"), "JYJ": Decimal("95.00")}
    result = UnitResult.objects.get(run=run, unit=late)
    line = next(x for x in card_for(result).lines if x.code == "2")
    assert line.score == Decimal("3.6000")
    assert "0.5 × 2 + 0.2 × 2" in line.formula
    assert "红牌 2 张" in line.reason
    assert "黄牌 2 张" in line.reason
    clean_line = next(
        x for x in card_for(UnitResult.objects.get(run=run, unit=clean)).lines if x.code == "2"
    )
    assert clean_line.score == Decimal("5.0000")
