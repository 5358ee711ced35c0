"""The bonus–penalty ledger: one event at a time, same review, caps enforced."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection import ledger
from jixiao.collection.models import BonusPenaltyEvent
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import Act, BonusTransition, TransitionRefused


def _data(world: World, points: str) -> dict[str, object]:
    return {
        "indicator": world.bonus,
        "unit": world.unit,
        "points": Decimal(points),
        "document_number": "区委〔2026〕3号",
        "occurred_on": timezone.now().date(),
        "description": "获市级表彰",
    }


def test_a_department_records_an_event_with_an_audit_row(world: World, department: User) -> None:
    event = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "2"))
    assert (event.status, event.department, event.points) == (
        "draft",
        department.organization,
        Decimal("2"),
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(event.pk)).exists()


def test_the_bonus_cap_is_enforced_on_the_running_total(world: World, department: User) -> None:
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "3"))
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "2"))
    with pytest.raises(
        TransitionRefused, match="超出加分上限：创新加分上限 5 分，东湖街道已累计加 5 分"
    ):
        ledger.save_event(department, BonusPenaltyEvent(), _data(world, "0.5"))
    assert BonusPenaltyEvent.objects.count() == 2


def test_the_penalty_cap_is_enforced_and_returned_events_do_not_count(
    world: World, department: User, office: User
) -> None:
    first = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-3"))
    with pytest.raises(TransitionRefused, match="超出扣分上限"):
        ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-1"))
    BonusTransition(Act.SUBMIT, department).execute(first)
    BonusTransition(Act.RETURN, office, reason="依据不足").execute(first)
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-1"))


def test_events_go_through_the_same_review(
    world: World, department: User, office: User, unit: User
) -> None:
    event = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "2"))
    event = BonusTransition(Act.SUBMIT, department).execute(event)
    with pytest.raises(TransitionRefused, match="只有绩效办可以执行"):
        BonusTransition(Act.APPROVE, department).execute(event)
    event = BonusTransition(Act.APPROVE, office).execute(event)
    assert (event.status, event.reviewed_by) == ("approved", office)
    assert unit.notifications.filter(text__contains="加扣分").exists()
    with pytest.raises(TransitionRefused, match="不能执行"):
        BonusTransition(Act.SUBMIT, department).execute(event)


def test_only_the_owner_records_events_for_its_indicator(
    world: World, other_department: User
) -> None:
    with pytest.raises(ledger.LedgerError, match="不由本单位负责"):
        ledger.save_event(other_department, BonusPenaltyEvent(), _data(world, "1"))
    assert not BonusPenaltyEvent.objects.exists()


def test_zero_points_are_refused(world: World, department: User) -> None:
    with pytest.raises(ledger.LedgerError, match="不能为 0"):
        ledger.save_event(department, BonusPenaltyEvent(), _data(world, "0"))


def test_the_form_creates_and_shows_caps(world: World, department_client: Client) -> None:
    page = department_client.get(reverse("collection:bonus_create"))
    assert "创新加分" in page.content.decode()
    response = department_client.post(
        reverse("collection:bonus_create"),
        {
            "indicator": world.bonus.pk,
            "unit": world.unit.pk,
            "points": "1.5",
            "document_number": "文号",
            "occurred_on": "2026-03-01",
            "description": "事由",
        },
    )
    event = BonusPenaltyEvent.objects.get()
    assert response.status_code == 302
    assert event.points == Decimal("1.5")
    detail = department_client.get(reverse("collection:bonus_detail", args=[event.pk]))
    assert "上限" in detail.content.decode()


def test_a_unit_sees_only_its_approved_events(
    world: World, unit: User, unit_client: Client
) -> None:
    mine = f.make_event(world.bonus, world.unit, "1", status="approved")
    f.make_event(world.bonus, world.unit, "1", status="submitted")
    f.make_event(world.bonus, world.other_unit, "1", status="approved")
    assert list(ledger.events_visible_to(unit)) == [mine]
    page = unit_client.get(reverse("collection:bonus_list"))
    assert [e.pk for e in page.context["page"]] == [mine.pk]


def test_a_group_cap_limits_the_sum_of_its_items(world: World, department: User) -> None:
    from jixiao.scheme.models import Indicator, IndicatorKind

    group = Indicator.objects.create(
        scheme=world.scheme,
        code="JG",
        name="加分项目",
        level=1,
        kind=IndicatorKind.BONUS_PENALTY,
        bonus_cap=Decimal("4"),
        penalty_cap=Decimal("0"),
    )
    items = []
    for code in ("JG1", "JG2"):
        item = f.make_indicator(
            world.scheme, code, department.organization, kind=IndicatorKind.BONUS_PENALTY, method=""
        )
        item.parent = group
        item.save()
        items.append(item)
    data = _data(world, "3") | {"indicator": items[0]}
    ledger.save_event(department, BonusPenaltyEvent(), data)
    with pytest.raises(TransitionRefused, match="超出加分上限：加分项目上限 4 分"):
        ledger.save_event(
            department, BonusPenaltyEvent(), data | {"indicator": items[1], "points": Decimal("2")}
        )
    with pytest.raises(TransitionRefused, match="超出扣分上限：加分项目上限 0 分"):
        ledger.save_event(department, BonusPenaltyEvent(), data | {"points": Decimal("-1")})
