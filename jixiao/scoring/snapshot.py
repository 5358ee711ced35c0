"""A compact, exact, pickle-free snapshot of the engine's input for one category.

Format 2 (written now): every number field of the category is a row of one integer
matrix (int32 when all fit, else int64), every presence mask and `reported` a row of a
bit-packed boolean matrix, every column's entry ids a row of one id matrix (-1 = none);
text (grades, opaque refs) and integers beyond int64 go as JSON inside the same
`numpy.savez` archive (no pickling). The JSON `layout` next to it lists the columns and
their fields in order, the units and the events. Writing or reading a category is a few
array operations, not one per column.

Format 3 is format 2 plus the records: each entry's texts as they were at computation
time (reason, who and when, evidence) as one JSON object inside the archive (`records`),
and the events' in `layout["records"]` (see `jixiao.scoring.records`).
Formats 2 and 1 (no "format" key; runs computed before format 2) are still read.

Loading gives back an equal `CategoryData`, so a run's explanations are rebuilt from
exactly what it computed. The scheme tree is stored as JSON and rebuilt into a
`CategoryTree`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryData,
    CategoryTree,
    LastYear,
    LeafColumn,
    Node,
    NumberColumn,
    TextColumn,
)

INT32_MAX = 2**31 - 1


class EntryRefs(tuple[int | None, ...]):
    """A leaf column's refs when they are entry ids: the tuple the engine reads (None
    where a unit has no entry), plus the same ids as an int64 array (-1 = none) so the
    snapshot stores them without walking a Python object per unit."""

    ids: np.ndarray

    def __new__(cls, refs: Sequence[int | None], ids: np.ndarray) -> EntryRefs:
        self = super().__new__(cls, refs)
        self.ids = ids
        return self


def _ints(array: Any) -> tuple[np.ndarray, str]:
    """(array to store, encoding) for an int column: int32 when it fits, else int64, else
    decimal strings for Python-int object arrays."""
    if array.dtype == object:
        if all(abs(int(v)) < 2**62 for v in array):
            return np.asarray(array, dtype=np.int64), "i8"
        return np.array([str(int(v)) for v in array], dtype=np.str_), "str"
    if array.size == 0 or (int(array.min()) >= -INT32_MAX and int(array.max()) <= INT32_MAX):
        return array.astype(np.int32), "i4"
    return array.astype(np.int64), "i8"


def _restore_ints(array: np.ndarray, encoding: str) -> np.ndarray:
    if encoding == "str":
        return np.array([int(v) for v in array.tolist()], dtype=object)
    return array.astype(np.int64)


class _Unpacker:
    def __init__(self, blob: bytes, index: Mapping[str, list[Any]]) -> None:
        self.arrays = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        self.loaded: dict[str, np.ndarray] = {}
        self.index = index

    def __contains__(self, key: str) -> bool:
        return key in self.index

    def __getitem__(self, key: str) -> np.ndarray:
        name, offset, n, kind = self.index[key]
        if name not in self.loaded:
            self.loaded[name] = self.arrays[name]
        array = self.loaded[name]
        if kind == "U":
            text = str(array[0])
            return np.array(text.split("\x1e") if n else [], dtype=np.str_)
        return array[offset : offset + n]


FORMAT = 3
#: Formats whose arrays are laid out as format 2 (3 only adds records to the layout).
MATRIX_FORMATS = (2, 3)


def _matrix(rows: Sequence[np.ndarray], n: int, dtype: Any) -> np.ndarray:
    return np.stack(rows) if rows else np.zeros((0, n), dtype=dtype)


def _id_range(ids: np.ndarray) -> bool:
    """Entry ids (-1 = none) that the id matrix holds exactly."""
    return ids.dtype != object and (
        not ids.size or (int(ids.min()) >= -1 and int(ids.max()) < 2**62)
    )


def _narrow(matrix: np.ndarray) -> np.ndarray:
    if matrix.size and (int(matrix.min()) < -INT32_MAX or int(matrix.max()) > INT32_MAX):
        return matrix.astype(np.int64)
    return matrix.astype(np.int32)


def dump_data(data: CategoryData, records: bytes = b"{}") -> tuple[bytes, dict[str, Any]]:
    """(archive bytes, JSON layout) of a category's engine input, with the entries'
    records (a JSON object text, see `jixiao.scoring.records`) in the archive."""
    n = len(data.unit_codes)
    numbers: list[np.ndarray] = []
    masks: list[np.ndarray] = []
    reported: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    strings: dict[str, list[Any]] = {"text": [], "big": [], "refs": []}
    columns: list[list[Any]] = []
    for code, column in sorted(data.columns.items()):
        reported.append(column.reported)
        refs_kind: str | None = None
        if isinstance(column.refs, EntryRefs) and _id_range(column.refs.ids):
            ids.append(column.refs.ids)
            refs_kind = "id"
        elif column.refs is not None:
            entry_ids = [-1 if r is None else r for r in column.refs]
            if all(type(r) is int for r in entry_ids) and _id_range(np.array(entry_ids)):
                ids.append(np.array(entry_ids, dtype=np.int64))
                refs_kind = "id"
            else:  # other refs: ints, text or None as JSON (anything else as text)
                strings["refs"].append(
                    [r if r is None or type(r) in (int, str) else str(r) for r in column.refs]
                )
                refs_kind = "json"
        fields: list[list[Any]] = []
        for name, field in sorted(column.fields.items()):
            masks.append(field.present)
            if isinstance(field, TextColumn):
                strings["text"].append([str(v) for v in field.values.tolist()])
                fields.append([name, "text"])
            elif field.values.dtype == object:  # beyond int64: exact decimal strings
                strings["big"].append([str(int(v)) for v in field.values.tolist()])
                fields.append([name, "big", field.digits])
            else:
                numbers.append(field.values)
                fields.append([name, "number", field.digits])
        columns.append([code, refs_kind, fields])
    staffing, staffing_enc = _ints(data.staffing)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        numbers=_narrow(_matrix(numbers, n, np.int64)),
        masks=np.packbits(_matrix(masks, n, bool)),
        reported=np.packbits(_matrix(reported, n, bool)),
        ids=_narrow(_matrix(ids, n, np.int64)),
        staffing=staffing,
        strings=np.frombuffer(json.dumps(strings, ensure_ascii=False).encode(), np.uint8),
        records=np.frombuffer(records, np.uint8),
    )
    layout = {
        "format": FORMAT,
        "category": data.category_code,
        "units": list(data.unit_codes),
        "staffing": staffing_enc,
        "columns": columns,
        "events": [
            [e.unit_code, e.indicator_code, str(e.points), e.description, e.ref]
            for e in data.events
        ],
    }
    return buffer.getvalue(), layout


def load_entry_records(blob: bytes, layout: Mapping[str, Any]) -> dict[str, Any] | None:
    """The entries' records kept in a format 3 archive; None before format 3."""
    if layout.get("format") != FORMAT:
        return None
    arrays = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
    if "records" not in arrays.files:
        return None
    loaded: dict[str, Any] = json.loads(arrays["records"].tobytes().decode())
    return loaded


def _bits(packed: np.ndarray, rows: int, n: int) -> np.ndarray:
    return np.unpackbits(packed, count=rows * n).reshape(rows, n).astype(bool)


def _events(layout: Mapping[str, Any]) -> tuple[BonusPenaltyEvent, ...]:
    return tuple(
        BonusPenaltyEvent(unit, indicator, Decimal(points), description, ref)
        for unit, indicator, points, description, ref in layout["events"]
    )


def load_data(blob: bytes, layout: Mapping[str, Any]) -> CategoryData:
    if layout.get("format") not in MATRIX_FORMATS:
        return _load_v1(blob, layout)
    arrays = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
    n = len(layout["units"])
    specs = layout["columns"]
    field_count = sum(len(fields) for _, _, fields in specs)
    numbers = arrays["numbers"].astype(np.int64)
    masks = _bits(arrays["masks"], field_count, n)
    reported = _bits(arrays["reported"], len(specs), n)
    ids = arrays["ids"].astype(np.int64)
    id_objects = ids.astype(object)
    id_objects[ids < 0] = None
    strings = json.loads(arrays["strings"].tobytes().decode())
    counters = {"number": 0, "mask": 0, "id": 0, "text": 0, "big": 0, "refs": 0}

    def take(kind: str) -> int:
        counters[kind] += 1
        return counters[kind] - 1

    columns: dict[str, LeafColumn] = {}
    for c, (code, refs_kind, fields) in enumerate(specs):
        made: dict[str, NumberColumn | TextColumn] = {}
        for spec in fields:
            name, kind = spec[0], spec[1]
            present = masks[take("mask")]
            if kind == "text":
                values = np.array(strings["text"][take("text")], dtype=object)
                made[name] = TextColumn(values, present)
            elif kind == "big":
                big = np.array([int(v) for v in strings["big"][take("big")]], dtype=object)
                made[name] = NumberColumn(big, spec[2], present)
            else:
                made[name] = NumberColumn(numbers[take("number")], spec[2], present)
        refs: tuple[Any, ...] | None = None
        if refs_kind == "id":
            row = take("id")
            refs = EntryRefs(id_objects[row].tolist(), ids[row])
        elif refs_kind == "json":
            refs = tuple(strings["refs"][take("refs")])
        columns[code] = LeafColumn(made, reported[c], refs)
    return CategoryData(
        layout["category"],
        tuple(layout["units"]),
        _restore_ints(arrays["staffing"], layout["staffing"]),
        columns,
        _events(layout),
    )


def _load_v1(blob: bytes, layout: Mapping[str, Any]) -> CategoryData:
    """Format 1: one array per column field, packed per dtype, with an index."""
    arrays = _Unpacker(blob, layout["index"])
    n = len(layout["units"])
    columns: dict[str, LeafColumn] = {}
    for c, entry in enumerate(layout["columns"]):
        fields: dict[str, NumberColumn | TextColumn] = {}
        for f, spec in enumerate(entry["fields"]):
            key = f"c{c}_f{f}"
            present = arrays[f"{key}_present"] if spec["present"] else np.ones(n, dtype=bool)
            if spec["type"] == "text":
                values = np.array(arrays[key].tolist(), dtype=object)
                fields[spec["name"]] = TextColumn(values, present)
            else:
                fields[spec["name"]] = NumberColumn(
                    _restore_ints(arrays[key], spec["enc"]), spec["digits"], present
                )
        refs: tuple[Any, ...] | None = None
        if entry.get("refs") == "text":
            refs = tuple(r or None for r in arrays[f"c{c}_refs"].tolist())
        elif "refs" in entry:
            ids = _restore_ints(arrays[f"c{c}_refs"], entry["refs"])
            objects = ids.astype(object)
            objects[ids < 0] = None
            refs = EntryRefs(objects.tolist(), ids) if ids.dtype != object else tuple(objects)
        columns[entry["code"]] = LeafColumn(fields, arrays[f"c{c}_reported"], refs)
    events = tuple(
        BonusPenaltyEvent(unit, indicator, Decimal(points), description, ref)
        for unit, indicator, points, description, ref in layout["events"]
    )
    return CategoryData(
        layout["category"],
        tuple(layout["units"]),
        _restore_ints(arrays["staffing"], layout["staffing"]),
        columns,
        events,
    )


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def tree_to_json(tree: CategoryTree, owners: Mapping[str, int | None]) -> dict[str, Any]:
    return {
        "category": tree.category_code,
        "scale": str(tree.scale),
        "nodes": [
            {
                "code": n.code,
                "parent": n.parent_code,
                "level": n.level,
                "name": n.name,
                "kind": n.kind,
                "points": str(n.points),
                "method": n.method,
                "params": _jsonable(n.params),
                "bonus_cap": _dec(n.bonus_cap),
                "penalty_cap": _dec(n.penalty_cap),
                "sort_order": n.sort_order,
                "owner": owners.get(n.code),
                "units": sorted(n.units) if n.units is not None else None,
            }
            for n in tree.nodes
        ],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def tree_from_json(data: Mapping[str, Any]) -> CategoryTree:
    nodes = tuple(
        Node(
            code=n["code"],
            parent_code=n["parent"],
            level=n["level"],
            name=n["name"],
            kind=n["kind"],
            points=Decimal(n["points"]),
            method=n["method"],
            params=n["params"] or {},
            bonus_cap=None if n["bonus_cap"] is None else Decimal(n["bonus_cap"]),
            penalty_cap=None if n["penalty_cap"] is None else Decimal(n["penalty_cap"]),
            sort_order=n["sort_order"],
            units=frozenset(n["units"]) if n.get("units") else None,
        )
        for n in data["nodes"]
    )
    return CategoryTree(data["category"], Decimal(data["scale"]), nodes)


def owners_of(data: Mapping[str, Any]) -> dict[str, int | None]:
    return {n["code"]: n.get("owner") for n in data["nodes"]}


def names_of(data: Mapping[str, Any]) -> dict[str, str]:
    return {n["code"]: n["name"] for n in data["nodes"]}


def node_lookup(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {n["code"]: n for n in data["nodes"]}


def codes(data: Sequence[Mapping[str, Any]]) -> list[str]:
    return [n["code"] for n in data]


def last_year_from_layout(layout: Mapping[str, Any]) -> dict[str, LastYear]:
    """Last year's figures stored with a run category (the one reader of `layout["last_year"]`:
    scoring, explanations and the what-if analysis all use it)."""
    result = {}
    for unit, (total, rank, count, *rest) in layout.get("last_year", {}).items():
        # Snapshots written before the warning was stored carry 3 figures; for them, the
        # rule they were computed with (last two ranks), so a recompute changes nothing.
        warned = bool(rest[0]) if rest else rank is not None and count and rank > count - 2
        result[unit] = LastYear(
            unit, Decimal(total) if total != "None" else None, rank, count, bool(warned)
        )
    return result
