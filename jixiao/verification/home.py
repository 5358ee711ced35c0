from __future__ import annotations

from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.home import Panel
from jixiao.verification.access import checks_visible_to, items_visible_to
from jixiao.verification.models import CorrectionStatus, EntryFlag, ItemStatus


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.INSPECTOR:
        items = items_visible_to(user)
        return [
            Panel(
                "verification/panels/inspector.html",
                {
                    "pending": items.filter(status=ItemStatus.PENDING).count(),
                    "done": items.exclude(status=ItemStatus.PENDING).count(),
                    "checks": checks_visible_to(user)[:5],
                },
                order=20,
                wide=True,
            )
        ]
    if user.role == Role.OFFICE:
        return [
            Panel(
                "verification/panels/office.html",
                {
                    "objected": items_visible_to(user)
                    .filter(correction__status=CorrectionStatus.OBJECTED)
                    .count(),
                    "proposed": items_visible_to(user)
                    .filter(correction__status=CorrectionStatus.PROPOSED)
                    .count(),
                    "flags": EntryFlag.objects.filter(
                        entry__status="submitted", acknowledged_at__isnull=True
                    ).count(),
                },
                order=36,
            )
        ]
    if user.role == Role.DEPARTMENT:
        n = items_visible_to(user).filter(correction__status=CorrectionStatus.PROPOSED).count()
        if n:
            return [Panel("verification/panels/department.html", {"proposed": n}, order=36)]
    return []
