"""Celery tasks of the verification app: idempotent, scheduled on commit."""

from __future__ import annotations

from celery import shared_task


@shared_task
def flag_entries(entry_ids: list[int]) -> int:
    """Assess a big batch of saved entries (an upload) after it committed."""
    from jixiao.verification import flags

    flags.flag_entries(entry_ids, background=False)
    return len(entry_ids)
