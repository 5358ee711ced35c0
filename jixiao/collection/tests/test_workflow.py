"""Every (state, action, actor) of the transition table, legal and illegal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import Entry, EntryStatus, Notification
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import TABLE, Act, EntryTransition, TransitionRefused

PERSONA_ACTORS = {
    "dept": {"department"},
    "dept_leader": {"department", "leader"},
    "office": {"office"},
    "unit": {"unit"},
    "other_dept": set(),
    "other_unit": set(),
}
CASES = [
    (status, action, persona)
    for status in EntryStatus.values
    for action in Act.values
    for persona in PERSONA_ACTORS
]


def _legal(status: str, action: str, persona: str) -> str | None:
    for actor in PERSONA_ACTORS[persona]:
        rule = TABLE.get((status, action, actor))
        if rule is not None:
            return rule.to
    return None


@pytest.mark.parametrize(("status", "action", "persona"), CASES)
def test_every_transition_is_allowed_exactly_when_the_table_says_so(
    world: World, personas: dict[str, User], status: str, action: str, persona: str
) -> None:
    old = timezone.now() - timedelta(days=30)
    entry = f.make_entry(
        world.period,
        world.direct,
        world.unit,
        status=status,
        value="8",
        score="8",
        reason="按台账核定",
        published_at=old if action == Act.FINALIZE else None,
    )
    user = personas[persona]
    expected = _legal(status, action, persona)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            EntryTransition(action, user, reason="理由").execute([entry])
        assert refused.value.messages[0]  # a Chinese message, e.g. "只有绩效办可以执行…"
        entry.refresh_from_db()
        assert entry.status == status
        assert entry.version == 1
        assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()
    else:
        EntryTransition(action, user, reason="理由").execute([entry])
        entry.refresh_from_db()
        assert entry.status == expected
        assert entry.version == 2
        event = AuditEvent.objects.get(action=AuditAction.TRANSITION, object_id=str(entry.pk))
        assert event.before == {"status": status}
        assert event.after == {"status": expected, "action": action}
        assert event.reason == "理由"


def test_refusal_messages_name_who_may_act(world: World, department: User) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    with pytest.raises(TransitionRefused, match="只有绩效办可以执行“初审通过”"):
        EntryTransition(Act.APPROVE, department).execute([entry])


def test_an_action_that_does_not_exist_for_a_state_says_so(world: World, office: User) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.DRAFT)
    with pytest.raises(TransitionRefused, match="“草稿”状态的数据不能执行“公示”"):
        EntryTransition(Act.PUBLISH, office).execute([entry])


def test_approving_full_marks_asks_the_leader_to_confirm(
    world: World, office: User, department_leader: User
) -> None:
    entry = f.make_entry(
        world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED, value="10", score="10"
    )
    EntryTransition(Act.APPROVE, office).execute([entry])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_CONFIRMATION
    assert entry.reviewed_by == office
    note = Notification.objects.get(recipient=department_leader)
    assert "二次确认" in note.text


def test_approving_a_heavy_deduction_asks_the_leader_to_confirm(world: World, office: User) -> None:
    # heavy_deduction_share 0.5 of 10 points: 5 or less is a heavy deduction.
    entry = f.make_entry(
        world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED, value="5", score="5"
    )
    EntryTransition(Act.APPROVE, office).execute([entry])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_CONFIRMATION


def test_approving_an_ordinary_score_goes_straight_to_approved(world: World, office: User) -> None:
    entry = f.make_entry(
        world.period,
        world.direct,
        world.unit,
        status=EntryStatus.SUBMITTED,
        value="5.01",
        score="5.01",
    )
    EntryTransition(Act.APPROVE, office).execute([entry])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED


def test_the_leader_confirmation_is_recorded(world: World, department_leader: User) -> None:
    entry = f.make_entry(
        world.period, world.direct, world.unit, status=EntryStatus.AWAITING_CONFIRMATION
    )
    EntryTransition(Act.CONFIRM, department_leader).execute([entry])
    entry.refresh_from_db()
    assert (entry.status, entry.confirmed_by) == (EntryStatus.APPROVED, department_leader)


def test_returning_needs_a_reason_and_keeps_it(
    world: World, office: User, department: User
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    with pytest.raises(TransitionRefused, match="请填写退回的理由"):
        EntryTransition(Act.RETURN, office).execute([entry])
    EntryTransition(Act.RETURN, office, reason="数据与台账不符").execute([entry])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETURNED
    assert entry.review_comment == "数据与台账不符"
    assert Notification.objects.filter(
        recipient=department, text__contains="数据与台账不符"
    ).exists()


def test_submitting_checks_the_data_is_complete_and_explained(
    world: World, department: User
) -> None:
    incomplete = f.make_entry(world.period, world.completion, world.unit, value="80", score=None)
    with pytest.raises(TransitionRefused, match="数据未填写完整"):
        EntryTransition(Act.SUBMIT, department).execute([incomplete])
    unexplained = f.make_entry(world.period, world.direct, world.other_unit, value="10", score="10")
    with pytest.raises(TransitionRefused, match="满分须填写计分说明"):
        EntryTransition(Act.SUBMIT, department).execute([unexplained])


def test_a_batch_is_all_or_nothing(world: World, department: User) -> None:
    good = f.make_entry(world.period, world.direct, world.unit, value="8", score="8", reason="说明")
    bad = f.make_entry(world.period, world.direct, world.other_unit, value="10", score="10")
    with pytest.raises(TransitionRefused):
        EntryTransition(Act.SUBMIT, department).execute([good, bad])
    good.refresh_from_db()
    assert good.status == EntryStatus.DRAFT


def test_submitting_after_the_deadline_is_refused_without_an_exception(
    world: World, department: User, office: User, department_org: object
) -> None:
    world.period.deadline = timezone.now() - timedelta(hours=1)
    world.period.save()
    entry = f.make_entry(world.period, world.direct, world.unit, reason="说明")
    with pytest.raises(TransitionRefused, match="已过填报截止时间"):
        EntryTransition(Act.SUBMIT, department).execute([entry])
    world.period.exceptions.create(
        department=department.organization,
        until=timezone.now() + timedelta(days=1),
        reason="系统故障",
        granted_by=office,
    )
    EntryTransition(Act.SUBMIT, department).execute([entry])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_a_returned_entry_may_be_resubmitted_after_the_deadline(
    world: World, department: User
) -> None:
    world.period.deadline = timezone.now() - timedelta(hours=1)
    world.period.save()
    entry = f.make_entry(
        world.period, world.direct, world.unit, status=EntryStatus.RETURNED, reason="说明"
    )
    EntryTransition(Act.SUBMIT, department).execute([entry])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_recheck_requests_close_with_the_window(world: World, unit: User) -> None:
    entry = f.make_entry(
        world.period,
        world.direct,
        world.unit,
        status=EntryStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(days=6),
    )
    with pytest.raises(TransitionRefused, match="复核申请期已结束"):
        EntryTransition(Act.REQUEST_RECHECK, unit, reason="有异议").execute([entry])


def test_finalizing_waits_for_the_recheck_window(world: World, office: User) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.PUBLISHED)
    with pytest.raises(TransitionRefused, match="复核申请期至"):
        EntryTransition(Act.FINALIZE, office).execute([entry])


def test_publishing_notifies_each_unit(
    world: World, office: User, unit: User, other_unit: User
) -> None:
    a = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    b = f.make_entry(world.period, world.direct, world.other_unit, status=EntryStatus.APPROVED)
    EntryTransition(Act.PUBLISH, office).execute([a, b])
    assert (
        Entry.objects.filter(status=EntryStatus.PUBLISHED, published_at__isnull=False).count() == 2
    )
    assert Notification.objects.filter(recipient=unit).count() == 1
    assert Notification.objects.filter(recipient=other_unit).count() == 1


def test_submitting_notifies_the_office_and_not_the_submitter(
    world: World, office: User, department: User
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, reason="说明")
    EntryTransition(Act.SUBMIT, department).execute([entry])
    assert Notification.objects.filter(recipient=office, text__contains="待初审").count() == 1
    assert not Notification.objects.filter(recipient=department).exists()
