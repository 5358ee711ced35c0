"""群众反映 → 督查督办: accepting a citizen's message (已转办) raises a supervision task.

The complaints app never imports supervision; this module subscribes to its hooks in
`SupervisionConfig.ready()`. The task is raised in 立项 (not yet handed over), linked both
ways (the task names the message, the message's queue and status page name the task), with
the message's unit as the lead unit and a default deadline the 督查室 changes before
handing it over. A message that names no unit is accepted without a task; the queue says
the 督查室 raises one by hand.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.supervision.models import SourceKind, SourceType, SupervisionTask

# Days a citizen's problem gets by default; the 督查室 sets the real deadline in 立项.
DEFAULT_DAYS = 30


def raise_task(complaint: Any, user: Any) -> None:
    from jixiao.supervision.actions import TaskDraft, create_task

    if complaint.unit is None:
        return
    # Only the 督查室 raises tasks of this source; the office's acceptance is handed to it.
    if user.role != Role.SUPERVISION:
        return
    today = timezone.localdate()
    create_task(
        user,
        TaskDraft(
            year=today.year,
            title=_("群众反映：%(text)s") % {"text": complaint.problem.strip()[:40]},
            source_kind=SourceKind.PUBLIC,
            problem=complaint.problem,
            lead_unit=complaint.unit,
            deadline=today + timedelta(days=DEFAULT_DAYS),
            source_type=SourceType.COMPLAINT,
            source_id=complaint.pk,
            source_text=_("群众反映 %(receipt)s") % {"receipt": complaint.receipt},
        ),
    )


def where_handed(complaint: Any) -> str:
    task = (
        SupervisionTask.objects.from_source(SourceType.COMPLAINT, complaint.pk)
        .order_by("pk")
        .first()
    )
    if task is None:
        return ""
    return _("督查督办事项“%(title)s”（%(state)s）") % {
        "title": task.title,
        "state": task.get_state_display(),
    }
