"""How long the live audit trail is kept, and what of it the archives already hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from jixiao.audit.models import ArchivedRow, AuditEvent


@dataclass(frozen=True)
class RetentionState:
    days: int
    cutoff: datetime
    live_rows: int
    oldest: datetime | None
    older_than_retention: int
    older_and_archived: int


def state(now: datetime | None = None) -> RetentionState:
    """Live rows older than the retention period, and how many of them an archive that
    has been read back holds too (matched by the audit row's id)."""
    days = settings.AUDIT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = AuditEvent.objects.filter(at__lt=cutoff)
    archived_ids = ArchivedRow.objects.filter(model="audit.auditevent").values("object_pk")
    return RetentionState(
        days=days,
        cutoff=cutoff,
        live_rows=AuditEvent.objects.count(),
        oldest=AuditEvent.objects.aggregate(oldest=Min("at"))["oldest"],
        older_than_retention=old.count(),
        older_and_archived=old.filter(
            pk__in=[int(pk) for pk in archived_ids.values_list("object_pk", flat=True)]
        ).count()
        if old.exists()
        else 0,
    )
