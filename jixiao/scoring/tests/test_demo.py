"""The demo district's results look like a real appraisal (load_demo once per module)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import BonusPenaltyEvent, Entry, RecheckRequest
from jixiao.core.testing import login
from jixiao.scoring.models import RunStatus, ScoreRun, UnitResult

AGENCY_RANGE = (Decimal(80), Decimal(98))
STREET_RANGE = (Decimal(800), Decimal(975))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo district, built once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo", quiet=True)
        yield
        transaction.set_rollback(True)


def published(year: int) -> ScoreRun:
    return ScoreRun.objects.get(year__year=year, status=RunStatus.PUBLISHED)


def by_category(run: ScoreRun) -> dict[str, list[UnitResult]]:
    rows: dict[str, list[UnitResult]] = defaultdict(list)
    for result in UnitResult.objects.filter(run=run).select_related(
        "unit", "run_category__category"
    ):
        rows[result.run_category.category.code].append(result)
    return rows


def codes(items: list[list[str]]) -> set[str]:
    return {item[0] for item in items}


@pytest.mark.django_db
def test_no_unit_misses_data_in_the_published_2026_and_2025_runs(demo: None) -> None:
    for year in (2025, 2026):
        run = published(year)
        assert run.missing_count == 0
        assert run.unit_count == 60
        assert not [r.unit.code for r in UnitResult.objects.filter(run=run) if r.missing]


@pytest.mark.django_db
def test_totals_look_like_a_real_appraisal(demo: None) -> None:
    categories = by_category(published(2026))
    assert set(categories) == {"DQ", "ZF", "JD"}
    for code, rows in categories.items():
        low, high = STREET_RANGE if code == "JD" else AGENCY_RANGE
        totals = sorted(r.total for r in rows)
        assert low <= totals[0], (code, totals[0])
        assert totals[-1] <= high, (code, totals[-1])
        # a real spread, not everyone on the same score
        assert totals[-1] - totals[0] >= (high - low) / 3


@pytest.mark.django_db
def test_every_category_has_excellent_units_bottom_two_warnings_and_a_riser(demo: None) -> None:
    for code, rows in by_category(published(2026)).items():
        excellent = [r for r in rows if r.grade == "优秀"]
        assert 0 < len(excellent) <= len(rows) * 3 // 10, code
        warned = [r for r in rows if "bottom_two" in codes(r.warnings)]
        assert len(warned) >= 2, code
        assert any("bottom_two_consecutive" in codes(r.warnings) for r in rows), code
        assert any("争先" in codes(r.awards) for r in rows), code
        assert max(r.rank for r in warned) == len(rows)


@pytest.mark.django_db
def test_ties_are_visible_in_the_rankings(demo: None) -> None:
    ties = [
        code
        for code, rows in by_category(published(2026)).items()
        if len({r.rank for r in rows}) < len(rows)
    ]
    assert ties


@pytest.mark.django_db
def test_2026_report_cards_carry_last_years_figures(demo: None) -> None:
    run = published(2026)
    last = {r.unit_id: r for r in UnitResult.objects.filter(run=published(2025))}
    for result in UnitResult.objects.filter(run=run):
        assert result.last_total == last[result.unit_id].total
        assert result.last_rank == last[result.unit_id].rank
    donghu = User.objects.get(username="donghu")
    client = login(Client(), donghu)
    page = client.get(reverse("scoring:card", args=[run.pk, donghu.organization_id]))
    assert page.status_code == 200
    assert str(last[donghu.organization_id].total) in page.content.decode()


@pytest.mark.django_db
def test_a_second_unpublished_2026_run_shows_the_recheck_correction(demo: None) -> None:
    newest = ScoreRun.objects.filter(year__year=2026).order_by("-number").first()
    assert newest is not None
    assert newest.status == RunStatus.COMPUTED
    assert newest.compared_with == published(2026)
    # computed after the collection story's incremental recomputes, not patched by them
    assert not AuditEvent.objects.filter(reason="采集数据变更，增量重算").exists()
    assert newest.summary["changed"] == 1
    before = UnitResult.objects.get(run=published(2026), unit__code="JD01")
    after = UnitResult.objects.get(run=newest, unit__code="JD01")
    assert after.total > before.total
    assert RecheckRequest.objects.filter(unit__code="JD01", status="answered").exists()
    assert RecheckRequest.objects.filter(unit__code="JD01", status="open").exists()


@pytest.mark.django_db
def test_bonus_and_penalty_events_are_few_and_within_caps(demo: None) -> None:
    approved = BonusPenaltyEvent.objects.filter(scheme__year__year=2026, status="approved")
    assert 5 <= approved.count() <= 15
    assert BonusPenaltyEvent.objects.filter(scheme__year__year=2026, status="submitted").exists()
    for code, rows in by_category(published(2026)).items():
        scale = 1000 if code == "JD" else 100
        for result in rows:
            assert result.total <= scale + (30 if code == "JD" else 3)


def _state() -> tuple[Any, ...]:
    return (
        list(ScoreRun.objects.order_by("id").values_list("version", flat=True)),
        Entry.objects.count(),
        sorted(Entry.objects.values_list("id", "status", "value", "reference", "grade")),
        BonusPenaltyEvent.objects.count(),
        RecheckRequest.objects.count(),
        list(ScoreRun.objects.order_by("id").values_list("number", "status", "fingerprint")),
        AuditEvent.objects.exclude(reason__startswith="manage.py load_demo").count(),
    )


@pytest.mark.django_db
def test_loading_the_demo_again_changes_nothing(demo: None) -> None:
    before = _state()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("load_demo", quiet=True)
    assert _state() == before
