"""`manage.py supervision_cards [--date YYYY-MM-DD]`: the daily card and reminder run
(for installs without Celery beat; safe to run more than once a day)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jixiao.supervision import cards


class Command(BaseCommand):
    help = "Issue today's red and yellow cards and reminders of supervision tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        result = cards.run(options["date"])
        self.stdout.write(f"cards: {len(result.cards)}, reminders: {result.reminders}")
