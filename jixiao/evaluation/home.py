from __future__ import annotations

from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.evaluation.models import Reviewer, Round, RoundStatus


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.REVIEWER:
        mine = Reviewer.objects.filter(user=user)
        todo = mine.filter(round__status=RoundStatus.OPEN, cast_at__isnull=True)
        return [
            Panel(
                "evaluation/panels/reviewer.html",
                {
                    "todo": list(todo.select_related("round", "group")),
                    "cast": mine.filter(cast_at__isnull=False).count(),
                },
                order=10,
            )
        ]
    if user.role == Role.OFFICE:
        rounds = list(Round.objects.filter(status=RoundStatus.OPEN).order_by("pk")[:5])
        if rounds:
            return [Panel("evaluation/panels/office.html", {"rounds": rounds}, order=40)]
    return []
