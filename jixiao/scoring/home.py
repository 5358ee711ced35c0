from __future__ import annotations

from django.http import HttpRequest

from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.org.models import AssessmentYear
from jixiao.scoring.access import RESULT_ROLES, visible_runs
from jixiao.scoring.models import CATEGORY_SNAPSHOT, UnitResult


def home_panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    role = getattr(user, "role", None)
    if role not in RESULT_ROLES:
        return []
    year = AssessmentYear.current()
    if year is None:
        return []
    runs = visible_runs(user).filter(year=year)
    run = runs.first()
    own = None
    if run is not None and role == Role.UNIT:
        own = (
            UnitResult.objects.filter(run=run, unit_id=getattr(user, "organization_id", None))
            .select_related("run_category__category")
            .defer(*CATEGORY_SNAPSHOT)
            .order_by("pk")
            .first()
        )
    return [
        Panel(
            "scoring/panels/results.html",
            {"run": run, "year": year, "own": own, "is_office": role == Role.OFFICE},
            order=50,
        )
    ]
