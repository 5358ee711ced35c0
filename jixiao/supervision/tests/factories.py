"""Test builders of supervision: a task in any state, as the table would leave it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from factory.django import DjangoModelFactory

from jixiao.accounts.models import User
from jixiao.org.models import Organization
from jixiao.supervision import actions
from jixiao.supervision.models import SourceKind, SupervisionTask, TaskState


class TaskFactory(DjangoModelFactory[SupervisionTask]):
    class Meta:
        model = SupervisionTask

    year = 2026
    title = factory.Sequence(lambda n: f"督办事项{n}")
    source_kind = SourceKind.LEADER
    problem = "群众反映办事排队时间长"
    deadline = date(2026, 6, 30)
    state = TaskState.DRAFT


def raised(user: User, unit: Organization, **kwargs: Any) -> SupervisionTask:
    """A task raised through the action (立项)."""
    fields: dict[str, Any] = {
        "year": 2026,
        "title": "窗口排队时间过长",
        "source_kind": SourceKind.LEADER,
        "problem": "群众反映办事排队时间长",
        "lead_unit": unit,
        "deadline": date(2026, 6, 30),
    }
    fields.update(kwargs)
    return actions.create_task(user, actions.TaskDraft(**fields))


def in_state(state: str, unit: Organization, creator: User, **kwargs: Any) -> SupervisionTask:
    """A task sitting in `state` with the dates that state implies."""
    d = date(2026, 3, 1)
    dates: dict[str, Any] = {}
    if state != TaskState.DRAFT:
        dates["assigned_on"] = d
    if state not in (TaskState.DRAFT, TaskState.ASSIGNED):
        dates["accepted_on"] = d + timedelta(days=1)
    if state == TaskState.CLOSED:
        dates["closed_on"] = d + timedelta(days=30)
    if state in (TaskState.VERIFIED, TaskState.CLOSED):
        dates["result"] = "done"
    dates.update(kwargs)
    return TaskFactory.create(state=state, lead_unit=unit, created_by=creator, **dates)
