"""Background work of supervision: the card and reminder run (idempotent)."""

from __future__ import annotations

from celery import shared_task

from jixiao.supervision import cards


@shared_task
def daily_cards() -> int:
    """Issue today's red and yellow cards and reminders; returns how many cards."""
    return len(cards.run().cards)
