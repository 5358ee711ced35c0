"""The task lifecycle table: every (state, action) tried by every persona — allowed
exactly where the table says, refused in Chinese elsewhere, and a refusal changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Notification
from jixiao.core.workflow import TransitionRefused
from jixiao.supervision import actions
from jixiao.supervision.models import ProgressReport, TaskState
from jixiao.supervision.tests.factories import in_state, raised
from jixiao.supervision.workflow import TABLE, Act, Actor

pytestmark = pytest.mark.django_db

# persona -> the actor it is for a task led by unit_org (None: no actor at all)
PERSONAS = {
    "supervision": Actor.SUPERVISION,
    "unit": Actor.LEAD,
    "other_unit": None,
    "office": None,
    "leader": None,
    "dept": None,
}


def _try(user: User, task: object, action: str) -> str:
    result = "done" if action == Act.VERIFY else ""
    moved = actions.transition(user, task, action, reason="情况说明", result=result)  # type: ignore[arg-type]
    return moved.state


@pytest.mark.parametrize("state", TaskState.values)
def test_every_move_of_every_persona_is_allowed_exactly_where_the_table_says(
    state: str, personas: dict[str, User], unit_org: object
) -> None:
    creator = personas["supervision"]
    for who, actor in PERSONAS.items():
        for action in Act.values:
            task = in_state(state, unit_org, creator)  # type: ignore[arg-type]
            rule = TABLE.rules.get((state, action, actor)) if actor else None
            if rule is not None:
                assert _try(personas[who], task, action) == rule.to, (state, action, who)
                continue
            with pytest.raises(TransitionRefused) as refused:
                _try(personas[who], task, action)
            assert refused.value.messages[0]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.messages[0])
            task.refresh_from_db()
            assert task.state == state
            assert task.version == 1


def test_the_table_has_the_lifecycle_of_the_issue() -> None:
    S = TaskState
    path = [
        (S.DRAFT, Act.ASSIGN, Actor.SUPERVISION),
        (S.ASSIGNED, Act.ACCEPT, Actor.LEAD),
        (S.ACCEPTED, Act.REPORT, Actor.LEAD),
        (S.IN_PROGRESS, Act.REQUEST_CLOSE, Actor.LEAD),
        (S.CLOSE_REQUESTED, Act.VERIFY, Actor.SUPERVISION),
        (S.VERIFIED, Act.CLOSE, Actor.SUPERVISION),
    ]
    targets = [TABLE.rules[key].to for key in path]
    assert targets == [
        S.ASSIGNED,
        S.ACCEPTED,
        S.IN_PROGRESS,
        S.CLOSE_REQUESTED,
        S.VERIFIED,
        S.CLOSED,
    ]
    assert {st for (st, a, _w) in TABLE if a == Act.REOPEN} == {S.CLOSED, S.SUSPENDED, S.ESCALATED}
    for (_s, act, _w), rule in TABLE.items():
        if act in (Act.SUSPEND, Act.ESCALATE, Act.REOPEN, Act.RETURN, Act.REPORT):
            assert rule.reason_required, act


def test_a_task_runs_its_whole_life_with_audit_rows_and_notifications(
    supervision: User, unit: User, unit_org: object
) -> None:
    task = raised(supervision, unit_org)  # type: ignore[arg-type]
    actions.transition(supervision, task, Act.ASSIGN, today=date(2026, 3, 1))
    assert Notification.objects.filter(recipient=unit, text__contains="请及时领办").exists()
    actions.transition(unit, task, Act.ACCEPT, today=date(2026, 3, 2))
    actions.transition(unit, task, Act.REPORT, reason="已增设两个窗口", today=date(2026, 3, 10))
    actions.transition(
        unit, task, Act.REQUEST_CLOSE, reason="排队缩短至10分钟", today=date(2026, 3, 20)
    )
    assert Notification.objects.filter(recipient=supervision, text__contains="申请").exists()
    actions.transition(supervision, task, Act.VERIFY, result="done")
    task = actions.transition(supervision, task, Act.CLOSE, today=date(2026, 3, 25))
    assert task.state == TaskState.CLOSED
    assert task.closed_on == date(2026, 3, 25)
    assert task.result == "done"
    assert ProgressReport.objects.filter(task=task).count() == 2
    moves = AuditEvent.objects.filter(
        object_type="supervision.supervisiontask", object_id=str(task.pk), action="transition"
    )
    assert [e.after["action"] for e in moves.order_by("pk")] == [
        "assign",
        "accept",
        "report",
        "request_close",
        "verify",
        "close",
    ]


def test_reasons_and_results_are_required_where_the_table_asks(
    supervision: User, unit: User, unit_org: object
) -> None:
    task = in_state(TaskState.IN_PROGRESS, unit_org, supervision)  # type: ignore[arg-type]
    with pytest.raises(TransitionRefused, match="请填写报送推进情况的理由"):
        actions.transition(unit, task, Act.REPORT)
    task = in_state(TaskState.CLOSE_REQUESTED, unit_org, supervision)  # type: ignore[arg-type]
    with pytest.raises(TransitionRefused, match="请评定整改结果"):
        actions.transition(supervision, task, Act.VERIFY)
    actions.transition(supervision, task, Act.VERIFY, result="undone")
    with pytest.raises(TransitionRefused, match="不能销号"):
        actions.transition(supervision, task, Act.CLOSE)
    task = actions.transition(supervision, task, Act.RETURN, reason="未整改到位")
    assert task.state == TaskState.IN_PROGRESS


def test_a_refusal_names_who_may_act(supervision: User, other_unit: User, unit_org: object) -> None:
    task = in_state(TaskState.ASSIGNED, unit_org, supervision)  # type: ignore[arg-type]
    with pytest.raises(TransitionRefused, match="只有牵头单位可以执行“领办”"):
        actions.transition(other_unit, task, Act.ACCEPT)
    with pytest.raises(TransitionRefused, match="“交办”状态的数据不能执行“销号”"):
        actions.transition(supervision, task, Act.CLOSE)
