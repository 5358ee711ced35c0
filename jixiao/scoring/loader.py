"""Reading a year from the database into plain engine input (no ORM objects on the hot path).

* Trees: the scheme's indicators with a points row for a category form that category's
  tree (`Indicator` + `IndicatorPoints`).
* Units: the year's enrollments (category, staffing).
* Entries: for each leaf indicator **and unit**, the unit's latest entry that counts
  (`Entry.objects.scoring_inputs()`, by period end date): a newer entry still in review
  or sent back does not wipe out an approved earlier figure. An indicator marked 须按期报送
  (`Indicator.must_report`) takes only its required period's entries (the latest period
  of its data period kind): without one the unit's figure is missing. Raw values come
  from the value / reference / grade columns through `INPUT_COLUMNS`, as integers in
  10**-4 (the columns' own precision), straight into the engine's columnar `CategoryData`.
* Bonus–penalty events: approved ones.
* Last year: the previous year's published run.

On PostgreSQL the entries are read aggregated per indicator (`string_agg` of integers,
parsed by numpy), which reads two million entries in about a second; elsewhere through
`values_list`. Both build the same blocks, so results are identical on both databases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import DataError, connection, connections, transaction

from jixiao.collection.models import (
    INPUT_COLUMNS,
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
)
from jixiao.collection.models import (
    BonusPenaltyEvent as EventModel,
)
from jixiao.org.models import AssessmentYear, UnitCategory, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorPoints, Scheme
from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryData,
    CategoryTree,
    CompiledTree,
    InputError,
    LastYear,
    LeafColumn,
    Node,
    NumberColumn,
    ProvinceData,
    SchemeError,
    ScoringError,
    TextColumn,
    compile_tree,
)
from jixiao.scoring.outcomes import was_warned
from jixiao.scoring.snapshot import EntryRefs, tree_to_json

#: Entry columns hold 4 decimals; engine columns are read as integers in 10**-4.
DIGITS = 4
SCALE = 10**DIGITS
NULL = np.iinfo(np.int64).min
#: Values at or above this magnitude go through the exact Decimal path.
BIG = Decimal(10) ** 14
GRADE_SEPARATOR = "\x1f"


class NoSchemeError(ScoringError):
    pass


@dataclass
class YearInput:
    year: AssessmentYear
    scheme: Scheme
    categories: dict[str, UnitCategory]
    trees: dict[str, CategoryTree]
    tree_json: dict[str, dict[str, Any]]
    compiled: dict[str, CompiledTree]
    data: dict[str, CategoryData]
    unit_ids: dict[str, int]
    last_year: dict[str, LastYear]
    #: indicator code -> the period whose entry is required (须按期报送 indicators only)
    periods_by_code: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: every counting entry's record columns, read with the entries (`load_year(...,
    #: records=True)` on PostgreSQL; None otherwise: `records` reads them itself)
    record_columns: RecordColumns | None = None

    @property
    def province(self) -> ProvinceData:
        return ProvinceData(self.compiled, self.data)


# Trees ---------------------------------------------------------------------


def load_trees(
    scheme: Scheme, categories: Mapping[int, UnitCategory]
) -> tuple[dict[str, CategoryTree], dict[str, dict[str, Any]]]:
    rows = list(
        Indicator.objects.filter(scheme=scheme).values_list(
            "id",
            "code",
            "name",
            "level",
            "kind",
            "parent_id",
            "method",
            "params",
            "bonus_cap",
            "penalty_cap",
            "sort_order",
            "owner_id",
        )
    )
    code_of = {row[0]: row[1] for row in rows}
    by_id = {row[0]: row for row in rows}
    # 个性指标: an indicator with units applies to those units only (none: every unit).
    unit_codes: dict[int, set[str]] = {}
    restricted = Indicator.units.through.objects.filter(indicator__scheme=scheme)
    for indicator_id, unit_code in restricted.values_list("indicator_id", "organization__code"):
        unit_codes.setdefault(indicator_id, set()).add(unit_code)
    nodes: dict[int, list[Node]] = {pk: [] for pk in categories}
    owners: dict[int, dict[str, int | None]] = {pk: {} for pk in categories}
    points = IndicatorPoints.objects.filter(indicator__scheme=scheme).values_list(
        "indicator_id", "category_id", "points"
    )
    for indicator_id, category_id, value in points:
        if category_id not in nodes:
            continue
        pk, code, name, level, kind, parent_id, method, params, bcap, pcap, order, owner = by_id[
            indicator_id
        ]
        nodes[category_id].append(
            Node(
                code=code,
                parent_code=code_of.get(parent_id) if parent_id else None,
                level=level,
                name=name,
                kind=kind,
                points=value.normalize() if value else Decimal(0),
                method=method or None,
                params=params or {},
                bonus_cap=bcap,
                penalty_cap=pcap,
                sort_order=order,
                units=frozenset(unit_codes[pk]) if pk in unit_codes else None,
            )
        )
        owners[category_id][code] = owner
    trees: dict[str, CategoryTree] = {}
    tree_json: dict[str, dict[str, Any]] = {}
    for pk, category in categories.items():
        ordered = tuple(sorted(nodes[pk], key=lambda n: (n.level, n.sort_order, n.code)))
        tree = CategoryTree(category.code, Decimal(category.scale), ordered)
        trees[category.code] = tree
        tree_json[category.code] = tree_to_json(tree, owners[pk])
    return trees, tree_json


# Entries -------------------------------------------------------------------


def _scaled(value: Decimal | None) -> int:
    if value is None:
        return int(NULL)
    return int(value.scaleb(DIGITS).to_integral_value())


@dataclass
class EntryArrays:
    """Scoring entries as parallel arrays (one element per entry): every entry of the
    scheme when read, then only the chosen period's entries of each indicator."""

    indicator: np.ndarray
    unit: np.ndarray
    entry: np.ndarray
    period: np.ndarray
    value: np.ndarray
    reference: np.ndarray
    #: entry id -> grade, for entries with a grade
    grades: dict[int, str]
    #: the records' columns of every entry read, before any choice of period (when asked
    #: for: `RecordColumns`)
    records: RecordColumns | None = None

    def take(self, keep: np.ndarray) -> EntryArrays:
        return EntryArrays(
            self.indicator[keep],
            self.unit[keep],
            self.entry[keep],
            self.period[keep],
            self.value[keep],
            self.reference[keep],
            self.grades,
            self.records,
        )


_COLUMNS = ("indicator_id", "unit_id", "id", "period_id", "value", "reference")


def _scoring_entries(period_ids: Sequence[int]) -> Any:
    return Entry.objects.scoring_inputs().filter(period_id__in=list(period_ids)).order_by()


def read_entries_generic(period_ids: Sequence[int]) -> EntryArrays:
    rows = list(_scoring_entries(period_ids).values_list(*_COLUMNS, "grade"))
    values = [_scaled(r[4]) for r in rows]
    references = [_scaled(r[5]) for r in rows]
    big = any(v != NULL and abs(v) >= 2**62 for v in values + references)
    kind: Any = object if big else np.int64
    return EntryArrays(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.int64),
        np.array([r[3] for r in rows], dtype=np.int64),
        np.array(values, dtype=kind),
        np.array(references, dtype=kind),
        {r[2]: r[6] for r in rows if r[6]},
    )


def latest_periods(
    arrays: EntryArrays,
    period_rank: Mapping[int, int],
    required: Mapping[int, int] | None = None,
) -> EntryArrays:
    """Per (indicator, unit), only the entry of the latest period (by end date); for the
    indicators in `required` (indicator id -> period id), only that period's entries."""
    if len(arrays.entry) == 0:
        return arrays
    if required:
        top = max(int(arrays.indicator.max()), *required) + 1
        wanted = np.full(top, -1, dtype=np.int64)
        wanted[list(required)] = list(required.values())
        need = wanted[arrays.indicator]
        arrays = arrays.take((need < 0) | (arrays.period == need))
        if len(arrays.entry) == 0:
            return arrays
    ranks = np.array([period_rank[p] for p in arrays.period.tolist()], dtype=np.int64)
    key = arrays.indicator * (int(arrays.unit.max()) + 1) + arrays.unit
    order = np.lexsort((ranks, key))
    sorted_key = key[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = sorted_key[1:] != sorted_key[:-1]
    return arrays.take(np.sort(order[last]))


# One row per (indicator, period); each column aggregated into big-endian int8 bytes
# (int8send), which numpy reads without parsing. Every aggregate of a group sees its rows
# in the same order, so the columns line up; grades only where an entry has one.
_PG_BLOCKS = """
SELECT indicator_id, period_id,
       string_agg(int8send(unit_id), ''::bytea),
       string_agg(int8send(id), ''::bytea),
       string_agg(int8send({value}), ''::bytea),
       string_agg(int8send({reference}), ''::bytea),
       string_agg(int8send(id), ''::bytea) FILTER (WHERE grade <> ''),
       string_agg(grade, E'\\x1f') FILTER (WHERE grade <> '')
FROM ({entries}) e
GROUP BY indicator_id, period_id
"""
_BE_INT64 = np.dtype(">i8")
# What a run freezes about each entry besides its numbers (`jixiao.scoring.records`),
# read in the same pass: the status as its place in the list passed first (1-based),
# department and users as ids (-1: none), times as `timestamptz_send` (microseconds
# since 2000-01-01 UTC; NULL as the int64 minimum), reasons only where there is one.
_PG_RECORD_COLUMNS = """,
       string_agg(int8send(coalesce(array_position(%s::text[], status::text), 0)::int8),
                  ''::bytea),
       string_agg(int8send(coalesce(department_id, -1)), ''::bytea),
       string_agg(int8send(coalesce(entered_by_id, -1)), ''::bytea),
       string_agg(coalesce(timestamptz_send(entered_at), {no_time}), ''::bytea),
       string_agg(int8send(coalesce(reviewed_by_id, -1)), ''::bytea),
       string_agg(coalesce(timestamptz_send(reviewed_at), {no_time}), ''::bytea),
       string_agg(int8send(coalesce(confirmed_by_id, -1)), ''::bytea),
       string_agg(coalesce(timestamptz_send(confirmed_at), {no_time}), ''::bytea),
       json_agg(json_build_array(id, reason)) FILTER (WHERE reason <> '')
FROM"""
_RECORD_FIELDS = (
    "status",
    "department_id",
    "entered_by_id",
    "entered_at",
    "reviewed_by_id",
    "reviewed_at",
    "confirmed_by_id",
    "confirmed_at",
    "reason",
)
#: The int64 minimum, big-endian: no time (a module constant, never input).
_NO_TIME_SQL = "'\\x8000000000000000'::bytea"
NO_TIME = -(2**63)
#: 2000-01-01 UTC (PostgreSQL's epoch) in Unix seconds.
_PG_EPOCH = 946_684_800


@dataclass(frozen=True, eq=False)
class RecordColumns:
    """Every counting entry read, as columns: `units`, `ids` (int64), `ints` (status
    place, department, entered by, entered at, reviewed by, reviewed at, confirmed by,
    confirmed at, period: 9 × n int64; ids -1 and times NO_TIME when absent; times in
    epoch seconds) and `reasons` (entry id -> reason, only where there is one)."""

    units: np.ndarray
    ids: np.ndarray
    ints: np.ndarray
    reasons: dict[int, str]


def record_columns(groups: Sequence[tuple[Any, ...]]) -> RecordColumns:
    """The record columns of groups read by `query_groups_postgres(..., records=True)`."""
    counts = [len(g[2]) // 8 for g in groups]
    n = sum(counts)

    def column(k: int) -> np.ndarray:
        if not groups:
            return np.zeros(0, np.int64)
        return np.frombuffer(b"".join(g[k] for g in groups), dtype=_BE_INT64).astype(np.int64)

    ints = np.empty((9, n), dtype=np.int64)
    for row in range(8):
        ints[row] = column(8 + row)
    for row in (3, 5, 7):
        raw = ints[row]
        ints[row] = np.where(raw == NO_TIME, NO_TIME, raw // 1_000_000 + _PG_EPOCH)
    ints[8] = np.repeat(np.array([g[1] for g in groups], dtype=np.int64), counts)
    reasons: dict[int, str] = {}
    for g in groups:
        if g[16]:
            reasons.update((int(pk), str(text)) for pk, text in g[16])
    return RecordColumns(column(2), column(3), ints, reasons)


def query_groups_postgres(
    period_ids: Sequence[int],
    indicators: tuple[int, int] | None = None,
    records: bool = False,
) -> list[tuple[Any, ...]] | None:
    """One row per (indicator, period) of every indicator (or of the indicator ids in
    the inclusive range `indicators`), its columns as binary aggregates (server-side
    binding on Django's connection, binary results). Values are scaled to 10**-4 by the
    server; one too large for int64 makes the cast fail and returns None (the exact
    Decimal path takes over)."""
    import psycopg

    scaled = "coalesce(({c} * {scale})::int8, {null})"
    qs = _scoring_entries(period_ids)
    if indicators is not None:
        qs = qs.filter(indicator_id__gte=indicators[0], indicator_id__lte=indicators[1])
    qs = qs.values_list(*_COLUMNS, "grade", *(_RECORD_FIELDS if records else ()))
    entries_sql, params = qs.query.sql_with_params()
    template = _PG_BLOCKS
    if records:  # `records` freezes these (`record_columns`); statuses are the first param
        from jixiao.collection.models import EntryStatus

        template = template.replace(
            "\nFROM", _PG_RECORD_COLUMNS.replace("{no_time}", _NO_TIME_SQL), 1
        )
        params = (list(EntryStatus.values), *params)
    sql = template.format(
        entries=entries_sql,
        value=scaled.format(c="value", null=int(NULL), scale=SCALE),
        reference=scaled.format(c="reference", null=int(NULL), scale=SCALE),
    )
    connection.ensure_connection()
    try:
        with transaction.atomic(), psycopg.Cursor(connection.connection) as cursor:
            # JIT compilation costs more than it saves on this one-pass aggregate.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, params, binary=True)
            return cursor.fetchall()
    except (DataError, psycopg.errors.DataError):
        # Django wraps errors of its own cursors only; this one is psycopg's.
        return None


def entries_from_groups(
    groups: Sequence[tuple[Any, ...]],
    period_rank: Mapping[int, int],
    required: Mapping[int, int] | None = None,
) -> EntryArrays:
    """Every group as arrays (one copy per column), then per (indicator, unit) the
    latest period's entry (`latest_periods`)."""
    chosen = sorted(groups, key=lambda g: (g[0], period_rank[g[1]]))
    if not chosen:
        return _empty()

    def column(k: int) -> np.ndarray:
        return np.frombuffer(b"".join(g[k] for g in chosen), dtype=_BE_INT64).astype(np.int64)

    counts = [len(g[2]) // 8 for g in chosen]
    grades: dict[int, str] = {}
    for g in chosen:
        if g[6] is not None:
            ids = np.frombuffer(g[6], dtype=_BE_INT64).tolist()
            grades.update(zip(ids, g[7].split("\x1f"), strict=True))
    arrays = EntryArrays(
        np.repeat(np.array([g[0] for g in chosen], dtype=np.int64), counts),
        column(2),
        column(3),
        np.repeat(np.array([g[1] for g in chosen], dtype=np.int64), counts),
        column(4),
        column(5),
        grades,
    )
    return latest_periods(arrays, period_rank, required)


def read_entries_postgres(
    period_ids: Sequence[int],
    period_rank: Mapping[int, int],
    required: Mapping[int, int] | None = None,
    records: bool = False,
) -> EntryArrays | None:
    groups = query_groups_postgres(period_ids, records=records)
    if groups is None:
        return None
    entries = entries_from_groups(groups, period_rank, required)
    return replace(entries, records=record_columns(groups)) if records else entries


def _periods(scheme: Scheme, only: Sequence[int] | None = None) -> dict[int, int]:
    """Collection period id -> rank by end date (of the periods in `only` when given:
    the quarterly accumulation scores one quarter's periods at a time)."""
    periods = CollectionPeriod.objects.filter(scheme=scheme).order_by("ends_on", "id")
    if only is not None:
        periods = periods.filter(id__in=list(only))
    return {pk: i for i, pk in enumerate(periods.values_list("id", flat=True))}


def required_periods(scheme: Scheme, only: Sequence[int] | None = None) -> dict[int, int]:
    """须按期报送 indicators: indicator id -> the period whose entry is required: the latest
    (by end date) of the indicator's data period kind (of `only`, when given), else the
    latest period of any kind."""
    must = list(
        Indicator.objects.filter(scheme=scheme, must_report=True).values_list("id", "period")
    )
    if not must:
        return {}
    periods = CollectionPeriod.objects.filter(scheme=scheme).order_by("ends_on", "id")
    if only is not None:
        periods = periods.filter(id__in=list(only))
    latest: dict[str, int] = {}
    last: int | None = None
    for pk, kind in periods.values_list("id", "kind"):
        latest[kind] = pk
        last = pk
    if last is None:
        return {}
    return {indicator: latest.get(kind, last) for indicator, kind in must}


def _empty() -> EntryArrays:
    empty = np.zeros(0, dtype=np.int64)
    return EntryArrays(empty, empty, empty, empty, empty, empty, {})


def read_entries(
    scheme: Scheme, only: Sequence[int] | None = None, records: bool = False
) -> EntryArrays:
    """Per (indicator, unit), the scoring entry of the latest period (of `only`, when
    given) that has one; the required period's for 须按期报送 indicators. `records`: on
    PostgreSQL, also every entry's record columns (`EntryArrays.records`)."""
    rank = _periods(scheme, only)
    if not rank:
        return _empty()
    required = required_periods(scheme, only)
    if connection.vendor == "postgresql":
        fast = read_entries_postgres(list(rank), rank, required, records)
        if fast is not None:
            return fast
    return latest_periods(read_entries_generic(list(rank)), rank, required)


# Columns -------------------------------------------------------------------


def build_columns(
    entries: EntryArrays,
    compiled: Mapping[str, CompiledTree],
    unit_rows: Mapping[int, tuple[str, int]],
    sizes: Mapping[str, int],
    code_of: Mapping[int, str],
    notes: list[str],
) -> tuple[dict[str, dict[str, LeafColumn]], list[str]]:
    """Leaf columns per category from the chosen entries, one vectorised scatter per
    category into (leaf × unit) matrices whose rows become the columns. Returns problems
    (invalid values) separately from notes (entries that do not count, e.g. a unit not
    enrolled). Entries of an indicator that is not a leaf of the unit's category are
    ignored; a leaf gets a column only if some unit of the category has an entry."""
    codes = sorted(compiled)
    columns: dict[str, dict[str, LeafColumn]] = {code: {} for code in codes}
    problems: list[str] = []
    n_entries = len(entries.entry)
    # Unit id -> (category index, row); indicator id -> index into `names`.
    top = max([*unit_rows, int(entries.unit.max()) if n_entries else 0]) + 1
    category_index = {code: k for k, code in enumerate(codes)}
    unit_cat = np.full(top, -1, dtype=np.int64)
    unit_row = np.full(top, -1, dtype=np.int64)
    for unit_id, (category_code, row) in unit_rows.items():
        unit_cat[unit_id] = category_index[category_code]
        unit_row[unit_id] = row
    names = sorted(set(code_of.values()))
    name_index = {name: i for i, name in enumerate(names)}
    top_indicator = max([*code_of, int(entries.indicator.max()) if n_entries else 0]) + 1
    indicator_name = np.full(top_indicator, -1, dtype=np.int64)
    for pk, name in code_of.items():
        indicator_name[pk] = name_index[name]

    # Grades as sorted (entry id, text) arrays, looked up by binary search.
    grade_ids = np.array(sorted(entries.grades), dtype=np.int64)
    grade_texts = np.array([entries.grades[i] for i in grade_ids.tolist()], dtype=object)
    cats = unit_cat[entries.unit]
    skipped_units = int((cats < 0).sum())
    order = np.argsort(cats, kind="stable")
    bounds = np.searchsorted(cats[order], np.arange(len(codes) + 1))
    for k, code in enumerate(codes):
        pick = order[bounds[k] : bounds[k + 1]]
        if len(pick) == 0:
            continue
        tree = compiled[code]
        leaves = list(tree.leaf_fields)
        slot_of = np.full(len(names) + 1, -1, dtype=np.int64)  # last: unknown indicator
        for slot, leaf in enumerate(leaves):
            if leaf in name_index:
                slot_of[name_index[leaf]] = slot
        slots = slot_of[indicator_name[entries.indicator[pick]]]
        known = slots >= 0
        pick, slots = pick[known], slots[known]
        if len(pick) == 0:
            continue
        n, shape = sizes[code], (len(leaves), sizes[code])
        # Flat positions in the (leaf × unit) matrices: 1-d scatters are the fastest.
        at = slots * n + unit_row[entries.unit[pick]]
        reported = np.zeros(shape, dtype=bool)
        reported.ravel()[at] = True
        ids = np.full(shape, -1, dtype=np.int64)
        ids.ravel()[at] = entries.entry[pick]
        refs = ids.astype(object)
        refs[ids < 0] = None
        numbers: dict[str, tuple[np.ndarray, np.ndarray, list[int]]] = {}
        for source in ("value", "reference"):
            raw = getattr(entries, source)[pick]
            here = raw != NULL
            values = np.zeros(shape, dtype=object if raw.dtype == object else np.int64)
            present = np.zeros(shape, dtype=bool)
            values.ravel()[at[here]] = raw[here]
            present.ravel()[at[here]] = True
            # Per leaf: how many present values are not non-negative integers?
            bad = (raw[here] % SCALE != 0) | (raw[here] < 0)
            not_int = np.bincount(slots[here][bad], minlength=len(leaves)).tolist()
            numbers[source] = (values, present, not_int)
        grades: np.ndarray | None = None
        if len(grade_ids) and any(
            spec.type == "grade" for fields in tree.leaf_fields.values() for spec in fields
        ):
            grades = np.full(shape, "", dtype=object)
            ids_here = entries.entry[pick]
            where = np.minimum(np.searchsorted(grade_ids, ids_here), len(grade_ids) - 1)
            hit = grade_ids[where] == ids_here
            grades.ravel()[at[hit]] = grade_texts[where[hit]]
        has_entries: list[bool] = np.asarray(reported.any(axis=1)).tolist()
        for slot, leaf in enumerate(leaves):
            if not has_entries[slot]:
                continue
            made: dict[str, NumberColumn | TextColumn] = {}
            for spec in tree.leaf_fields[leaf]:
                if spec.type == "grade":
                    made[spec.name] = _text_column(grades, slot, n)
                    continue
                source = INPUT_COLUMNS.get(spec.name, "value")
                matrix = numbers.get(source, numbers["value"])
                if spec.type == "int" and matrix[2][slot]:
                    problems.append(
                        f"类别“{code}”指标“{leaf}”：“{spec.label}”必须是非负整数"
                        f"（{matrix[2][slot]}个单位）"
                    )
                made[spec.name] = NumberColumn(matrix[0][slot], DIGITS, matrix[1][slot])
            columns[code][leaf] = LeafColumn(
                made, reported[slot], EntryRefs(refs[slot].tolist(), ids[slot])
            )
    if skipped_units:
        notes.append(f"{skipped_units} 条数据所属单位未参加本年度考核，未计分")
    return columns, problems


def _text_column(grades: np.ndarray | None, slot: int, n: int) -> TextColumn:
    values = np.full(n, "", dtype=object)
    present = np.zeros(n, dtype=bool)
    if grades is not None:
        for row, text in enumerate(grades[slot].tolist()):
            text = text.strip()
            if text:
                values[row] = text
                present[row] = True
    return TextColumn(values, present)


# Events and last year --------------------------------------------------------


def load_events(
    scheme: Scheme,
    compiled: Mapping[str, CompiledTree],
    category_of_unit: Mapping[int, tuple[str, str]],
    notes: list[str],
) -> dict[str, list[BonusPenaltyEvent]]:
    events: dict[str, list[BonusPenaltyEvent]] = {code: [] for code in compiled}
    rows = (
        EventModel.objects.filter(scheme=scheme, status=BonusPenaltyStatus.APPROVED)
        .values_list("id", "indicator__code", "unit_id", "points", "description")
        .order_by("id")
    )
    skipped = 0
    for pk, indicator_code, unit_id, points, description in rows:
        where = category_of_unit.get(unit_id)
        if where is None or indicator_code not in compiled[where[0]].bonus_codes:
            skipped += 1
            continue
        events[where[0]].append(
            BonusPenaltyEvent(where[1], indicator_code, points.normalize(), description, pk)
        )
    if skipped:
        notes.append(f"{skipped} 条加扣分事项不适用于所属单位的类别，未计分")
    return events


def load_last_year(year: AssessmentYear) -> dict[str, LastYear]:
    from jixiao.scoring.models import RunStatus, UnitResult

    rows = UnitResult.objects.filter(
        run__year__year=year.year - 1, run__status=RunStatus.PUBLISHED
    ).values_list("unit__code", "total", "rank", "units_in_category", "warnings")
    # Last year's warning as published (its own rules, ties, small categories), not a
    # guess from the rank: the "two years running" rule is about that fact.
    return {
        code: LastYear(code, total, rank, count, was_warned(warnings))
        for code, total, rank, count, warnings in rows
    }


# The year -----------------------------------------------------------------------


@contextmanager
def _background(
    scheme: Scheme, only: Sequence[int] | None = None, records: bool = False
) -> Iterator[Callable[[], EntryArrays]]:
    """Read the entries on two other connections, half of the indicators each, while this
    thread reads and compiles the scheme: the queries run in database server processes,
    so they overlap with each other and with this thread. Only on PostgreSQL and outside
    a transaction (inside one, other connections would not see its uncommitted rows):
    otherwise the entries are read here, in one query, when asked for."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield lambda: read_entries(scheme, only, records)
        return
    rank = _periods(scheme, only)
    required = required_periods(scheme, only)
    leaves = sorted(
        Indicator.objects.filter(scheme=scheme).exclude(method="").values_list("id", flat=True)
    )
    if not rank or len(leaves) < 2:
        yield lambda: read_entries(scheme, only, records)
        return
    middle = leaves[len(leaves) // 2]
    ranges = [(-(2**63), middle - 1), (middle, 2**63 - 1)]

    def work(indicators: tuple[int, int]) -> list[tuple[Any, ...]] | None:
        try:
            return query_groups_postgres(list(rank), indicators, records)
        finally:
            connections.close_all()  # this thread's connection

    with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
        futures = [pool.submit(work, r) for r in ranges]

        def result() -> EntryArrays:
            parts = [f.result() for f in futures]
            if any(p is None for p in parts):
                return latest_periods(read_entries_generic(list(rank)), rank, required)
            groups = [g for p in parts if p is not None for g in p]
            entries = entries_from_groups(groups, rank, required)
            return replace(entries, records=record_columns(groups)) if records else entries

        try:
            yield result
        finally:
            for future in futures:
                future.cancel()


def load_year(
    year: AssessmentYear, periods: Sequence[int] | None = None, records: bool = False
) -> YearInput:
    """Everything the engine needs for a year; raises ScoringError with every problem.

    `periods`: only these collection periods' entries (e.g. one quarter's, for the
    quarterly accumulation); None, every period of the scheme (the usual reading).
    `records`: also every counting entry's record columns (PostgreSQL, every period),
    read in the same pass (`YearInput.record_columns`)."""
    scheme = Scheme.objects.filter(year=year).first()
    if scheme is None:
        raise NoSchemeError([f"{year.year} 年度还没有考核方案"])
    categories_by_id = {c.pk: c for c in UnitCategory.objects.filter(year=year)}
    # Sorted in Python: the engine wants code order, whatever the database's collation.
    enrollments = sorted(
        UnitEnrollment.objects.filter(year=year)
        .values_list("unit_id", "unit__code", "category_id", "staffing")
        .order_by(),
        key=lambda row: row[1],
    )
    used = {category_id for _, _, category_id, _ in enrollments}
    categories_by_id = {pk: c for pk, c in categories_by_id.items() if pk in used}
    with _background(scheme, periods, records and periods is None) as pending_entries:
        trees, tree_json = load_trees(scheme, categories_by_id)
        compiled: dict[str, CompiledTree] = {}
        problems: list[str] = []
        for code, tree in sorted(trees.items()):
            try:
                compiled[code] = compile_tree(tree)
            except ScoringError as exc:
                problems.extend(f"类别“{code}”：{p}" for p in exc.problems)
        if problems:
            raise SchemeError(problems)
        entries = pending_entries()

    unit_codes: dict[str, list[str]] = {code: [] for code in compiled}
    staffing: dict[str, list[int]] = {code: [] for code in compiled}
    unit_ids: dict[str, int] = {}
    unit_rows: dict[int, tuple[str, int]] = {}
    category_of_unit: dict[int, tuple[str, str]] = {}
    for unit_id, unit_code, category_id, staff in enrollments:
        category_code = categories_by_id[category_id].code
        unit_rows[unit_id] = (category_code, len(unit_codes[category_code]))
        unit_codes[category_code].append(unit_code)
        staffing[category_code].append(staff if staff is not None else -1)
        unit_ids[unit_code] = unit_id
        category_of_unit[unit_id] = (category_code, unit_code)

    code_of = dict(Indicator.objects.filter(scheme=scheme).values_list("id", "code"))
    notes: list[str] = []
    required = required_periods(scheme, periods)
    sizes = {code: len(units) for code, units in unit_codes.items()}
    columns, problems = build_columns(entries, compiled, unit_rows, sizes, code_of, notes)
    if problems:
        raise InputError(problems)
    events = load_events(scheme, compiled, category_of_unit, notes)
    data = {
        code: CategoryData(
            code,
            tuple(unit_codes[code]),
            np.array(staffing[code], dtype=np.int64),
            columns[code],
            tuple(events[code]),
        )
        for code in compiled
    }
    categories = {c.code: c for c in categories_by_id.values()}
    return YearInput(
        year=year,
        scheme=scheme,
        categories=categories,
        trees=trees,
        tree_json=tree_json,
        compiled=compiled,
        data=data,
        unit_ids=unit_ids,
        last_year=load_last_year(year),
        periods_by_code={code_of[i]: p for i, p in required.items()},
        notes=notes,
        record_columns=entries.records,
    )


def fingerprint(parts: Iterable[bytes | str | Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            digest.update(part)
        elif isinstance(part, str):
            digest.update(part.encode())
        else:
            digest.update(json.dumps(part, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()
