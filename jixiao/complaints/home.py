from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.complaints.actions import TRIAGE_ROLES
from jixiao.complaints.models import Complaint, ComplaintStatus
from jixiao.core.home import Panel


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in TRIAGE_ROLES:
        return []
    counts = dict(Complaint.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return [
        Panel(
            "complaints/panels/home.html",
            {
                "new": counts.get(ComplaintStatus.NEW, 0),
                "quarantined": counts.get(ComplaintStatus.QUARANTINED, 0),
                "accepted": counts.get(ComplaintStatus.ACCEPTED, 0),
            },
            order=15 if user.role == Role.SUPERVISION else 41,
        )
    ]
