"""Frozen records: what a run shows about each entry and event besides its numbers.

A report card, its explanation (得分溯源), PDF and Excel show the entry's 计分说明, who
entered, reviewed and confirmed it and when, its status, department, period and evidence
list, and each bonus–penalty event's document number, date and department. Read live,
those would change under a published card (a recheck answer rewrites the reason while
the frozen score stays), so they are copied at computation time into the run category's
snapshot layout (`layout["records"]`, snapshot format 3, part of the digest) and an
incremental recompute carries the changed entry's record in its patch. Views read them
from there only; snapshots written before format 3 have none and fall back to the live
rows (`views_support.explain_result`).

Times are stored as local text (Asia/Shanghai, "2026-03-01 09:30"), names as the
display names of the time: the record is what the page prints, not a reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils import timezone

from jixiao.collection.models import BonusPenaltyEvent, EntryStatus, EvidenceFile
from jixiao.collection.models import Entry as EntryModel

#: Order of an entry record's fields (a list per entry keeps the layout small).
ENTRY_FIELDS = (
    "reason",
    "status",
    "department",
    "entered_by",
    "entered_at",
    "reviewed_by",
    "reviewed_at",
    "confirmed_by",
    "confirmed_at",
    "period",
    "evidence",
)
EVENT_FIELDS = ("document_number", "occurred_on", "department")
_CHUNK = 5000


def _local(value: Any) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def entry_records(entry_ids: Iterable[int]) -> dict[str, list[Any]]:
    """Entry id (as text, a JSON key) -> its record as a list in ENTRY_FIELDS order."""
    ids = sorted({int(i) for i in entry_ids})
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(ids):
        rows.extend(
            EntryModel.objects.filter(pk__in=chunk).values_list(
                "pk",
                "reason",
                "status",
                "department__name",
                "entered_by_id",
                "entered_at",
                "reviewed_by_id",
                "reviewed_at",
                "confirmed_by_id",
                "confirmed_at",
                "period__name",
            )
        )
    evidence: dict[int, list[list[Any]]] = {}
    for chunk in _chunks(ids):
        for entry_id, pk, name in (
            EvidenceFile.objects.filter(entry_id__in=chunk)
            .order_by("uploaded_at", "id")
            .values_list("entry_id", "pk", "original_name")
        ):
            evidence.setdefault(entry_id, []).append([pk, name])
    names = _user_names({uid for r in rows for uid in (r[4], r[6], r[8]) if uid})
    labels = dict(EntryStatus.choices)
    return {
        str(r[0]): [
            r[1],
            str(labels.get(r[2], r[2])),
            r[3],
            names.get(r[4], ""),
            _local(r[5]),
            names.get(r[6], ""),
            _local(r[7]),
            names.get(r[8], ""),
            _local(r[9]),
            r[10],
            evidence.get(r[0], []),
        ]
        for r in rows
    }


def event_records(event_ids: Iterable[int]) -> dict[str, list[Any]]:
    ids = sorted({int(i) for i in event_ids})
    out: dict[str, list[Any]] = {}
    for chunk in _chunks(ids):
        for pk, number, on, department in BonusPenaltyEvent.objects.filter(
            pk__in=chunk
        ).values_list("pk", "document_number", "occurred_on", "department__name"):
            out[str(pk)] = [number, on.isoformat() if on else "", department]
    return out


def _user_names(ids: set[int]) -> dict[int, str]:
    from jixiao.accounts.models import User

    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}


def records_for(entry_ids: Iterable[int], event_ids: Iterable[int]) -> dict[str, Any]:
    return {"entries": entry_records(entry_ids), "events": event_records(event_ids)}


def frozen_records(
    layout: Mapping[str, Any], patches: Sequence[Sequence[Any]]
) -> dict[str, Any] | None:
    """The run category's records with its patches' records applied; None for a
    snapshot written before records were kept (format < 3)."""
    stored = layout.get("records")
    if stored is None:
        return None
    entries = dict(stored.get("entries", {}))
    for patch in patches:
        if len(patch) > 4 and patch[4] is not None:
            entries[str(patch[3])] = patch[4]
    return {"entries": entries, "events": stored.get("events", {})}


def as_dict(fields: Sequence[str], record: Sequence[Any] | None) -> dict[str, Any] | None:
    return None if record is None else dict(zip(fields, record, strict=False))
