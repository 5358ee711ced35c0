"""Celery tasks of the scoring app: idempotent, scheduled on commit by the callers.
A recompute the office asks for is a long job (jixiao.scoring.jobs)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from jixiao.audit.context import acting_as


@shared_task
def recompute_entry(entry_id: int) -> int | None:
    """Bring the working run up to date after one entry changed (no-op without one)."""
    from jixiao.scoring.actions import recompute_entry as recompute

    with acting_as(None):
        run = recompute(entry_id)
    return run.pk if run is not None else None


def schedule_entry_recompute(entry_id: int) -> None:
    """For the collection app: call inside the transaction that changed the entry."""
    transaction.on_commit(lambda: recompute_entry.delay(entry_id))
