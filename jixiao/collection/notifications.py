"""Telling the people who must act next (in-app; by e-mail when EMAIL_HOST is set).

Notifications are written in the action's transaction; the e-mails go out from a
Celery task scheduled on commit, so a rolled-back action sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.models import Notification


def office_users() -> QuerySet[User]:
    return User.objects.filter(role=Role.OFFICE, is_active=True)


def department_users(department_id: int, *, leaders_only: bool = False) -> QuerySet[User]:
    qs = User.objects.filter(role=Role.DEPARTMENT, organization_id=department_id, is_active=True)
    return qs.filter(is_org_leader=True) if leaders_only else qs


def unit_users(unit_id: int) -> QuerySet[User]:
    return User.objects.filter(role=Role.UNIT, organization_id=unit_id, is_active=True)


def notify(
    recipients: Iterable[User], text: str, link: str = "", *, exclude: User | None = None
) -> list[Notification]:
    """One notification per recipient (the actor is never notified of their own act)."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, text=text[:300], link=link[:300]))
    created = Notification.objects.bulk_create(rows)
    if created and settings.EMAIL_HOST:
        ids = [n.pk for n in created if n.pk is not None]
        if ids:
            transaction.on_commit(lambda: _send_later(ids))
    return created


def _send_later(ids: list[int]) -> None:
    from jixiao.collection.tasks import email_notifications

    email_notifications.delay(ids)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, is_read=False).count()
