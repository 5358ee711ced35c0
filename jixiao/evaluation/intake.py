"""Taking in one public rating: validate, spot bursts, store at most one per device a day.

Kept to one INSERT and two cache increments so that an app server takes in more than a
thousand ratings a second (bench/README.md). The database's unique constraint on
(window, device, day) is what guarantees one rating per device per window per day, even
for fifty simultaneous identical requests; the cookie only names the device.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from jixiao.core.public_intake import BURST_WINDOW_SECONDS, digest
from jixiao.core.public_intake import count as _count
from jixiao.evaluation.public_models import (
    DEFAULT_POINTS,
    RatingStatus,
    SatisfactionRating,
    ServiceWindow,
)

__all__ = ["BURST_WINDOW_SECONDS", "Outcome", "RatingRefused", "accept"]


class RatingRefused(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    stored: bool
    quarantined: bool = False


def clean_comment(text: str) -> str:
    """NFC, no control characters, at most 200 characters."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\n")
    if len(text.strip()) > 200:
        raise RatingRefused(_("意见建议最多 200 字。"))
    return text.strip()


def address_count(address: str | None, bucket: int) -> int:
    return _count(f"jx:sat:addr:{address}:{bucket}") if address else 0


def quarantine_reason(
    window: ServiceWindow, address: str | None, comment: str, bucket: int, seen: int
) -> str:
    if seen > settings.SATISFACTION_BURST_PER_ADDRESS:
        return _("同一地址短时间内评价过多")
    key = f"jx:sat:cmt:{window.pk}:{digest(comment)}:{bucket}"
    if comment and _count(key) > settings.SATISFACTION_SAME_COMMENT:
        return _("相同意见短时间内重复提交")
    return ""


Row = tuple[Any, ...]


def prepare(
    window: ServiceWindow,
    *,
    device: str,
    choice: int,
    item: str,
    comment: str,
    address: str | None,
    day: date,
    bucket: int,
) -> Row:
    """Check a tap and count it against the address and comment limits: the row to store
    (accepted or quarantined with its reason). Raises RatingRefused."""
    if choice not in DEFAULT_POINTS:
        raise RatingRefused(_("请选择一项评价。"))
    if item and item not in window.item_list:
        item = ""
    comment = clean_comment(comment)
    seen = address_count(address, bucket)
    if seen > settings.SATISFACTION_LIMIT_PER_ADDRESS:
        raise RatingRefused(_("评价过于频繁，请稍后再试。"))
    reason = quarantine_reason(window, address, comment, bucket, seen)
    status = RatingStatus.QUARANTINED if reason else RatingStatus.ACCEPTED
    return (window.pk, window.unit_id, day, device, choice, item, comment, address, status, reason)


def outcome_of(row: Row, stored: bool) -> Outcome:
    return Outcome(stored=stored, quarantined=stored and bool(row[-1]))


def accept(window: ServiceWindow, **tap: Any) -> Outcome:
    """One tap, stored by its own INSERT (the Django view; the embedded mode)."""
    row = prepare(window, **tap)
    stored = _insert_pg(row) if connection.vendor == "postgresql" else _insert(row)
    return outcome_of(row, stored)


_SQL = (
    "INSERT INTO evaluation_satisfactionrating (window_id, unit_id, day, device, choice, "
    "item, comment, address, status, quarantine_reason, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now()) "
    "ON CONFLICT (window_id, device, day) DO NOTHING RETURNING id"
)


def _insert_pg(row: tuple[Any, ...]) -> bool:
    """One round trip in autocommit: the row is committed when the answer arrives, and a
    second tap of the same device that day inserts nothing (the unique constraint)."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL, row)
        return cursor.fetchone() is not None


def _insert(row: tuple[Any, ...]) -> bool:
    window_id, unit_id, day, device, choice, item, comment, address, status, reason = row
    try:
        with transaction.atomic():
            SatisfactionRating.objects.create(
                window_id=window_id,
                unit_id=unit_id,
                day=day,
                device=device,
                choice=choice,
                item=item,
                comment=comment,
                address=address,
                status=status,
                quarantine_reason=reason,
            )
    except IntegrityError:
        return False
    return True
