"""A recheck answer that changes the value to full marks or a heavy deduction goes back to
the department leader's second confirmation before the office confirms (Liwan)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection import actions
from jixiao.collection.models import (
    Entry,
    EntryStatus,
    Notification,
    RecheckOutcome,
    RecheckRequest,
    RecheckStatus,
)
from jixiao.collection.scope import slot_for
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import TABLE, Act, Actor, EntryTransition, TransitionRefused
from jixiao.core.testing import login

S = EntryStatus


def _requested(world: World, unit: User, value: str = "8", reason: str = "按台账核定") -> Entry:
    entry = f.make_entry(
        world.period,
        world.direct,
        world.unit,
        status=S.PUBLISHED,
        value=value,
        score=value,
        reason=reason,
    )
    actions.request_recheck(unit, entry, "我单位已按期完成，应得满分")
    entry.refresh_from_db()
    return entry


def _answer(user: User, entry: Entry, value: str | None, reason: str = "核实后更正") -> None:
    actions.answer_recheck(
        user,
        entry,
        outcome=RecheckOutcome.CHANGED if value is not None else RecheckOutcome.UPHELD,
        answer="经核实",
        raw={"value": value} if value is not None else None,
        new_reason=reason,
        slot=slot_for(entry.period, entry.indicator, entry.unit),
    )
    entry.refresh_from_db()


def test_the_table_has_the_leaders_confirmation_of_a_changed_recheck_answer() -> None:
    assert TABLE[(S.RECHECK_CONFIRMATION, Act.CONFIRM, Actor.LEADER)].to == S.RECHECK_ANSWERED
    back = TABLE[(S.RECHECK_CONFIRMATION, Act.RETURN, Actor.LEADER)]
    assert back.to == S.RECHECK_REQUESTED
    assert back.reason_required
    answer = TABLE[(S.RECHECK_REQUESTED, Act.ANSWER_RECHECK, Actor.DEPARTMENT)]
    assert answer.to_if_changed_to_confirmation == S.RECHECK_CONFIRMATION
    assert [key for key in TABLE if key[0] == S.RECHECK_CONFIRMATION] == [
        (S.RECHECK_CONFIRMATION, Act.CONFIRM, Actor.LEADER),
        (S.RECHECK_CONFIRMATION, Act.RETURN, Actor.LEADER),
    ]


@pytest.mark.parametrize(("value", "why"), [("10", "full marks"), ("4", "heavy deduction")])
def test_a_recheck_answer_changed_to_full_marks_or_a_heavy_deduction_needs_the_leader(
    world: World,
    unit: User,
    department: User,
    department_leader: User,
    office: User,
    value: str,
    why: str,
) -> None:
    entry = _requested(world, unit)
    _answer(department, entry, value)
    assert entry.status == S.RECHECK_CONFIRMATION, why
    assert entry.score == Decimal(value)
    event = AuditEvent.objects.filter(
        action=AuditAction.TRANSITION, object_id=str(entry.pk)
    ).latest("id")
    assert event.before == {"status": S.RECHECK_REQUESTED}
    assert event.after == {"status": S.RECHECK_CONFIRMATION, "action": Act.ANSWER_RECHECK}
    note = Notification.objects.get(recipient=department_leader, text__contains="二次确认")
    assert "满分或重大扣分" in note.text
    assert str(entry.pk) in note.link
    # The office is not asked yet, and cannot confirm before the leader.
    assert not Notification.objects.filter(recipient=office, text__contains="复核").exists()
    with pytest.raises(TransitionRefused, match="不能执行“确认复核结果”"):
        actions.confirm_recheck(office, entry)
    with pytest.raises(TransitionRefused, match="只有数据采集单位负责人可以执行“二次确认”"):
        EntryTransition(Act.CONFIRM, department).execute([entry])

    EntryTransition(Act.CONFIRM, department_leader).execute([entry])
    entry.refresh_from_db()
    assert entry.status == S.RECHECK_ANSWERED
    assert entry.confirmed_by == department_leader
    assert Notification.objects.filter(recipient=office, text__contains="待确认").count() == 1
    actions.confirm_recheck(office, entry)
    entry.refresh_from_db()
    assert entry.status == S.FINAL
    assert RecheckRequest.objects.get(entry=entry).status == RecheckStatus.CONFIRMED
    steps = list(
        AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_id=str(entry.pk))
        .order_by("id")
        .values_list("after__status", flat=True)
    )
    assert steps[-4:] == [
        S.RECHECK_REQUESTED,
        S.RECHECK_CONFIRMATION,
        S.RECHECK_ANSWERED,
        S.FINAL,
    ]


def test_a_recheck_answer_changed_to_an_ordinary_score_goes_straight_to_the_office(
    world: World, unit: User, department: User, department_leader: User
) -> None:
    entry = _requested(world, unit)
    _answer(department, entry, "7")
    assert entry.status == S.RECHECK_ANSWERED
    assert not Notification.objects.filter(
        recipient=department_leader, text__contains="二次确认"
    ).exists()


def test_an_upheld_full_marks_entry_does_not_need_a_second_confirmation_again(
    world: World, unit: User, department: User
) -> None:
    entry = _requested(world, unit, value="10", reason="全年无事故，满分")
    _answer(department, entry, None)
    assert entry.status == S.RECHECK_ANSWERED


@pytest.mark.parametrize("persona", ["dept", "office", "unit", "other_dept", "other_unit"])
def test_only_the_leader_may_confirm_or_return_a_changed_recheck_answer(
    world: World, personas: dict[str, User], unit: User, department: User, persona: str
) -> None:
    entry = _requested(world, unit)
    _answer(department, entry, "10")
    version = entry.version
    for action in (Act.CONFIRM, Act.RETURN):
        with pytest.raises(TransitionRefused):
            EntryTransition(action, personas[persona], reason="不同意").execute([entry])
    entry.refresh_from_db()
    assert (entry.status, entry.version) == (S.RECHECK_CONFIRMATION, version)


def test_the_leader_returning_a_changed_answer_reopens_the_request_with_the_old_values(
    world: World, unit: User, department: User, department_leader: User
) -> None:
    entry = _requested(world, unit)
    _answer(department, entry, "10")
    with pytest.raises(TransitionRefused, match="请填写退回的理由"):
        actions.return_recheck_answer(department_leader, entry, "")
    actions.return_recheck_answer(department_leader, entry, "更正依据不足")
    entry.refresh_from_db()
    assert entry.status == S.RECHECK_REQUESTED
    assert (entry.value, entry.score, entry.reason) == (Decimal("8"), Decimal("8"), "按台账核定")
    assert entry.review_comment == "更正依据不足"
    request = RecheckRequest.objects.get(entry=entry)
    assert (request.status, request.outcome) == (RecheckStatus.OPEN, "")
    assert Notification.objects.filter(
        recipient=department, text__contains="复核答复被退回"
    ).exists()
    # Answered again (upheld), it goes to the office with the original values.
    _answer(department, entry, None)
    assert entry.status == S.RECHECK_ANSWERED
    assert entry.score == Decimal("8")


def test_the_office_returning_a_changed_answer_restores_the_old_values(
    world: World, unit: User, department: User, office: User
) -> None:
    entry = _requested(world, unit)
    _answer(department, entry, "7")
    assert entry.score == Decimal("7")
    actions.return_recheck_answer(office, entry, "请补充依据")
    entry.refresh_from_db()
    assert (entry.status, entry.score) == (S.RECHECK_REQUESTED, Decimal("8"))


def test_the_leader_confirms_a_changed_answer_from_the_entry_page_and_the_queue(
    client: object, world: World, unit: User, department: User, department_leader: User
) -> None:
    from django.test import Client

    entry = _requested(world, unit)
    _answer(department, entry, "10")
    leader_client = login(Client(), department_leader)
    queue = leader_client.get(reverse("collection:confirm_queue"))
    assert queue.status_code == 200
    assert f'value="{entry.pk}"' in queue.content.decode()
    page = leader_client.get(reverse("collection:entry_detail", args=[entry.pk])).content.decode()
    assert "复核待二次确认" in page
    assert 'value="confirm"' in page
    assert "退回答复" in page
    response = leader_client.post(
        reverse("collection:entry_action", args=[entry.pk]),
        {"action": Act.CONFIRM, "version": entry.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == S.RECHECK_ANSWERED


def test_the_unit_still_sees_its_entry_while_the_leader_confirms(
    world: World, unit: User, department: User
) -> None:
    entry = _requested(world, unit)
    _answer(department, entry, "10")
    assert Entry.objects.visible_to_unit(world.unit).filter(pk=entry.pk).exists()
