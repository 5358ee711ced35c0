"""No silent zeros: each unit's latest counting figure is used, and every unit without
one (or with a newer one still in review) is acknowledged by the office before publishing
and explained on its card."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus
from jixiao.core.testing import download_from_job
from jixiao.scheme.models import DataPeriod, Indicator
from jixiao.scoring import actions
from jixiao.scoring.gaps import run_gaps
from jixiao.scoring.models import (
    FrozenResultError,
    GapAcknowledgement,
    GapKind,
    RankingsAudience,
    RunStatus,
    UnitResult,
)
from jixiao.scoring.tests.factories import World, make_world

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    """Completion of 10 points against a target of 100, three units. The year-end
    period comes after a third-quarter one:
    A: Q3 approved 80, year-end sent back; B: Q3 approved 50, year-end approved 90;
    C: no data at all."""
    w = make_world()
    w.category("JG", 100, "机关部门")
    for code in ("A", "B", "C"):
        w.unit(code, "JG")
    w.indicator("1", None, 100, "completion", name="重点工作完成率")
    q3 = CollectionPeriod.objects.create(
        scheme=w.scheme,
        kind=DataPeriod.QUARTERLY,
        code="2026-Q3",
        name="2026年第三季度",
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        deadline=timezone.now(),
    )
    w.entry("A", "1", 80, 100, period=q3)
    w.entry("A", "1", 95, 100, status=EntryStatus.RETURNED)
    w.entry("B", "1", 50, 100, period=q3)
    w.entry("B", "1", 90, 100)
    return w


def _score(run: object, unit: str) -> Decimal:
    return UnitResult.objects.get(run=run, unit__code=unit).total


def test_a_newer_entry_sent_back_does_not_wipe_out_an_approved_earlier_figure(
    world: World, office: User
) -> None:
    run = actions.compute_run(world.year, user=office)
    assert _score(run, "A") == D("80.00")  # Q3's approved figure, not 0
    assert _score(run, "B") == D("90.00")  # its own latest counting figure
    assert _score(run, "C") == D("0.00")
    assert UnitResult.objects.get(run=run, unit__code="C").missing == ["1"]


def test_a_must_report_indicator_needs_its_periods_entry(world: World, office: User) -> None:
    Indicator.objects.filter(code="1").update(must_report=True)
    run = actions.compute_run(world.year, user=office)
    assert _score(run, "A") == D("0.00")  # the year-end entry is required and not approved
    assert _score(run, "B") == D("90.00")
    kinds = {(g.unit_code, g.kind) for g in run_gaps(run)}
    assert kinds == {("A", GapKind.PENDING), ("C", GapKind.MISSING)}


def test_the_run_page_lists_every_gap_with_a_link(
    world: World, office: User, office_client: Client
) -> None:
    run = actions.compute_run(world.year, user=office)
    page = office_client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    returned = Entry.objects.get(unit__code="A", status=EntryStatus.RETURNED)
    year_end = CollectionPeriod.objects.get(code="2026-Y")
    assert "尚有 2 项未确认" in page
    assert reverse("collection:entry_detail", args=[returned.pk]) in page  # A: in review
    assert reverse("collection:period_detail", args=[year_end.pk]) in page  # C: nothing
    assert "未审定" in page
    assert "未报送" in page


def test_publishing_with_an_unacknowledged_gap_is_refused(world: World, office: User) -> None:
    run = actions.compute_run(world.year, user=office)
    gaps = run_gaps(run)
    actions.acknowledge_gaps(run, user=office, keys=[gaps[0].key], reason="经催报仍未报送")
    with pytest.raises(actions.ResultActionError, match="尚未逐项确认"):
        actions.publish_run(run, user=office, audience=RankingsAudience.LEADERS)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED


def test_an_acknowledgement_needs_a_reason_and_is_audited(world: World, office: User) -> None:
    run = actions.compute_run(world.year, user=office)
    keys = [g.key for g in run_gaps(run)]
    with pytest.raises(actions.ResultActionError, match="原因"):
        actions.acknowledge_gaps(run, user=office, keys=keys, reason="  ")
    assert not GapAcknowledgement.objects.exists()
    assert actions.acknowledge_gaps(run, user=office, keys=keys, reason="经催报仍未报送") == 2
    ack = GapAcknowledgement.objects.get(unit__code="C")
    assert AuditEvent.objects.for_object(ack).get().after["reason"] == "经催报仍未报送"


def test_the_card_says_why_a_unit_has_no_figure(
    world: World, office: User, office_client: Client
) -> None:
    run = actions.compute_run(world.year, user=office)
    by_unit = {g.unit_code: g.key for g in run_gaps(run)}
    actions.acknowledge_gaps(run, user=office, keys=[by_unit["A"]], reason="年末数据退回修改中")
    actions.acknowledge_gaps(run, user=office, keys=[by_unit["C"]], reason="三次催报未报送")
    actions.publish_run(run, user=office, audience=RankingsAudience.LEADERS)
    units = {u: world.units[u].pk for u in ("A", "C")}
    card_a = office_client.get(reverse("scoring:card", args=[run.pk, units["A"]])).content
    card_c = office_client.get(reverse("scoring:card", args=[run.pk, units["C"]])).content
    assert "未审定：年末数据退回修改中" in card_a.decode()
    assert "未报送：三次催报未报送" in card_c.decode()
    ack = GapAcknowledgement.objects.get(unit__code="C")
    ack.reason = "改写"
    with pytest.raises(FrozenResultError):
        ack.save()


def test_an_acknowledgement_of_a_gap_that_closed_is_dropped_at_publication(
    world: World, office: User
) -> None:
    run = actions.compute_run(world.year, user=office)
    actions.acknowledge_all_gaps(run, user=office, reason="待补")
    returned = Entry.objects.get(unit__code="A", status=EntryStatus.RETURNED)
    Entry.objects.filter(pk=returned.pk).update(status=EntryStatus.APPROVED)
    actions.recompute_entry(returned.pk)
    assert _score(run, "A") == D("95.00")  # the working run follows, incrementally
    actions.publish_run(run, user=office, audience=RankingsAudience.LEADERS)
    assert list(GapAcknowledgement.objects.values_list("unit__code", flat=True)) == ["C"]


def test_an_incremental_recompute_falls_back_to_the_earlier_figure(
    world: World, office: User
) -> None:
    run = actions.compute_run(world.year, user=office)
    latest = Entry.objects.get(unit__code="B", period__code="2026-Y")
    Entry.objects.filter(pk=latest.pk).update(status=EntryStatus.RETURNED)
    assert actions.recompute_entry(latest.pk) == run
    assert _score(run, "B") == D("50.00")  # Q3's figure counts again, not 0
    again = actions.compute_run(world.year, user=office)
    assert _score(again, "B") == D("50.00")


def test_the_explanation_and_the_excel_say_why_too(
    world: World, office: User, office_client: Client
) -> None:
    run = actions.compute_run(world.year, user=office)
    actions.acknowledge_all_gaps(run, user=office, reason="三次催报未报送")
    actions.publish_run(run, user=office, audience=RankingsAudience.LEADERS)
    unit = world.units["C"].pk
    page = office_client.get(reverse("scoring:explain", args=[run.pk, unit])).content.decode()
    assert "未报送：三次催报未报送" in page
    xlsx = download_from_job(office_client, reverse("scoring:export_xlsx", args=[run.pk])).content
    sheet = load_workbook(io.BytesIO(xlsx))["成绩汇总"]
    rows = {r[2]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in sheet[1]]
    assert rows["C"][header.index("缺报指标")] == "1（未报送：三次催报未报送）"
    assert rows["A"][header.index("缺报指标")] == "1（未审定：三次催报未报送）"
