"""Home panels: the office sees how many lights are red and yellow; a unit its own."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.monitoring import lights
from jixiao.monitoring.status import default_month, year_lights
from jixiao.org.models import AssessmentYear
from jixiao.scheme.models import Scheme


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in (Role.OFFICE, Role.UNIT):
        return []
    year = AssessmentYear.current()
    scheme = Scheme.objects.select_related("year").filter(year=year).first() if year else None
    if scheme is None:
        return []
    month = default_month(scheme.year.year)
    unit_ids = [user.organization_id] if user.role == Role.UNIT else None
    found = year_lights(scheme, month, unit_ids=unit_ids)
    if not found:
        return []
    counts = Counter(x.color for x in found)
    context = {
        "year": scheme.year.year,
        "month": month,
        "red": counts.get(lights.RED, 0),
        "yellow": counts.get(lights.YELLOW, 0),
        "green": counts.get(lights.GREEN, 0),
        "reds": [x for x in found if x.color == lights.RED][:5],
        "is_office": user.role == Role.OFFICE,
    }
    return [Panel("monitoring/panels/lights.html", context, order=25)]
