from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.inspections.models import REGISTERED, InspectionStatus, Violation
from jixiao.inspections.scope import OVERSEERS, inspections_visible_to, merge_flags
from jixiao.org.models import AssessmentYear


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in (*OVERSEERS, Role.DEPARTMENT, Role.UNIT):
        return []
    year = AssessmentYear.current()
    if year is None:
        return []
    rows = inspections_visible_to(user).filter(year=year)
    today = timezone.localdate()
    context: dict[str, object] = {
        "year": year,
        "upcoming": rows.filter(status__in=REGISTERED, end__gte=today).order_by("start")[:5],
        "merge": len(
            merge_flags(
                year,
                department_id=user.organization_id if user.role == Role.DEPARTMENT else None,
                unit_id=user.organization_id if user.role == Role.UNIT else None,
            )
        ),
    }
    if user.role in OVERSEERS:
        context["waiting"] = rows.filter(status=InspectionStatus.SUBMITTED).count()
        context["violations"] = Violation.objects.filter(year=year).count()
    if user.role == Role.DEPARTMENT:
        context["returned"] = rows.filter(status=InspectionStatus.RETURNED).count()
    elif not context["upcoming"] and not context["merge"] and user.role == Role.UNIT:
        return []
    return [Panel("inspections/panels/home.html", context, order=40)]
