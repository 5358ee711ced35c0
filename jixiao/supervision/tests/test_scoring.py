"""Cards move the score of the 督查督办 leaf, and the score explains itself."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.accounts.models import User
from jixiao.collection import leaf as leaf_of
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.workflow import TransitionRefused
from jixiao.scheme.models import IndicatorKind
from jixiao.supervision import cards
from jixiao.supervision.models import TaskState
from jixiao.supervision.results import write_card_entries
from jixiao.supervision.tests.factories import in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaf(world: World, office_org: object) -> object:
    return f.make_indicator(
        world.scheme,
        "D01",
        office_org,  # type: ignore[arg-type]
        points={world.category: 5},
        method="supervision_cards",
        params={"per_red": "0.5", "per_yellow": "0.2", "cap": "3"},
        kind=IndicatorKind.COMMON,
        name="督查督办",
    )


def test_cards_become_the_leafs_entries_and_its_explained_score(
    world: World, leaf: object, supervision: User, office: User
) -> None:
    # unit: overdue and two late reports -> 2 yellow + 2 red (deadline, two yellows)
    in_state(TaskState.ACCEPTED, world.unit, supervision, deadline=date(2026, 3, 20))
    cards.run(date(2026, 3, 23))
    assert write_card_entries(supervision, 2026) == 2
    mine = Entry.objects.get(indicator=leaf, unit=world.unit)
    assert (mine.value, mine.reference, mine.status) == (Decimal(2), Decimal(2), EntryStatus.FINAL)
    assert mine.score == Decimal("3.6000")  # 5 − min(0.5×2 + 0.2×2, 3)
    assert "红牌 2 张" in mine.reason
    assert "黄牌 2 张" in mine.reason
    assert "超过办结时限未销号" in mine.reason
    clean = Entry.objects.get(indicator=leaf, unit=world.other_unit)
    assert (clean.value, clean.reference, clean.score) == (0, 0, Decimal("5.0000"))
    assert clean.reason == "无红黄牌"
    assert write_card_entries(office, 2026) == 0  # nothing changed: nothing written

    outcome = leaf_of.evaluate(
        mine.indicator,
        Decimal(5),
        None,
        {"value": mine.value, "reference": mine.reference},
        heavy_share=world.scheme.heavy_deduction_share,
    )
    assert "5 − min(0.5 × 2 + 0.2 × 2, 3) = 3.6000" in outcome.formula


def test_only_supervision_or_the_office_write_cards_into_scores(
    world: World, leaf: object, unit: User
) -> None:
    with pytest.raises(TransitionRefused, match="只有督查室或绩效办"):
        write_card_entries(unit, 2026)


def test_a_year_without_the_leaf_is_refused_in_words(world: World, supervision: User) -> None:
    with pytest.raises(TransitionRefused, match="没有按“督查督办红黄牌”计分的指标"):
        write_card_entries(supervision, 2026)
