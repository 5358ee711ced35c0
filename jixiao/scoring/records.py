"""Frozen records: what a run shows about each entry and event besides its numbers.

A report card, its explanation (得分溯源), PDF and Excel show the entry's 计分说明, who
entered, reviewed and confirmed it and when, its status, department, period and evidence
list, and each bonus–penalty event's document number, date and department. Read live,
those would change under a published card (a recheck answer rewrites the reason while
the frozen score stays), so they are copied at computation time into the run category's
snapshot (snapshot format 3, covered by the digest):

* entries: a JSON object {entry id: record} inside the snapshot archive (`records`),
  one record per counting entry of the category's units, every period (a superset of
  the entries used: lookups are by id). On PostgreSQL the server writes that JSON text
  (one aggregate per category), so a province's two million records cost no Python
  work per entry; elsewhere it is built here, identically.
* events: `layout["records"]["events"]` (a handful per unit).

An incremental recompute carries the changed entry's record in its patch (fifth
element). Views read records only from there; snapshots written before format 3 have
none and fall back to the live rows (`views_support.explain_result`).

A record stores names as the display names of the time, the status as its code (its
label is vocabulary, translated when shown) and times as epoch seconds (shown in local
time, `local_text`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import (
    NOT_YET_SCORED,
    BonusPenaltyEvent,
    CollectionPeriod,
    EntryStatus,
    EvidenceFile,
)
from jixiao.collection.models import Entry as EntryModel
from jixiao.org.models import Organization, UnitCategory, UnitEnrollment

#: Order of an entry record's fields (a list per entry keeps the records small).
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
_COLUMNS = (
    "pk",
    "reason",
    "status",
    "department_id",
    "entered_by_id",
    "entered_at",
    "reviewed_by_id",
    "reviewed_at",
    "confirmed_by_id",
    "confirmed_at",
    "period_id",
)


def _epoch(value: Any) -> int | None:
    return None if value is None else int(value.timestamp())


def local_text(value: Any) -> str:
    """A stored time (epoch seconds; or a datetime) as local text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, tz=UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def status_label(code: str) -> str:
    return str(EntryStatus(code).label) if code in EntryStatus.values else code


def _records_of(rows: Sequence[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Records of entry rows (`_COLUMNS`), with their evidence."""
    evidence: dict[int, list[list[Any]]] = {}
    ids = sorted(r[0] for r in rows)
    for start in range(0, len(ids), _CHUNK):
        for entry_id, pk, name in (
            EvidenceFile.objects.filter(entry_id__in=ids[start : start + _CHUNK])
            .order_by("uploaded_at", "id")
            .values_list("entry_id", "pk", "original_name")
        ):
            evidence.setdefault(entry_id, []).append([pk, name])
    users = {uid for r in rows for uid in (r[4], r[6], r[8]) if uid}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=users)}
    departments = dict(
        Organization.objects.filter(pk__in={r[3] for r in rows}).values_list("pk", "name")
    )
    periods = dict(
        CollectionPeriod.objects.filter(pk__in={r[10] for r in rows}).values_list("pk", "name")
    )
    return {
        str(r[0]): [
            r[1],
            r[2],
            departments.get(r[3], ""),
            names.get(r[4], ""),
            _epoch(r[5]),
            names.get(r[6], ""),
            _epoch(r[7]),
            names.get(r[8], ""),
            _epoch(r[9]),
            periods.get(r[10], ""),
            evidence.get(r[0], []),
        ]
        for r in rows
    }


def entry_records(entry_ids: Iterable[int]) -> dict[str, list[Any]]:
    """Entry id (as text) -> its record (a list in ENTRY_FIELDS order)."""
    ids = sorted({int(i) for i in entry_ids})
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows.extend(EntryModel.objects.filter(pk__in=chunk).values_list(*_COLUMNS))
    return _records_of(rows)


# The same records, written by the server: one JSON object text per category.
_PG_RECORDS = """
SELECT u.category_id,
       '{{' || string_agg(
           '"' || e.id || '":' || json_build_array(
               e.reason, e.status, d.name,
               {entered}, floor(extract(epoch FROM e.entered_at))::bigint,
               {reviewed}, floor(extract(epoch FROM e.reviewed_at))::bigint,
               {confirmed}, floor(extract(epoch FROM e.confirmed_at))::bigint,
               p.name,
               coalesce((SELECT json_agg(json_build_array(f.id, f.original_name)
                                         ORDER BY f.uploaded_at, f.id)
                         FROM {evidence} f WHERE f.entry_id = e.id), '[]'::json)
           )::text, ',') || '}}'
FROM {entry} e
JOIN {period} p ON p.id = e.period_id
JOIN {enrollment} u ON u.unit_id = e.unit_id AND u.year_id = %s
JOIN {organization} d ON d.id = e.department_id
LEFT JOIN {user} eb ON eb.id = e.entered_by_id
LEFT JOIN {user} rb ON rb.id = e.reviewed_by_id
LEFT JOIN {user} cb ON cb.id = e.confirmed_by_id
WHERE p.scheme_id = %s AND NOT (e.status = ANY(%s))
GROUP BY u.category_id
"""


def _display(alias: str) -> str:
    # User.display_name: last name + first name, else the username; "" without a user.
    return f"coalesce(nullif({alias}.last_name || {alias}.first_name, ''), {alias}.username, '')"


def category_entry_records(scheme_id: int, year_id: int) -> dict[str, bytes]:
    """Category code -> the JSON object text of the records of every counting entry of
    the category's units in the scheme (any period)."""
    codes = dict(UnitCategory.objects.filter(year_id=year_id).values_list("pk", "code"))
    if connection.vendor == "postgresql":
        table = {
            "entry": EntryModel,
            "period": CollectionPeriod,
            "enrollment": UnitEnrollment,
            "organization": Organization,
            "user": User,
            "evidence": EvidenceFile,
        }
        # Identifiers come from the models' metadata, never from input.
        sql = _PG_RECORDS.format(
            entered=_display("eb"),
            reviewed=_display("rb"),
            confirmed=_display("cb"),
            **{k: connection.ops.quote_name(m._meta.db_table) for k, m in table.items()},
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [year_id, scheme_id, sorted(NOT_YET_SCORED)])
            return {codes[pk]: text.encode() for pk, text in cursor.fetchall()}
    category_of = dict(
        UnitEnrollment.objects.filter(year_id=year_id).values_list("unit_id", "category_id")
    )
    rows = (
        EntryModel.objects.scoring_inputs()
        .filter(period__scheme_id=scheme_id, unit_id__in=list(category_of))
        .order_by()
        .values_list("unit_id", *_COLUMNS)
    )
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(category_of[row[0]], []).append(row[1:])
    return {
        codes[pk]: json.dumps(_records_of(group), ensure_ascii=False).encode()
        for pk, group in grouped.items()
    }


def event_records(event_ids: Iterable[int]) -> dict[str, list[Any]]:
    ids = sorted({int(i) for i in event_ids})
    out: dict[str, list[Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        for pk, number, on, department in BonusPenaltyEvent.objects.filter(
            pk__in=ids[start : start + _CHUNK]
        ).values_list("pk", "document_number", "occurred_on", "department__name"):
            out[str(pk)] = [number, on.isoformat() if on else "", department]
    return out


def frozen_records(
    entries: Mapping[str, Any] | None,
    layout: Mapping[str, Any],
    patches: Sequence[Sequence[Any]],
) -> dict[str, Any] | None:
    """The run category's records (`entries` from its snapshot archive) with its patches'
    records applied; None for a snapshot written before records were kept."""
    stored = layout.get("records")
    if stored is None or entries is None:
        return None
    merged = dict(entries)
    for patch in patches:
        if len(patch) > 4 and patch[4] is not None:
            merged[str(patch[3])] = patch[4]
    return {"entries": merged, "events": stored.get("events", {})}


def as_dict(fields: Sequence[str], record: Sequence[Any] | None) -> dict[str, Any] | None:
    return None if record is None else dict(zip(fields, record, strict=False))
