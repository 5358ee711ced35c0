"""Triage: release, accept (with the hook), reject with a reason, merge duplicates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.workflow import TransitionRefused
from jixiao.complaints import actions, hooks
from jixiao.complaints.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db


def _complaint(
    problem: str = "窗口说系统不通，退休手续办不了。", quarantine: str = ""
) -> Complaint:
    return actions.submit_complaint(
        unit=None,
        window="",
        problem=problem,
        place_time="",
        phone="13812345678",
        device="d",
        address="10.0.0.1",
        quarantine_reason=quarantine,
    )


@pytest.fixture
def seen() -> Iterator[list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []

    def callback(complaint: Complaint, user: User) -> None:
        calls.append((complaint.receipt, user.username))

    hooks.on_accepted(callback)
    hooks.on_accepted(callback)  # twice: still one subscription
    yield calls
    hooks.accepted.remove(callback)


def test_accepting_marks_it_handed_on_records_who_and_runs_the_hook(
    supervision: User, seen: list[tuple[str, str]]
) -> None:
    complaint = actions.accept_complaint(supervision, _complaint(), "转督查立项")
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.handled_by == supervision
    assert seen == [(complaint.receipt, "supervision")]
    event = AuditEvent.objects.filter(object_type="complaints.complaint").latest("pk")
    assert event.after == {"status": "accepted", "action": "accept"}


def test_a_hook_that_refuses_leaves_the_complaint_untouched(office: User) -> None:
    def refuse(complaint: Complaint, user: User) -> None:
        raise TransitionRefused("督查任务未能创建")

    hooks.on_accepted(refuse)
    try:
        complaint = _complaint()
        with pytest.raises(TransitionRefused, match="督查任务未能创建"):
            actions.accept_complaint(office, complaint)
    finally:
        hooks.accepted.remove(refuse)
    assert Complaint.objects.get().status == ComplaintStatus.NEW


def test_rejecting_needs_a_reason(office: User) -> None:
    complaint = _complaint()
    with pytest.raises(TransitionRefused, match="理由"):
        actions.reject_complaint(office, complaint, " ")
    actions.reject_complaint(office, complaint, "该证明已取消")
    assert Complaint.objects.get().decision_note == "该证明已取消"


def test_a_quarantined_message_is_released_or_rejected_but_not_accepted_directly(
    office: User,
) -> None:
    complaint = _complaint(quarantine="同一地址短时间内提交过多")
    with pytest.raises(TransitionRefused, match="“待甄别”状态"):
        actions.accept_complaint(office, complaint)
    actions.release_complaint(office, complaint)
    assert actions.accept_complaint(office, complaint).status == ComplaintStatus.ACCEPTED


def test_duplicates_merge_into_an_earlier_message_never_into_a_merged_one(office: User) -> None:
    first, second, third = _complaint(), _complaint("同一问题"), _complaint("又一次")
    actions.merge_complaint(office, second, first)
    assert Complaint.objects.get(pk=second.pk).merged_into == first
    with pytest.raises(TransitionRefused, match="原反映"):
        actions.merge_complaint(office, third, Complaint.objects.get(pk=second.pk))
    with pytest.raises(TransitionRefused, match="自身"):
        actions.merge_complaint(office, third, third)


@pytest.mark.parametrize("who", ["department", "unit", "leader", "inspector"])
def test_only_the_office_and_the_supervision_office_triage(
    who: str, personas: dict[str, User]
) -> None:
    user = personas["dept" if who == "department" else who]
    complaint = _complaint()
    with pytest.raises(TransitionRefused, match="只有绩效办或督查室"):
        actions.accept_complaint(user, complaint)
    assert Complaint.objects.get().status == ComplaintStatus.NEW


def test_the_audit_row_of_a_new_message_never_keeps_the_phone(db: None) -> None:
    complaint = _complaint()
    event = AuditEvent.objects.get(object_type="complaints.complaint", object_id=str(complaint.pk))
    assert "13812345678" not in str(event.after)


def test_the_supervision_office_accepting_a_message_about_a_unit_raises_a_linked_task(
    supervision: User, unit_org: object
) -> None:
    from jixiao.complaints.hooks import where_handed
    from jixiao.supervision.models import SourceKind, SourceType, SupervisionTask, TaskState
    from jixiao.supervision.sources import source_link

    complaint = actions.submit_complaint(
        unit=unit_org,
        window="社保窗口",
        problem="窗口说系统不通，退休手续办不了。",
        place_time="",
        phone="",
        device="d",
        address="10.0.0.1",
        quarantine_reason="",
    )
    actions.accept_complaint(supervision, complaint, "转督查立项")
    task = SupervisionTask.objects.get()
    assert (task.source_kind, task.lead_unit, task.state) == (
        SourceKind.PUBLIC,
        unit_org,
        TaskState.DRAFT,
    )
    assert task.problem == complaint.problem
    assert source_link(task).endswith(f"/complaints/{complaint.pk}/")
    assert task.source_type == SourceType.COMPLAINT
    assert task.title in where_handed(complaint)


def test_a_message_naming_no_unit_is_accepted_without_a_task(supervision: User) -> None:
    from jixiao.supervision.models import SupervisionTask

    actions.accept_complaint(supervision, _complaint(), "转督查立项")
    assert not SupervisionTask.objects.exists()
