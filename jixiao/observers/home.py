from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.observers.access import assignments_of, observations_visible_to
from jixiao.observers.models import Observation, Rating
from jixiao.observers.reports import current_quarter


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.OBSERVER:
        drafts = observations_visible_to(user).editable()[:10]
        return [
            Panel(
                "observers/panels/observer.html",
                {"assignments": assignments_of(user), "drafts": drafts},
                order=10,
                wide=True,
            )
        ]
    year, quarter = current_quarter()
    if user.role == Role.OFFICE:
        counts = (
            Observation.objects.submitted()
            .in_quarter(year, quarter)
            .aggregate(
                submitted=Count("id"), low=Count("id", filter=Q(rating__lte=Rating.DISSATISFIED))
            )
        )
        return [Panel("observers/panels/office.html", counts, order=40)]
    if user.role == Role.UNIT:
        n = observations_visible_to(user).in_quarter(year, quarter).count()
        if n:
            return [Panel("observers/panels/unit.html", {"submitted": n}, order=40)]
    return []
