"""Computing, publishing, freezing, versions and incremental recompute."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import Entry
from jixiao.scoring import actions
from jixiao.scoring.models import (
    FrozenResultError,
    RankingsAudience,
    RunStatus,
    ScoreRun,
    UnitResult,
)
from jixiao.scoring.tests.factories import publish, zhangjiagang_world
from jixiao.scoring.views_support import run_diff

D = Decimal
pytestmark = pytest.mark.django_db


def _totals(run: ScoreRun) -> dict[str, Decimal]:
    return dict(UnitResult.objects.filter(run=run).values_list("unit__code", "total"))


def test_publishing_freezes_the_run_and_audits_it(office: User) -> None:
    w = zhangjiagang_world()
    run = actions.compute_run(w.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert run.published_by == office
    result = UnitResult.objects.filter(run=run).first()
    assert result is not None
    result.total = D(1)
    with pytest.raises(FrozenResultError):
        result.save()
    with pytest.raises(FrozenResultError):
        UnitResult.objects.filter(run=run).update(total=D(1))
    with pytest.raises(FrozenResultError):
        run.delete()
    with pytest.raises(FrozenResultError):
        UnitResult.objects.filter(run=run).delete()
    assert _totals(run)["FGJ"] == D("89.75")
    assert AuditEvent.objects.filter(
        object_type="scoring.scorerun", object_id=str(run.pk), action=AuditAction.TRANSITION
    ).exists()


@pytest.mark.postgres
def test_postgres_refuses_to_change_published_results_even_in_raw_sql(office: User) -> None:
    w = zhangjiagang_world()
    run = actions.compute_run(w.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    with (
        pytest.raises(Exception, match="frozen"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE scoring_unitresult SET total = 1 WHERE run_id = %s", [run.pk])
    with (
        pytest.raises(Exception, match="frozen"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM scoring_scorerun WHERE id = %s", [run.pk])
    assert _totals(run)["FGJ"] == D("89.75")


def test_a_recompute_is_a_new_version_with_a_diff_against_the_published_one(
    office: User,
) -> None:
    w = zhangjiagang_world()
    first = actions.compute_run(w.year, user=office)
    publish(first, user=office, audience=RankingsAudience.LEADERS)
    entry = Entry.objects.get(unit__code="MZJ", indicator__code="1.1.1")
    entry.value = D(100)  # 17.5 -> 25 points: MZJ 67.9 -> 75.4
    entry.save()
    second = actions.compute_run(w.year, user=office)
    assert second.number == 2
    assert second.compared_with == first
    assert second.summary["changed"] == 1
    assert _totals(first)["MZJ"] == D("67.90")
    assert _totals(second)["MZJ"] == D("75.40")
    changes = run_diff(first, second)
    assert len(changes) == 1
    change = changes[0]
    assert change.unit_code == "MZJ"
    assert change.total_change == D("7.50")
    assert [(n.code, n.old, n.new) for n in change.nodes][:1] == [("1", D("40.5"), D("48"))] or (
        "1.1.1",
        D("17.5"),
        D("25"),
    ) in [(n.code, n.old, n.new) for n in change.nodes]
    publish(second, user=office, audience=RankingsAudience.UNITS)
    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED


def test_only_the_newest_computed_run_can_be_published(office: User) -> None:
    w = zhangjiagang_world()
    first = actions.compute_run(w.year, user=office)
    actions.compute_run(w.year, user=office)
    with pytest.raises(actions.ResultActionError):
        publish(first, user=office, audience=RankingsAudience.LEADERS)
    first.refresh_from_db()
    assert first.status == RunStatus.COMPUTED


def test_an_entry_change_updates_the_working_run_incrementally(office: User) -> None:
    w = zhangjiagang_world()
    run = actions.compute_run(w.year, user=office)
    entry = Entry.objects.get(unit__code="MZJ", indicator__code="1.1.1")
    entry.value = D(100)
    entry.save()
    updated = actions.recompute_entry(entry.pk)
    assert updated is not None
    assert updated.pk == run.pk
    totals = _totals(run)
    assert totals["MZJ"] == D("75.40")
    assert totals["FGJ"] == D("89.75")
    # The stored snapshot moved too (as a patch): the explanation shows the new figure,
    # and a full computation gives the same results.
    from jixiao.scoring.views_support import explain_result

    mzj = UnitResult.objects.select_related("unit", "run_category", "run").get(
        run=run, unit__code="MZJ"
    )
    assert "25 × min(100 ÷ 100, 1)" in explain_result(mzj).explanation.as_text()
    again = actions.compute_run(w.year, user=office)
    assert _totals(again) == totals
    assert again.fingerprint != run.fingerprint


def test_an_entry_change_leaves_a_published_run_alone(office: User) -> None:
    w = zhangjiagang_world()
    run = actions.compute_run(w.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    entry = Entry.objects.get(unit__code="MZJ", indicator__code="1.1.1")
    entry.value = D(100)
    entry.save()
    assert actions.recompute_entry(entry.pk) is None
    assert _totals(run)["MZJ"] == D("67.90")
