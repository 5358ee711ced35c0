"""Scheduled monitoring work (Celery beat in production, the embedded scheduler otherwise)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def notify_new_red_lights() -> int:
    """Tell units about red lights that came from the calendar, not from an entry: a month
    that moved on without progress, a node past its due date. Idempotent (LightNotice)."""
    from jixiao.monitoring.actions import notify_new_red_lights as notify

    return notify()
