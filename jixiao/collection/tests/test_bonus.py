"""The bonus–penalty ledger: one event at a time, same review; an event past a cap is
recorded with a warning (the score counts up to the cap per sign)."""

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


def test_an_event_past_the_bonus_cap_is_recorded_with_a_warning(
    world: World, department: User
) -> None:
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "3"))
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "2"))
    third = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "0.5"))
    assert BonusPenaltyEvent.objects.count() == 3
    assert ledger.cap_warnings(third) == [
        "超出加分上限：创新加分加分上限 5 分，东湖街道累计加分 5.5 分（含本条）。"
        "事项照常登记，计分时按上限计 5 分。"
    ]


def test_caps_are_per_sign_so_a_bonus_at_the_cap_does_not_stop_a_deduction(
    world: World, department: User
) -> None:
    """Caps +5 / −3: +5 is at the bonus cap, −2 is within the deduction cap: no warning."""
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "5"))
    deduction = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-2"))
    assert ledger.cap_warnings(deduction) == []


def test_returned_events_do_not_count_towards_a_cap(
    world: World, department: User, office: User
) -> None:
    first = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-3"))
    second = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-1"))
    assert "超出扣分上限" in ledger.cap_warnings(second)[0]
    BonusTransition(Act.SUBMIT, department).execute(first)
    BonusTransition(Act.RETURN, office, reason="依据不足").execute(first)
    assert ledger.cap_warnings(second) == []


def test_an_event_past_a_cap_can_be_submitted_and_approved(
    world: World, department: User, office: User
) -> None:
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-3"))
    past = ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-4"))
    past = BonusTransition(Act.SUBMIT, department).execute(past)
    past = BonusTransition(Act.APPROVE, office).execute(past)
    assert past.status == "approved"


def test_the_form_warns_the_person_recording_an_event_past_a_cap(
    world: World, department: User, department_client: Client
) -> None:
    ledger.save_event(department, BonusPenaltyEvent(), _data(world, "-3"))
    response = department_client.post(
        reverse("collection:bonus_create"),
        {
            "indicator": world.bonus.pk,
            "unit": world.unit.pk,
            "points": "-4",
            "document_number": "文号",
            "occurred_on": "2026-03-01",
            "description": "安全生产事故",
        },
        follow=True,
    )
    page = response.content.decode()
    assert BonusPenaltyEvent.objects.count() == 2
    assert "alert-warning" in page
    assert "东湖街道累计扣分 7 分（含本条）。事项照常登记，计分时按上限计 3 分。" in page
    assert "累计已超出上限" in page


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


def test_a_group_cap_warns_on_the_sum_of_its_items(world: World, department: User) -> None:
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
    second = ledger.save_event(
        department, BonusPenaltyEvent(), data | {"indicator": items[1], "points": Decimal("2")}
    )
    assert ledger.cap_warnings(second)[0].startswith(
        "超出加分上限：加分项目加分上限 4 分，东湖街道累计加分 5 分（含本条）"
    )
    third = ledger.save_event(department, BonusPenaltyEvent(), data | {"points": Decimal("-1")})
    assert ledger.cap_warnings(third)[0].startswith("超出扣分上限：加分项目扣分上限 0 分")


def test_a_group_cap_sees_what_its_items_count_after_their_own_caps(
    world: World, department: User
) -> None:
    """Items capped at +3, group at +4: +5 on one item counts 3 there (warned on the item,
    not the group); +2 on the other brings 3 + 2 = 5 to the group (warned on the group)."""
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
            world.scheme,
            code,
            department.organization,
            kind=IndicatorKind.BONUS_PENALTY,
            method="",
            name=f"项目{code}",
            bonus_cap="3",
            penalty_cap="0",
        )
        item.parent = group
        item.save()
        items.append(item)
    data = _data(world, "5") | {"indicator": items[0]}
    first = ledger.save_event(department, BonusPenaltyEvent(), data)
    assert [w[:16] for w in ledger.cap_warnings(first)] == ["超出加分上限：项目JG1加分上限"]
    second = ledger.save_event(
        department, BonusPenaltyEvent(), data | {"indicator": items[1], "points": Decimal("2")}
    )
    assert ledger.cap_warnings(second) == [
        "超出加分上限：加分项目加分上限 4 分，东湖街道累计加分 5 分（含本条）。"
        "事项照常登记，计分时按上限计 4 分。"
    ]
    statuses = {s.node.code: s for s in ledger.cap_status(items[1], world.unit.pk)}
    assert (statuses["JG2"].bonus_over, statuses["JG"].bonus_over) == (False, True)
