from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditEvent
from jixiao.core.home import Panel


def home_panels(request: HttpRequest) -> list[Panel]:
    if request.user.role != Role.AUDIT_ADMIN:  # type: ignore[union-attr]
        return []
    since = timezone.now() - timedelta(days=7)
    week = AuditEvent.objects.filter(at__gte=since)
    by_action = week.values("action").annotate(n=Count("pk")).order_by("-n")
    labels = dict(AuditEvent._meta.get_field("action").choices or [])
    return [
        Panel(
            "audit/panels/audit_admin.html",
            {
                "week_total": week.count(),
                "by_action": [(labels.get(r["action"], r["action"]), r["n"]) for r in by_action],
                "recent": AuditEvent.objects.all()[:12],
            },
            order=10,
            wide=True,
        )
    ]
