"""Node scores stored as a compact binary vector (`NodeScoresField`).

A unit's result holds every node's score as an integer in 10**-4 points (see
`jixiao.scoring.engine.fixed`). A province run writes 10,000 such rows of ~230 numbers;
as JSON the database would parse 2.3 million numbers per computation, as bytes it copies
them. The encoding is self-describing by its first byte:

* ``0x04`` + little-endian int32 values (every score fits: the usual case);
* ``0x08`` + little-endian int64 values;
* ``[`` — a JSON list of integers: values beyond int64 (exact at any size), and rows
  written before this encoding existed (migration 0004 keeps them as their JSON text).

Decoding gives a plain ``list[int]``, so readers index and compare it as before. Every
encoding is exact; `encode_scores(decode_scores(b)) == b` for the binary forms.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import models

INT32 = b"\x04"
INT64 = b"\x08"
JSON = b"["
_I32 = np.dtype("<i4")
_I64 = np.dtype("<i8")
_I32_MIN, _I32_MAX = -(2**31), 2**31 - 1
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def _width(low: int, high: int) -> bytes:
    if low >= _I32_MIN and high <= _I32_MAX:
        return INT32
    if low >= _I64_MIN and high <= _I64_MAX:
        return INT64
    return JSON


def encode_scores(values: Sequence[int] | np.ndarray) -> bytes:
    """Integers → bytes (int32 when every value fits, else int64, else JSON)."""
    array = np.asarray(values)
    if array.size == 0:
        return INT32
    if array.dtype.kind not in "iu":
        # Python ints (numpy object arrays, lists beyond int64): checked one by one.
        items = array.tolist()
        if any(not isinstance(v, int | np.integer) for v in items):
            raise TypeError("node scores must be integers")
        ints = [int(v) for v in items]
        tag = _width(min(ints), max(ints))
        if tag == JSON:
            return json.dumps(ints, separators=(",", ":")).encode()
        array = np.array(ints, dtype=np.int64)
    tag = _width(int(array.min()), int(array.max()))
    return tag + array.astype(_I32 if tag == INT32 else _I64).tobytes()


def encode_matrix(scores: np.ndarray) -> list[bytes]:
    """One encoded vector per column of `scores[node, unit]` (a category's result), with
    one width check for the whole matrix."""
    if scores.dtype.kind not in "iu" or scores.size == 0:
        return [encode_scores(scores[:, j]) for j in range(scores.shape[1])]
    tag = _width(int(scores.min()), int(scores.max()))
    if tag == JSON:
        return [encode_scores(scores[:, j]) for j in range(scores.shape[1])]
    rows = np.ascontiguousarray(scores.T, dtype=_I32 if tag == INT32 else _I64)
    return [tag + row.tobytes() for row in rows]


def decode_scores(raw: bytes | bytearray | memoryview | str | None) -> list[int] | None:
    if raw is None:
        return None
    if isinstance(raw, str):  # legacy JSON text (SQLite keeps text in a blob column)
        return [int(v) for v in json.loads(raw)]
    data = bytes(raw)
    if not data:
        return []
    tag = data[:1]
    if tag == INT32:
        return np.frombuffer(data, dtype=_I32, offset=1).tolist()
    if tag == INT64:
        return np.frombuffer(data, dtype=_I64, offset=1).tolist()
    if tag == JSON:
        return [int(v) for v in json.loads(data)]
    raise ValueError(f"unknown node score encoding {tag!r}")


class NodeScoresField(models.BinaryField):
    """A list of integers stored as bytes (see the module docstring)."""

    description = "Integers in 10**-4 points, stored as a binary vector"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[int] | None:
        return decode_scores(value)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):  # serialized form (dumpdata): a JSON list
            return [int(v) for v in json.loads(value)]
        if isinstance(value, bytes | bytearray | memoryview):
            return decode_scores(value)
        return [int(v) for v in value]

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, bytes | bytearray | memoryview):
            return value
        return encode_scores(value)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return json.dumps(None if value is None else [int(v) for v in value])
