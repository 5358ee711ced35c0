"""Frozen records: what a run shows about each entry and event besides its numbers.

A report card, its explanation (得分溯源), PDF and Excel show the entry's 计分说明, who
entered, reviewed and confirmed it and when, its status, department, period and evidence
list, and each bonus–penalty event's document number, date and department. Read live,
those would change under a published card (a recheck answer rewrites the reason while
the frozen score stays), so they are copied at computation time into the run category's
snapshot (snapshot format 3, covered by the digest):

* entries (format 4, `EntryRecords`): columns inside the snapshot archive, one row per
  counting entry of the category's units, every period (a superset of the entries used:
  lookups are by id): entry ids, and status, department, the three users, the three
  times (epoch seconds) and period as integers; names (users, departments, periods)
  once per category in a small lookup table next to them; reasons and evidence lists
  only for the entries that have them. On PostgreSQL the integers come from one binary
  aggregate per run (`int8send`, as the loader reads entries), so a province's two
  million records cost no text per entry. Format 3 (a JSON object {entry id: record}
  repeating every name per entry; ≈ 1.3 s per 40,000 entries to write) is still read.
* events: `layout["records"]["events"]` (a handful per unit).

An incremental recompute carries the changed entry's record in its patch (fifth
element). Views read records only from there; snapshots written before format 3 have
none and fall back to the live rows (`views_support.explain_result`).

A record stores names as the display names of the time, the status as its code (its
label is vocabulary, translated when shown) and times as epoch seconds (shown in local
time, `local_text`).
"""

from __future__ import annotations

import itertools
import json
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
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
from jixiao.scoring.snapshot import JSON_RECORDS_FORMAT, load_entry_records, load_record_arrays

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


#: Integer columns of `EntryRecords.ints`, in this order.
INT_FIELDS = (
    "status",
    "department",
    "entered_by",
    "entered_at",
    "reviewed_by",
    "reviewed_at",
    "confirmed_by",
    "confirmed_at",
    "period",
)
#: No user / department / period (ids are positive).
NO_ID = -1
#: No time (an epoch cannot be this).
NO_TIME = -(2**63)
STATUSES = tuple(EntryStatus.values)


@dataclass(frozen=True, eq=False)
class EntryRecords(Mapping[str, list[Any]]):
    """One category's entry records, columnar (format 4): `ids` (sorted, int64), `ints`
    (len(INT_FIELDS) × n int64: status index into STATUSES, ids or NO_ID, epochs or
    NO_TIME), `names` {"users" | "departments" | "periods": {id text: name}}, and
    `reasons` / `evidence` keyed by entry id text (only entries that have one).

    Read as a mapping entry id text -> the record list in ENTRY_FIELDS order, built
    when asked for (a page looks up a few dozen entries of tens of thousands)."""

    ids: np.ndarray
    ints: np.ndarray
    names: Mapping[str, Mapping[str, str]]
    reasons: Mapping[str, str] = field(default_factory=dict)
    evidence: Mapping[str, list[list[Any]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return (str(i) for i in self.ids.tolist())

    def __getitem__(self, key: str) -> list[Any]:
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise KeyError(key) from None
        at = int(np.searchsorted(self.ids, pk))
        if at >= len(self.ids) or int(self.ids[at]) != pk:
            raise KeyError(key)
        row = [int(v) for v in self.ints[:, at].tolist()]
        users = self.names.get("users", {})

        def user(value: int) -> str:
            return users.get(str(value), "") if value != NO_ID else ""

        def when(value: int) -> int | None:
            return None if value == NO_TIME else value

        status = STATUSES[row[0] - 1] if 0 < row[0] <= len(STATUSES) else ""
        return [
            self.reasons.get(key, ""),
            status,
            self.names.get("departments", {}).get(str(row[1]), ""),
            user(row[2]),
            when(row[3]),
            user(row[4]),
            when(row[5]),
            user(row[6]),
            when(row[7]),
            self.names.get("periods", {}).get(str(row[8]), ""),
            list(self.evidence.get(key, [])),
        ]

    def arrays(self) -> dict[str, np.ndarray]:
        """What goes into the snapshot archive."""
        text = {
            "names": self.names,
            "reasons": self.reasons,
            "evidence": self.evidence,
        }
        return {
            "record_ids": self.ids.astype(np.int64),
            "record_ints": self.ints.astype(np.int64),
            "record_text": np.frombuffer(json.dumps(text, ensure_ascii=False).encode(), np.uint8),
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> EntryRecords:
        text = json.loads(arrays["record_text"].tobytes().decode())
        return cls(
            arrays["record_ids"].astype(np.int64),
            arrays["record_ints"].astype(np.int64).reshape(len(INT_FIELDS), -1),
            text["names"],
            text["reasons"],
            text["evidence"],
        )


def empty_records() -> EntryRecords:
    return EntryRecords(
        np.zeros(0, np.int64),
        np.zeros((len(INT_FIELDS), 0), np.int64),
        {"users": {}, "departments": {}, "periods": {}},
    )


def _status_index(code: str) -> int:
    return STATUSES.index(code) + 1 if code in STATUSES else 0


def _sorted(
    ids: np.ndarray, ints: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, set[int]]]:
    """The category's columns by entry id, and the ids of the names it refers to."""
    if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
        order = np.argsort(ids, kind="stable")
        ids, ints = ids[order], ints[:, order]
    # One row at a time: rows are contiguous, so no copy before `unique`.
    users = set().union(*(np.unique(ints[row]).tolist() for row in (2, 4, 6)))
    return (
        ids,
        ints,
        {
            "users": users,
            "departments": set(np.unique(ints[1]).tolist()),
            "periods": set(np.unique(ints[8]).tolist()),
        },
    )


def _names(
    user_ids: Iterable[int], departments: Iterable[int], periods: Iterable[int]
) -> dict[str, dict[str, str]]:
    users = {
        str(u.pk): u.display_name
        for u in User.objects.filter(pk__in={int(i) for i in user_ids if i != NO_ID}).only(
            "pk", "last_name", "first_name", "username"
        )
    }
    return {
        "users": users,
        "departments": {
            str(k): v
            for k, v in Organization.objects.filter(
                pk__in={int(i) for i in departments if i != NO_ID}
            ).values_list("pk", "name")
        },
        "periods": {
            str(k): v
            for k, v in CollectionPeriod.objects.filter(
                pk__in={int(i) for i in periods if i != NO_ID}
            ).values_list("pk", "name")
        },
    }


def entry_records(entry_ids: Iterable[int]) -> dict[str, list[Any]]:
    """Entry id (as text) -> its record (a list in ENTRY_FIELDS order)."""
    ids = sorted({int(i) for i in entry_ids})
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows.extend(EntryModel.objects.filter(pk__in=chunk).values_list(*_COLUMNS))
    return _records_of(rows)


# On PostgreSQL the integer columns and reasons come from the loader's binary aggregate
# (`loader.query_groups_postgres(..., records=True)`: the same pass that reads the
# entries when a run is computed); evidence only where there is some.
_PG_EVIDENCE = """
SELECT u.category_id, e.id, f.id, f.original_name
FROM {evidence} f
JOIN {entry} e ON e.id = f.entry_id
JOIN {period} p ON p.id = e.period_id
JOIN {enrollment} u ON u.unit_id = e.unit_id AND u.year_id = %s
WHERE p.scheme_id = %s AND NOT (e.status = ANY(%s))
ORDER BY f.uploaded_at, f.id
"""


def _pg_sql(template: str) -> str:
    table = {
        "entry": EntryModel,
        "period": CollectionPeriod,
        "enrollment": UnitEnrollment,
        "evidence": EvidenceFile,
    }
    # Identifiers come from the models' metadata, never from input.
    return template.format(
        **{k: connection.ops.quote_name(m._meta.db_table) for k, m in table.items()},
    )


def _pg_columns(scheme_id: int) -> Any:
    """Every counting entry's record columns (`loader.RecordColumns`), read on their own
    (a computation reads them with the entries: `loader.load_year(..., records=True)`)."""
    from jixiao.scoring import loader

    periods = list(
        CollectionPeriod.objects.filter(scheme_id=scheme_id).values_list("pk", flat=True)
    )
    groups = loader.query_groups_postgres(periods, records=True) if periods else []
    # None: a value beyond int64 made the server's cast fail; the generic reading takes over.
    return None if groups is None else loader.record_columns(groups)


def _pg_records(
    scheme_id: int, year_id: int, columns: Any = None
) -> dict[int, tuple[Any, ...]] | None:
    """Category id -> (ids, ints, reasons, evidence), read by the server (None when the
    server cannot: see `_pg_columns`)."""
    skip = sorted(NOT_YET_SCORED)
    read = columns if columns is not None else _pg_columns(scheme_id)
    if read is None:
        return None
    units, ids, ints = read.units, read.ids, read.ints
    enrolled = list(
        UnitEnrollment.objects.filter(year_id=year_id).values_list("unit_id", "category_id")
    )
    found: dict[int, tuple[Any, ...]] = {}
    if enrolled and len(ids):
        top = max(int(units.max()), max(u for u, _ in enrolled)) + 1
        category_of = np.full(top, -1, dtype=np.int64)
        category_of[[u for u, _ in enrolled]] = [c for _, c in enrolled]
        categories = category_of[units]
        # By category, then entry id: one copy, then every category is a slice.
        order = np.lexsort((ids, categories))
        categories, ids, ints = categories[order], ids[order], ints[:, order]
        bounds = [0, *(np.flatnonzero(np.diff(categories)) + 1).tolist(), len(categories)]
        for start, end in itertools.pairwise(bounds):
            category = int(categories[start])
            if category >= 0:
                found[category] = (ids[start:end], ints[:, start:end])
    reasons: dict[int, dict[str, str]] = {}
    if read.reasons and enrolled:
        category_by_unit = dict(enrolled)
        unit_of = dict(zip(ids.tolist(), units.tolist(), strict=True))
        for pk, reason in read.reasons.items():
            owner = category_by_unit.get(unit_of.get(pk, -1))
            if owner is not None:
                reasons.setdefault(owner, {})[str(pk)] = reason
    evidence: dict[int, dict[str, list[list[Any]]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_pg_sql(_PG_EVIDENCE), [year_id, scheme_id, skip])
        for category_id, pk, file_id, name in cursor.fetchall():
            evidence.setdefault(category_id, {}).setdefault(str(pk), []).append([file_id, name])
    return {
        pk: (ids, ints, reasons.get(pk, {}), evidence.get(pk, {}))
        for pk, (ids, ints) in found.items()
    }


def _generic_records(scheme_id: int, year_id: int) -> dict[int, tuple[Any, ...]]:
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
    evidence: dict[int, list[list[Any]]] = {}
    ids = sorted(r[0] for group in grouped.values() for r in group)
    for start in range(0, len(ids), _CHUNK):
        for entry_id, pk, name in (
            EvidenceFile.objects.filter(entry_id__in=ids[start : start + _CHUNK])
            .order_by("uploaded_at", "id")
            .values_list("entry_id", "pk", "original_name")
        ):
            evidence.setdefault(entry_id, []).append([pk, name])

    def number(value: Any) -> int:
        return NO_ID if value is None else int(value)

    def epoch(value: Any) -> int:
        return NO_TIME if value is None else int(value.timestamp())

    out: dict[int, tuple[Any, ...]] = {}
    for category_id, group in grouped.items():
        ints = np.array(
            [
                [
                    _status_index(r[2]),
                    number(r[3]),
                    number(r[4]),
                    epoch(r[5]),
                    number(r[6]),
                    epoch(r[7]),
                    number(r[8]),
                    epoch(r[9]),
                    number(r[10]),
                ]
                for r in group
            ],
            dtype=np.int64,
        ).T.reshape(len(INT_FIELDS), len(group))
        out[category_id] = (
            np.array([r[0] for r in group], dtype=np.int64),
            ints,
            {str(r[0]): r[1] for r in group if r[1]},
            {str(r[0]): evidence[r[0]] for r in group if r[0] in evidence},
        )
    return out


def category_entry_records(
    scheme_id: int, year_id: int, columns: Any = None
) -> dict[str, EntryRecords]:
    """Category code -> the records of every counting entry of the category's units in
    the scheme (any period), columnar. `columns`: the record columns already read with
    the entries (`loader.YearInput.record_columns`, PostgreSQL), else they are read here."""
    codes = dict(UnitCategory.objects.filter(year_id=year_id).values_list("pk", "code"))
    raw = _pg_records(scheme_id, year_id, columns) if connection.vendor == "postgresql" else None
    if raw is None:
        raw = _generic_records(scheme_id, year_id)
    parts = {pk: _sorted(ids, ints) for pk, (ids, ints, _, _) in raw.items()}
    used: dict[str, set[int]] = {"users": set(), "departments": set(), "periods": set()}
    for _, _, keys in parts.values():
        for kind, found in keys.items():
            used[kind] |= found
    names = _names(used["users"], used["departments"], used["periods"])
    return {
        codes[pk]: EntryRecords(
            ids,
            ints,
            {
                kind: {str(k): table[str(k)] for k in keys[kind] if str(k) in table}
                for kind, table in names.items()
            },
            raw[pk][2],
            raw[pk][3],
        )
        for pk, (ids, ints, keys) in parts.items()
    }


def load_records(blob: bytes, layout: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The entries' records frozen in a run category's snapshot: columns (format 4) or
    one JSON object (format 3); None for snapshots written before records were kept."""
    if layout.get("format") == JSON_RECORDS_FORMAT:
        return load_entry_records(blob, layout)
    arrays = load_record_arrays(blob, layout)
    if arrays is None or "record_ids" not in arrays.files:
        return None
    return EntryRecords.from_arrays(arrays)


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
    patched = {
        str(patch[3]): patch[4] for patch in patches if len(patch) > 4 and patch[4] is not None
    }
    merged: Mapping[str, Any] = ChainMap(patched, entries) if patched else entries  # type: ignore[arg-type]
    return {"entries": merged, "events": stored.get("events", {})}


def as_dict(fields: Sequence[str], record: Sequence[Any] | None) -> dict[str, Any] | None:
    return None if record is None else dict(zip(fields, record, strict=False))
