"""Who is told of a task's step (in-app notifications through collection's door)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.notifications import notify
from jixiao.supervision.models import SupervisionTask, TaskState


def supervision_users() -> QuerySet[User]:
    return User.objects.filter(role=Role.SUPERVISION, is_active=True)


def unit_users(*unit_ids: int) -> QuerySet[User]:
    """The accounts of these organizations that answer tasks (unit and department roles)."""
    return User.objects.filter(
        role__in=(Role.UNIT, Role.DEPARTMENT), organization_id__in=unit_ids, is_active=True
    )


def link(task: SupervisionTask) -> str:
    return reverse("supervision:task", args=[task.pk])


def step_taken(task: SupervisionTask, action: str, actor: User, reason: str) -> None:
    ctx = {"t": task.title, "r": reason, "s": task.get_state_display()}
    lead = unit_users(task.lead_unit_id)
    if action == "assign":
        notify(lead, _("督查室交办了“%(t)s”，请及时领办") % ctx, link(task), exclude=actor)
        others = [u.pk for u in task.cooperating_units.all()]
        if others:
            notify(unit_users(*others), _("您单位是“%(t)s”的配合单位") % ctx, link(task))
    elif action in ("accept", "report", "request_close"):
        texts = {
            "accept": _("%(u)s已领办“%(t)s”"),
            "report": _("%(u)s报送了“%(t)s”的推进情况"),
            "request_close": _("%(u)s申请“%(t)s”销号，请核验"),
        }
        notify(
            supervision_users(),
            texts[action] % {**ctx, "u": task.lead_unit.name},
            link(task),
            exclude=actor,
        )
    elif action == "return":
        notify(lead, _("“%(t)s”的销号申请被退回：%(r)s") % ctx, link(task), exclude=actor)
    elif task.state in (TaskState.CLOSED, TaskState.VERIFIED, TaskState.SUSPENDED) or action in (
        "escalate",
        "reopen",
    ):
        text = _("“%(t)s”已%(s)s") % ctx
        if reason:
            text += _("：%(r)s") % ctx
        notify(lead, text, link(task), exclude=actor)


def remind(task: SupervisionTask, text: str) -> None:
    notify(unit_users(task.lead_unit_id), text, link(task))
