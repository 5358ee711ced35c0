from __future__ import annotations

from django.http import HttpRequest

from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.org.models import AssessmentYear
from jixiao.scheme.loading import open_revision, validate_scheme
from jixiao.scheme.models import Indicator, Scheme, SchemeRevision, SchemeStatus


def home_panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    role = getattr(user, "role", None)
    year = AssessmentYear.current()
    scheme = Scheme.objects.filter(year=year).select_related("year").first() if year else None
    if role == Role.OFFICE:
        report = validate_scheme(scheme) if scheme else None
        return [
            Panel(
                "scheme/panels/office.html",
                {
                    "year": year,
                    "scheme": scheme,
                    "report": report,
                    "indicators": Indicator.objects.filter(scheme=scheme).count() if scheme else 0,
                    "revision": open_revision(scheme) if scheme else None,
                    "revisions": SchemeRevision.objects.applied().filter(scheme=scheme).count()
                    if scheme
                    else 0,
                },
                order=15,
            )
        ]
    if role in (Role.DEPARTMENT, Role.UNIT):
        readable = scheme is not None and scheme.status != SchemeStatus.DRAFT
        owned = (
            Indicator.objects.filter(scheme=scheme, owner_id=user.organization_id).count()  # type: ignore[union-attr]
            if readable and role == Role.DEPARTMENT
            else 0
        )
        latest = (
            SchemeRevision.objects.applied().filter(scheme=scheme).first() if readable else None
        )
        return [
            Panel(
                "scheme/panels/reader.html",
                {
                    "scheme": scheme if readable else None,
                    "owned": owned,
                    "is_department": role == Role.DEPARTMENT,
                    "latest": latest,
                },
                order=30,
            )
        ]
    return []
