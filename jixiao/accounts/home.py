from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest

from jixiao.accounts.models import SecurityPolicy, User
from jixiao.accounts.roles import Role
from jixiao.accounts.security import locked_usernames
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core.home import Panel


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    panels = []
    if user.role == Role.SYSTEM_ADMIN:
        by_role = dict(User.objects.values_list("role").annotate(n=Count("pk")))
        panels.append(
            Panel(
                "accounts/panels/system_admin.html",
                {
                    "roles": [(label, by_role.get(value, 0)) for value, label in Role.choices],
                    "total": sum(by_role.values()),
                    "inactive": User.objects.filter(is_active=False).count(),
                    "changes": AuditEvent.objects.filter(action=AuditAction.PERMISSION_CHANGE)[:8],
                },
                order=20,
            )
        )
    if user.role == Role.SECURITY_ADMIN:
        panels.append(
            Panel(
                "accounts/panels/security_admin.html",
                {
                    "policy": SecurityPolicy.load(),
                    "locked": locked_usernames(),
                    "failures": AuditEvent.objects.filter(
                        action__in=[AuditAction.LOGIN_FAILED, AuditAction.LOCKOUT]
                    )[:10],
                },
                order=10,
                wide=True,
            )
        )
    panels.append(Panel("accounts/panels/me.html", {}, order=900))
    return panels
