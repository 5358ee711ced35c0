"""Columnar engine input: one column per (category, leaf indicator), one row per unit.

Numbers are stored as integers scaled by 10**digits (exact fixed point). A column is
int64 unless one of its values would not fit safely, in which case it is an object array
of Python ints. Rows follow `CategoryData.unit_codes`, which is sorted by unit code so the
input order of records never matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any

import numpy as np

from .errors import InputError
from .fixed import INT64_SAFE, IntArray, as_decimal, places, scaled, unscaled
from .methods import FieldSpec, parse_field
from .types import BonusPenaltyEvent, LeafInput, UnitInfo

BoolArray = IntArray


@dataclass(frozen=True, eq=False)
class NumberColumn:
    values: IntArray
    digits: int
    present: BoolArray

    @classmethod
    def from_decimals(cls, values: Sequence[Decimal | None]) -> NumberColumn:
        digits = max((places(v) for v in values if v is not None), default=0)
        ints = [0 if v is None else scaled(v, digits) for v in values]
        big = any(abs(i) >= INT64_SAFE for i in ints)
        array = np.array(ints, dtype=object if big else np.int64)
        present = np.array([v is not None for v in values], dtype=bool)
        return cls(array, digits, present)

    def decimal_at(self, row: int) -> Decimal | None:
        if not self.present[row]:
            return None
        return unscaled(int(self.values[row]), self.digits)

    def decimals(self) -> list[Decimal | None]:
        return [self.decimal_at(row) for row in range(len(self.values))]


@dataclass(frozen=True, eq=False)
class TextColumn:
    values: IntArray
    present: BoolArray

    @classmethod
    def from_strings(cls, values: Sequence[str | None]) -> TextColumn:
        array = np.array(["" if v is None else v for v in values], dtype=object)
        present = np.array([v is not None for v in values], dtype=bool)
        return cls(array, present)

    def decimal_at(self, row: int) -> str | None:
        return str(self.values[row]) if self.present[row] else None

    def decimals(self) -> list[str | None]:
        return [self.decimal_at(row) for row in range(len(self.values))]


Column = NumberColumn | TextColumn


@dataclass(frozen=True, eq=False)
class LeafColumn:
    """All units' entries for one leaf; `reported[i]` says unit i has an entry at all."""

    fields: Mapping[str, Column]
    reported: BoolArray
    refs: tuple[Any, ...] | None = None

    @cached_property
    def ok(self) -> BoolArray:
        """Rows with an entry and every field filled in; the others score 0 (未报送数据)."""
        result = self.reported.copy()
        for column in self.fields.values():
            result &= column.present
        return result

    def values_at(self, row: int) -> dict[str, Any]:
        return {name: column.decimal_at(row) for name, column in self.fields.items()}

    def ref_at(self, row: int) -> Any:
        return None if self.refs is None else self.refs[row]


@dataclass(frozen=True, eq=False)
class CategoryData:
    """Everything entered for the units of one category."""

    category_code: str
    unit_codes: tuple[str, ...]
    staffing: IntArray
    columns: Mapping[str, LeafColumn]
    events: tuple[BonusPenaltyEvent, ...] = ()

    def __post_init__(self) -> None:
        codes = self.unit_codes
        if any(a >= b for a, b in pairwise(codes)):
            raise InputError([f"类别“{self.category_code}”的单位必须按编码排序且不重复"])
        if len(self.staffing) != len(codes):
            raise InputError([f"类别“{self.category_code}”的编制数与单位数不一致"])

    @cached_property
    def rows(self) -> Mapping[str, int]:
        return {code: row for row, code in enumerate(self.unit_codes)}

    def row(self, unit_code: str) -> int:
        try:
            return self.rows[unit_code]
        except KeyError:
            raise InputError([f"单位“{unit_code}”不属于类别“{self.category_code}”"]) from None

    def with_input(self, leaf_input: LeafInput, fields: Sequence[FieldSpec]) -> CategoryData:
        """A copy with one entry replaced (only that column is copied)."""
        row = self.row(leaf_input.unit_code)
        n = len(self.unit_codes)
        old = self.columns.get(leaf_input.indicator_code)
        parsed = _parse_values(leaf_input, fields)
        new_fields: dict[str, Column] = {}
        for spec in fields:
            value = parsed.get(spec.name)
            if spec.type == "grade":
                texts = old.fields[spec.name].decimals() if old else [None] * n
                texts[row] = value
                new_fields[spec.name] = TextColumn.from_strings(texts)  # type: ignore[arg-type]
            else:
                new_fields[spec.name] = _with_number(
                    old.fields.get(spec.name) if old else None, n, row, value
                )
        reported = old.reported.copy() if old else np.zeros(n, dtype=bool)
        reported[row] = True
        refs = list(old.refs) if old and old.refs is not None else [None] * n
        refs[row] = leaf_input.ref
        columns = dict(self.columns)
        columns[leaf_input.indicator_code] = LeafColumn(new_fields, reported, tuple(refs))
        return replace(self, columns=columns)

    def without_input(self, unit_code: str, indicator_code: str) -> CategoryData:
        """A copy where the unit has no entry for the indicator (it becomes 未报送数据)."""
        row = self.row(unit_code)
        old = self.columns.get(indicator_code)
        if old is None:
            return self
        reported = old.reported.copy()
        reported[row] = False
        columns = dict(self.columns)
        columns[indicator_code] = LeafColumn(old.fields, reported, old.refs)
        return replace(self, columns=columns)

    def with_events(self, events: Iterable[BonusPenaltyEvent]) -> CategoryData:
        return replace(self, events=tuple(events))


def _with_number(old: Column | None, n: int, row: int, value: Decimal | None) -> NumberColumn:
    if old is None:
        values: list[Decimal | None] = [None] * n
        values[row] = value
        return NumberColumn.from_decimals(values)
    assert isinstance(old, NumberColumn)
    digits = old.digits
    if value is not None and places(value) > digits:
        values = old.decimals()
        values[row] = value
        return NumberColumn.from_decimals(values)
    array = old.values.copy()
    present = old.present.copy()
    present[row] = value is not None
    number = 0 if value is None else scaled(value, digits)
    if abs(number) >= INT64_SAFE and array.dtype != object:
        array = array.astype(object)
    array[row] = number
    return NumberColumn(array, digits, present)


def _parse_values(leaf_input: LeafInput, fields: Sequence[FieldSpec]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    errors: list[str] = []
    for spec in fields:
        raw = leaf_input.values.get(spec.name)
        if raw is None or raw == "":
            parsed[spec.name] = None
            continue
        value, error = parse_field(spec, raw)
        if error:
            errors.append(f"单位“{leaf_input.unit_code}”指标“{leaf_input.indicator_code}”：{error}")
        parsed[spec.name] = value
    if errors:
        raise InputError(errors)
    return parsed


def build_category_data(
    category_code: str,
    units: Iterable[UnitInfo],
    leaf_fields: Mapping[str, Sequence[FieldSpec]],
    inputs: Iterable[LeafInput],
    events: Iterable[BonusPenaltyEvent] = (),
    event_nodes: Iterable[str] = (),
) -> CategoryData:
    """Columns from records. Raises InputError for unknown units/indicators, duplicates and
    values that are not numbers; missing values are allowed (they score 0 and are flagged).
    """
    unit_list = sorted(
        (u for u in units if u.category_code == category_code), key=lambda u: u.unit_code
    )
    codes = tuple(u.unit_code for u in unit_list)
    rows = {code: row for row, code in enumerate(codes)}
    if len(rows) != len(codes):
        raise InputError([f"类别“{category_code}”中有重复的单位编码"])
    n = len(codes)
    errors: list[str] = []
    by_leaf: dict[str, dict[int, LeafInput]] = {}
    for item in inputs:
        where = f"单位“{item.unit_code}”指标“{item.indicator_code}”"
        if item.unit_code not in rows:
            errors.append(f"{where}：单位不属于类别“{category_code}”")
            continue
        if item.indicator_code not in leaf_fields:
            errors.append(f"{where}：不是本类别的末级指标")
            continue
        entries = by_leaf.setdefault(item.indicator_code, {})
        row = rows[item.unit_code]
        if row in entries:
            errors.append(f"{where}：重复报送")
            continue
        entries[row] = item
    columns: dict[str, LeafColumn] = {}
    for code in sorted(by_leaf):
        entries = by_leaf[code]
        specs = leaf_fields[code]
        parsed: dict[int, dict[str, Any]] = {}
        for row, item in sorted(entries.items()):
            try:
                parsed[row] = _parse_values(item, specs)
            except InputError as exc:
                errors.extend(exc.problems)
        fields: dict[str, Column] = {}
        for spec in specs:
            column_values = [parsed.get(row, {}).get(spec.name) for row in range(n)]
            if spec.type == "grade":
                fields[spec.name] = TextColumn.from_strings(column_values)
            else:
                fields[spec.name] = NumberColumn.from_decimals(column_values)
        reported = np.array([row in parsed for row in range(n)], dtype=bool)
        refs = tuple(entries[row].ref if row in entries else None for row in range(n))
        columns[code] = LeafColumn(fields, reported, refs)
    event_codes = set(event_nodes)
    event_list = []
    for event in events:
        where = f"单位“{event.unit_code}”加扣分“{event.indicator_code}”"
        if event.unit_code not in rows:
            errors.append(f"{where}：单位不属于类别“{category_code}”")
        elif event.indicator_code not in event_codes:
            errors.append(f"{where}：不是本类别的加扣分指标")
        elif as_decimal(event.points) is None:
            errors.append(f"{where}：分值必须是数字")
        else:
            event_list.append(event)
    if errors:
        raise InputError(errors)
    staffing = np.array(
        [u.staffing if u.staffing is not None else -1 for u in unit_list], dtype=np.int64
    )
    return CategoryData(category_code, codes, staffing, columns, tuple(event_list))
