"""Reading a year from the database into plain engine input (no ORM objects on the hot path).

* Trees: the scheme's indicators with a points row for a category form that category's
  tree (`Indicator` + `IndicatorPoints`).
* Units: the year's enrollments (category, staffing).
* Entries: for each leaf indicator, the entries of its latest collection period that has
  any scoring entry (`Entry.objects.scoring_inputs()`): the year-end figure counts, the
  earlier periods are progress data. Raw values come from the value / reference / grade
  columns through `INPUT_COLUMNS`, as integers in 10**-4 (the columns' own precision),
  straight into the engine's columnar `CategoryData`.
* Bonus–penalty events: approved ones.
* Last year: the previous year's published run.

On PostgreSQL the entries are read aggregated per indicator (`string_agg` of integers,
parsed by numpy), which reads two million entries in about a second; elsewhere through
`values_list`. Both build the same blocks, so results are identical on both databases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import DataError, connection, transaction

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
from jixiao.scoring.snapshot import tree_to_json

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
class Block:
    """All scoring entries of one indicator (one period), sorted by unit id."""

    indicator_id: int
    unit_ids: np.ndarray
    entry_ids: np.ndarray
    value: np.ndarray
    reference: np.ndarray
    grade: list[str]


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
    #: indicator code -> the collection period whose entries were used
    periods_by_code: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

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
    """Every scoring entry of the scheme as parallel arrays (one element per entry)."""

    indicator: np.ndarray
    unit: np.ndarray
    entry: np.ndarray
    period: np.ndarray
    value: np.ndarray
    reference: np.ndarray
    grades: dict[int, str]


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


_PG_BLOCKS = """
SELECT indicator_id, period_id,
       string_agg(concat_ws(' ', unit_id, id, {value}, {reference}), ' ')
FROM ({entries}) e
GROUP BY indicator_id, period_id
"""


def read_blocks_postgres(
    period_ids: Sequence[int], period_rank: Mapping[int, int]
) -> tuple[list[Block], dict[int, int]] | None:
    """One row per (indicator, period), its columns aggregated into comma-separated
    integers (scaled to 10**-4 by the server) that numpy parses in C. No ORDER BY: every
    aggregate of a group sees the rows in the same order, and blocks are sorted by unit
    here. Returns None when a value is too large for int64 (the Decimal path takes over).
    """
    # A value beyond int64 makes the cast fail: the Decimal path then takes over.
    scaled = "coalesce(({c} * {scale})::int8, {null})"
    qs = _scoring_entries(period_ids).values_list(*_COLUMNS)
    entries_sql, params = qs.query.sql_with_params()
    sql = _PG_BLOCKS.format(
        entries=entries_sql,
        value=scaled.format(c="value", null=int(NULL), scale=SCALE),
        reference=scaled.format(c="reference", null=int(NULL), scale=SCALE),
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            groups = cursor.fetchall()
    except DataError:
        return None
    grades = dict(_scoring_entries(period_ids).exclude(grade="").values_list("id", "grade"))
    best: dict[int, tuple[int, int]] = {}
    for i, (indicator_id, period_id, *_rest) in enumerate(groups):
        rank = period_rank[period_id]
        if indicator_id not in best or rank > best[indicator_id][0]:
            best[indicator_id] = (rank, i)
    blocks = []
    chosen = {}
    for indicator_id, (_, i) in sorted(best.items()):
        _, period_id, text = groups[i]
        rows = np.fromstring(text, dtype=np.int64, sep=" ").reshape(-1, 4)
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
        ids = rows[:, 1].copy()
        blocks.append(
            Block(
                indicator_id,
                rows[:, 0].copy(),
                ids,
                rows[:, 2].copy(),
                rows[:, 3].copy(),
                [grades.get(k, "") for k in ids.tolist()] if grades else [""] * len(ids),
            )
        )
        chosen[indicator_id] = period_id
    return blocks, chosen


def blocks_from_entries(
    arrays: EntryArrays, period_rank: Mapping[int, int]
) -> tuple[list[Block], dict[int, int]]:
    """One block per indicator, holding only the entries of the latest period (by end date)
    in which that indicator has any scoring entry; returns the blocks and the period used
    per indicator."""
    if len(arrays.entry) == 0:
        return [], {}
    ranks = np.array([period_rank[p] for p in arrays.period.tolist()], dtype=np.int64)
    top = int(arrays.indicator.max()) + 1
    best = np.full(top, -1, dtype=np.int64)
    np.maximum.at(best, arrays.indicator, ranks)
    keep = ranks == best[arrays.indicator]
    order = np.lexsort((arrays.unit[keep], arrays.indicator[keep]))
    indicator = arrays.indicator[keep][order]
    unit = arrays.unit[keep][order]
    entry = arrays.entry[keep][order]
    period = arrays.period[keep][order]
    value = arrays.value[keep][order]
    reference = arrays.reference[keep][order]
    starts = np.flatnonzero(np.r_[True, indicator[1:] != indicator[:-1]])
    ends = np.r_[starts[1:], len(indicator)]
    blocks = []
    chosen = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        ids = entry[a:b]
        chosen[int(indicator[a])] = int(period[a])
        grades = (
            [arrays.grades.get(i, "") for i in ids.tolist()] if arrays.grades else [""] * (b - a)
        )
        blocks.append(Block(int(indicator[a]), unit[a:b], ids, value[a:b], reference[a:b], grades))
    return blocks, chosen


def read_blocks(scheme: Scheme) -> tuple[list[Block], dict[int, int]]:
    periods = list(
        CollectionPeriod.objects.filter(scheme=scheme)
        .order_by("ends_on", "id")
        .values_list("id", flat=True)
    )
    if not periods:
        return [], {}
    rank = {pk: i for i, pk in enumerate(periods)}
    if connection.vendor == "postgresql":
        fast = read_blocks_postgres(periods, rank)
        if fast is not None:
            return fast
    return blocks_from_entries(read_entries_generic(periods), rank)


# Columns -------------------------------------------------------------------


def _number_column(raw: np.ndarray, rows: np.ndarray, n: int) -> NumberColumn:
    dtype = object if raw.dtype == object else np.int64
    values = np.zeros(n, dtype=dtype)
    present = np.zeros(n, dtype=bool)
    here = raw != NULL
    values[rows[here]] = raw[here]
    present[rows[here]] = True
    return NumberColumn(values, DIGITS, present)


def _text_column(raw: Sequence[str], rows: np.ndarray, n: int) -> TextColumn:
    values = np.full(n, "", dtype=object)
    present = np.zeros(n, dtype=bool)
    for row, text in zip(rows.tolist(), raw, strict=True):
        text = text.strip()
        if text:
            values[row] = text
            present[row] = True
    return TextColumn(values, present)


def build_columns(
    blocks: Sequence[Block],
    compiled: Mapping[str, CompiledTree],
    unit_rows: Mapping[int, tuple[str, int]],
    sizes: Mapping[str, int],
    code_of: Mapping[int, str],
    notes: list[str],
) -> tuple[dict[str, dict[str, LeafColumn]], list[str]]:
    """Leaf columns per category from the entry blocks. Returns problems (invalid values)
    separately from notes (entries that do not count, e.g. a unit not enrolled)."""
    columns: dict[str, dict[str, LeafColumn]] = {code: {} for code in compiled}
    problems: list[str] = []
    top = max(unit_rows, default=0) + 1
    category_index = {code: i for i, code in enumerate(sorted(compiled))}
    codes = sorted(compiled)
    unit_cat = np.full(top, -1, dtype=np.int64)
    unit_row = np.full(top, -1, dtype=np.int64)
    for unit_id, (category_code, row) in unit_rows.items():
        unit_cat[unit_id] = category_index[category_code]
        unit_row[unit_id] = row
    skipped_units = 0
    for block in blocks:
        indicator = code_of.get(block.indicator_id)
        if indicator is None:
            continue
        known = block.unit_ids < top
        cats = np.full(len(block.unit_ids), -1, dtype=np.int64)
        cats[known] = unit_cat[block.unit_ids[known]]
        skipped_units += int((cats < 0).sum())
        for k in np.unique(cats[cats >= 0]).tolist():
            category_code = codes[k]
            tree = compiled[category_code]
            fields = tree.leaf_fields.get(indicator)
            if fields is None:
                continue
            pick = np.flatnonzero(cats == k)
            rows = unit_row[block.unit_ids[pick]]
            n = sizes[category_code]
            made: dict[str, NumberColumn | TextColumn] = {}
            for spec in fields:
                source = INPUT_COLUMNS.get(spec.name, "value")
                if spec.type == "grade":
                    made[spec.name] = _text_column([block.grade[i] for i in pick], rows, n)
                    continue
                raw = getattr(block, source)[pick]
                column = _number_column(raw, rows, n)
                if spec.type == "int":
                    bad = column.present & ((column.values % SCALE != 0) | (column.values < 0))
                    if bad.any():
                        problems.append(
                            f"类别“{category_code}”指标“{indicator}”：“{spec.label}”必须是非负整数"
                            f"（{int(bad.sum())}个单位）"
                        )
                made[spec.name] = column
            reported = np.zeros(n, dtype=bool)
            reported[rows] = True
            refs: list[int | None] = [None] * n
            for row, entry_id in zip(rows.tolist(), block.entry_ids[pick].tolist(), strict=True):
                refs[row] = entry_id
            columns[category_code][indicator] = LeafColumn(made, reported, tuple(refs))
    if skipped_units:
        notes.append(f"{skipped_units} 条数据所属单位未参加本年度考核，未计分")
    return columns, problems


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
    ).values_list("unit__code", "total", "rank", "units_in_category")
    return {code: LastYear(code, total, rank, count) for code, total, rank, count in rows}


# The year -----------------------------------------------------------------------


def load_year(year: AssessmentYear) -> YearInput:
    """Everything the engine needs for a year; raises ScoringError with every problem."""
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
    blocks, periods = read_blocks(scheme)
    sizes = {code: len(units) for code, units in unit_codes.items()}
    columns, problems = build_columns(blocks, compiled, unit_rows, sizes, code_of, notes)
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
        periods_by_code={code_of[i]: p for i, p in periods.items()},
        notes=notes,
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
