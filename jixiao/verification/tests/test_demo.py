"""The demo district has a spot check worth looking at (load_demo once per module)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import EntryStatus
from jixiao.core.testing import login
from jixiao.scoring.models import RunStatus, ScoreRun
from jixiao.scoring.views_support import explain_result
from jixiao.verification import actions
from jixiao.verification.models import Correction, CorrectionStatus, EntryFlag, SpotCheck


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo", quiet=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_draw_covers_every_stratum_and_redraws_the_same(demo: None) -> None:
    check = SpotCheck.objects.get()
    assert check.items.count() >= check.strata
    assert actions.redraw(check) == (True, True)


@pytest.mark.django_db
def test_one_correction_is_confirmed_into_the_published_score_and_one_objected_to(
    demo: None,
) -> None:
    confirmed = Correction.objects.get(status=CorrectionStatus.CONFIRMED)
    assert Correction.objects.filter(status=CorrectionStatus.OBJECTED).count() == 1
    run = ScoreRun.objects.get(year__year=2026, status=RunStatus.PUBLISHED)
    entry = confirmed.item.entry
    result = run.results.get(unit=entry.unit)
    assert "察访核验更正" in explain_result(result).entries[entry.pk].reason


@pytest.mark.django_db
def test_flagged_entries_wait_in_the_review_queue(demo: None) -> None:
    flagged = EntryFlag.objects.filter(entry__status=EntryStatus.SUBMITTED)
    assert flagged.exists()
    office = User.objects.get(username="office")
    page = login(Client(), office).get(reverse("collection:review_queue"))
    assert "异常提示" in page.content.decode()
    inspector = User.objects.get(username="inspector")
    home = login(Client(), inspector).get("/")
    assert "察访核验" in home.content.decode()


@pytest.mark.django_db
def test_three_units_have_duties_with_a_gap_on_the_coverage_page(demo: None) -> None:
    from jixiao.org.models import AssessmentYear
    from jixiao.verification import duties

    units, _categories = duties.coverage(AssessmentYear.objects.get(year=2026))
    with_duties = [u for u in units if u.has_duties]
    assert len(with_duties) == 3
    assert all(len(u.uncovered) == 1 for u in with_duties)
    assert any(u.unmatched for u in with_duties)
    office = User.objects.get(username="office")
    page = login(Client(), office).get(reverse("verification:duties") + "?year=2026")
    assert "职责未覆盖" in page.content.decode()


@pytest.mark.django_db
def test_a_negative_list_event_waits_for_review(demo: None) -> None:
    from jixiao.collection.models import BonusPenaltyStatus
    from jixiao.verification.models import NegativeEvent

    (record,) = NegativeEvent.objects.select_related("event", "item")
    assert record.item.name == "被上级通报批评"
    assert record.event.status == BonusPenaltyStatus.SUBMITTED
    assert record.event.points == -record.item.points
