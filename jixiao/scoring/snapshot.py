"""A compact, exact, pickle-free snapshot of the engine's input for one category.

The arrays of a `CategoryData` are written with `numpy.savez` (no pickling: numbers as
int32/int64 or, when too large, as decimal strings; grades as fixed-width unicode),
and their layout goes into a JSON document next to it. Loading gives back an equal
`CategoryData`, so a run's explanations are rebuilt from exactly what it computed.
The scheme tree is stored as JSON and rebuilt into a `CategoryTree`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryData,
    CategoryTree,
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


def _mask(array: np.ndarray) -> np.ndarray | None:
    """Masks that are all True are not stored."""
    return None if bool(array.all()) else array


class _Packer:
    """Many small arrays stored as a few big ones (one per dtype): a category has
    hundreds of columns, and one zip member per array would dominate the cost."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {}
        self.sizes: dict[str, int] = {}
        self.index: dict[str, list[Any]] = {}

    def __setitem__(self, key: str, array: np.ndarray) -> None:
        kind = array.dtype.str if array.dtype.kind != "U" else "U"
        if kind == "U":
            # Strings: stored joined with a separator that cannot occur in a grade.
            joined = np.array(["\x1e".join(array.tolist())], dtype=np.str_)
            self.parts.setdefault(f"U{key}", []).append(joined)
            self.index[key] = ["U", f"U{key}", 0, len(array)]
            return
        offset = self.sizes.get(kind, 0)
        self.parts.setdefault(kind, []).append(array)
        self.sizes[kind] = offset + len(array)
        self.index[key] = [kind, kind, offset, len(array)]

    def dump(self) -> tuple[bytes, dict[str, list[Any]]]:
        buffer = io.BytesIO()
        names = {kind: f"a{i}" for i, kind in enumerate(sorted(self.parts))}
        np.savez(buffer, **{names[k]: np.concatenate(v) for k, v in self.parts.items()})  # type: ignore[arg-type]
        index = {
            key: [names[part], offset, n, kind]
            for key, (kind, part, offset, n) in self.index.items()
        }
        return buffer.getvalue(), index


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


def dump_data(data: CategoryData) -> tuple[bytes, dict[str, Any]]:
    arrays = _Packer()
    staffing, staffing_enc = _ints(data.staffing)
    arrays["staffing"] = staffing
    columns = []
    for c, (code, column) in enumerate(sorted(data.columns.items())):
        entry: dict[str, Any] = {"code": code, "fields": []}
        arrays[f"c{c}_reported"] = column.reported
        if isinstance(column.refs, EntryRefs):
            stored, enc = _ints(column.refs.ids)
            arrays[f"c{c}_refs"] = stored
            entry["refs"] = enc
        elif column.refs is not None:
            if all(r is None or isinstance(r, int) for r in column.refs):
                refs = np.array([-1 if r is None else r for r in column.refs], dtype=np.int64)
                stored, enc = _ints(refs)
            else:  # opaque refs (not entry ids): kept as text
                stored = np.array(["" if r is None else str(r) for r in column.refs], np.str_)
                enc = "text"
            arrays[f"c{c}_refs"] = stored
            entry["refs"] = enc
        for f, (name, field) in enumerate(sorted(column.fields.items())):
            key = f"c{c}_f{f}"
            present = _mask(field.present)
            if present is not None:
                arrays[f"{key}_present"] = present
            if isinstance(field, TextColumn):
                arrays[key] = np.array([str(v) for v in field.values.tolist()], dtype=np.str_)
                entry["fields"].append(
                    {"name": name, "type": "text", "present": present is not None}
                )
            else:
                stored, enc = _ints(field.values)
                arrays[key] = stored
                entry["fields"].append(
                    {
                        "name": name,
                        "type": "number",
                        "digits": field.digits,
                        "enc": enc,
                        "present": present is not None,
                    }
                )
        columns.append(entry)
    blob, index = arrays.dump()
    layout = {
        "index": index,
        "category": data.category_code,
        "units": list(data.unit_codes),
        "staffing": staffing_enc,
        "columns": columns,
        "events": [
            [e.unit_code, e.indicator_code, str(e.points), e.description, e.ref]
            for e in data.events
        ],
    }
    return blob, layout


def load_data(blob: bytes, layout: Mapping[str, Any]) -> CategoryData:
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
