"""Login security rules read from the SecurityPolicy, for django-axes and the views."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest

from jixiao.accounts.models import SecurityPolicy


def failure_limit(request: HttpRequest | None, credentials: Any = None) -> int:
    return SecurityPolicy.load().lockout_failures


def cool_off(request: HttpRequest | None = None) -> timedelta:
    return timedelta(minutes=SecurityPolicy.load().lockout_minutes)


def locked_usernames() -> list[dict[str, Any]]:
    """Accounts currently locked by repeated failures, newest first."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    policy = SecurityPolicy.load()
    since = timezone.now() - timedelta(minutes=policy.lockout_minutes)
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=policy.lockout_failures, attempt_time__gte=since
    ).order_by("-attempt_time")
    return [
        {
            "username": a.username,
            "ip_address": a.ip_address,
            "failures": a.failures_since_start,
            "last_attempt": a.attempt_time,
            "unlocks_at": a.attempt_time + timedelta(minutes=policy.lockout_minutes),
        }
        for a in attempts
    ]
