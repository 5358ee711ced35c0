from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.supervision.access import tasks_visible_to
from jixiao.supervision.models import Card, CardColor, TaskState


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    if user.role in (Role.SUPERVISION, Role.OFFICE, Role.LEADER):
        tasks = tasks_visible_to(user).filter(year=today.year)
        states = dict(tasks.order_by().values_list("state").annotate(n=Count("pk")))
        cards = dict(
            Card.objects.counted()
            .filter(year=today.year)
            .order_by()
            .values_list("color")
            .annotate(n=Count("pk"))
        )
        return [
            Panel(
                "supervision/panels/office.html",
                {
                    "draft": states.get(TaskState.DRAFT, 0),
                    "to_verify": states.get(TaskState.CLOSE_REQUESTED, 0),
                    "open": tasks.open().count(),
                    "overdue": tasks.overdue(today).count(),
                    "closed": states.get(TaskState.CLOSED, 0),
                    "red": cards.get(CardColor.RED, 0),
                    "yellow": cards.get(CardColor.YELLOW, 0),
                    "runs": user.role == Role.SUPERVISION,
                },
                order=10 if user.role == Role.SUPERVISION else 60,
                wide=user.role == Role.SUPERVISION,
            )
        ]
    if user.role in (Role.UNIT, Role.DEPARTMENT) and user.organization_id:
        mine = tasks_visible_to(user).filter(lead_unit_id=user.organization_id)
        open_tasks = mine.open()
        if not mine.exists():
            return []
        latest = list(
            Card.objects.filter(unit_id=user.organization_id, year=today.year)
            .select_related("task")
            .order_by("-issued_on", "-pk")[:5]
        )
        return [
            Panel(
                "supervision/panels/unit.html",
                {
                    "to_accept": open_tasks.filter(state=TaskState.ASSIGNED).count(),
                    "open": open_tasks.count(),
                    "overdue": open_tasks.filter(deadline__lt=today).count(),
                    "red": Card.objects.counted()
                    .filter(unit_id=user.organization_id, year=today.year, color=CardColor.RED)
                    .count(),
                    "yellow": Card.objects.counted()
                    .filter(unit_id=user.organization_id, year=today.year, color=CardColor.YELLOW)
                    .count(),
                    "cards": latest,
                },
                order=15,
            )
        ]
    return []
