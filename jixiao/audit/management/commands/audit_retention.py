"""Report the audit trail's retention: what is older than it and what is archived."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jixiao.audit.retention import state


class Command(BaseCommand):
    help = "Show the audit retention period and the live rows older than it."

    def handle(self, *args: Any, **options: Any) -> None:
        s = state()
        self.stdout.write(
            f"retention: {s.days} days (cutoff {s.cutoff:%Y-%m-%d})\n"
            f"live audit rows: {s.live_rows}, oldest: {s.oldest or '-'}\n"
            f"older than the retention: {s.older_than_retention}, "
            f"of which in an archive read back: {s.older_and_archived}\n"
            "Jixiao deletes no live audit row (docs/deployment.md, Audit retention)."
        )
