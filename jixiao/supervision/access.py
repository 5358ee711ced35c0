"""Who sees which task: 404 for anything out of scope.

督查室 sees and runs everything; the performance office (scoring effect) and leaders
(summary) see every task read-only; a unit or department account sees the tasks its
organization leads or cooperates on once they are handed over; nobody else anything."""

from __future__ import annotations

from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.supervision.models import SupervisionTask, TaskQuerySet, TaskState

READERS = (Role.SUPERVISION, Role.OFFICE, Role.LEADER)
UNIT_ROLES = (Role.UNIT, Role.DEPARTMENT)
ROLES = (*READERS, *UNIT_ROLES)


def tasks_visible_to(user: User) -> TaskQuerySet:
    qs: TaskQuerySet = SupervisionTask.objects.all()
    if user.role in READERS:
        return qs
    if user.role in UNIT_ROLES and user.organization_id:
        return qs.of_unit(user.organization_id).exclude(state=TaskState.DRAFT)
    return qs.none()


def access_task(user: User, pk: int) -> SupervisionTask:
    task = (
        tasks_visible_to(user)
        .select_related("lead_unit", "created_by", "carried_from")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task
