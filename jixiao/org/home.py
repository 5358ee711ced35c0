from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest

from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.org.models import AssessmentYear, Organization


def home_panels(request: HttpRequest) -> list[Panel]:
    if not request.user.has_role(Role.OFFICE, Role.SYSTEM_ADMIN):  # type: ignore[union-attr]
        return []
    year = AssessmentYear.current()
    categories = year.categories.annotate(n=Count("enrollments")) if year else []
    counts = Organization.objects.active().aggregate(
        departments=Count("pk", filter=Q(is_department=True)),
        units=Count("pk", filter=Q(is_assessed_unit=True)),
    )
    return [
        Panel(
            "org/panels/directory.html",
            {"year": year, "categories": categories, **counts},
            order=10,
        )
    ]
