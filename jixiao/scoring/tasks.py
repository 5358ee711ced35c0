"""Celery tasks of the scoring app: idempotent, scheduled on commit by the callers."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.org.models import AssessmentYear


@shared_task
def compute_results(year_id: int, user_id: int | None = None, note: str = "") -> int:
    """Compute a new run for the year; returns its id."""
    from jixiao.scoring.actions import compute_run

    year = AssessmentYear.objects.get(pk=year_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with acting_as(user):
        return compute_run(year, user=user, note=note).pk


@shared_task
def recompute_entry(entry_id: int) -> int | None:
    """Bring the working run up to date after one entry changed (no-op without one)."""
    from jixiao.scoring.actions import recompute_entry as recompute

    with acting_as(None):
        run = recompute(entry_id)
    return run.pk if run is not None else None


def schedule_compute(year: AssessmentYear, user: Any = None, note: str = "") -> None:
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    transaction.on_commit(lambda: compute_results.delay(year.pk, user_id, note))


def schedule_entry_recompute(entry_id: int) -> None:
    """For the collection app: call inside the transaction that changed the entry."""
    transaction.on_commit(lambda: recompute_entry.delay(entry_id))
