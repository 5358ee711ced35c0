from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.dashboard import department_completion
from jixiao.collection.ledger import events_visible_to
from jixiao.collection.models import (
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
    EntryStatus,
    Notification,
    PeriodStatus,
    RecheckRequest,
    RecheckStatus,
)
from jixiao.core.home import Panel


def home_panels(request: HttpRequest) -> list[Panel]:
    user: User = request.user  # type: ignore[assignment]
    panels: list[Panel] = []
    if user.role == Role.OFFICE:
        statuses = dict(
            Entry.objects.filter(
                status__in=[
                    EntryStatus.SUBMITTED,
                    EntryStatus.AWAITING_CONFIRMATION,
                    EntryStatus.APPROVED,
                    EntryStatus.RECHECK_REQUESTED,
                    EntryStatus.RECHECK_ANSWERED,
                ]
            )
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        panels.append(
            Panel(
                "collection/panels/office.html",
                {
                    "periods": CollectionPeriod.objects.filter(status=PeriodStatus.OPEN),
                    "statuses": statuses,
                    "bonus": events_visible_to(user)
                    .filter(status=BonusPenaltyStatus.SUBMITTED)
                    .count(),
                },
                order=30,
            )
        )
    elif user.role == Role.DEPARTMENT:
        periods = CollectionPeriod.objects.exclude(status=PeriodStatus.DRAFT).order_by(
            "-starts_on"
        )[:4]
        mine = Entry.objects.filter(department_id=user.organization_id)
        panels.append(
            Panel(
                "collection/panels/department.html",
                {
                    "rows": [(p, department_completion(p, user.organization)) for p in periods],
                    "returned": mine.filter(status=EntryStatus.RETURNED).count(),
                    "rechecks": mine.filter(status=EntryStatus.RECHECK_REQUESTED).count(),
                    "awaiting": mine.filter(
                        status__in=[
                            EntryStatus.AWAITING_CONFIRMATION,
                            EntryStatus.RECHECK_CONFIRMATION,
                        ]
                    ).count()
                    if user.is_org_leader
                    else None,
                },
                order=30,
            )
        )
    elif user.role == Role.UNIT:
        panels.append(
            Panel(
                "collection/panels/unit.html",
                {
                    "published": Entry.objects.visible_to_unit(user.organization).count(),
                    "open_rechecks": RecheckRequest.objects.filter(
                        unit_id=user.organization_id, status=RecheckStatus.OPEN
                    ).count(),
                },
                order=30,
            )
        )
    if user.role in (Role.OFFICE, Role.DEPARTMENT, Role.UNIT):
        panels.append(
            Panel(
                "collection/panels/notifications.html",
                {"notes": Notification.objects.filter(recipient=user, is_read=False)[:6]},
                order=35,
            )
        )
    return panels
