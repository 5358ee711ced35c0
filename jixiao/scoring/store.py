"""Turning engine results into stored rows, fast (COPY on PostgreSQL, bulk_create elsewhere)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, models

from jixiao.scoring.engine import CategoryResult, CompiledTree, LastYear, UnitScore
from jixiao.scoring.engine.fixed import SCORE_DIGITS
from jixiao.scoring.engine.types import KIND_BONUS_PENALTY
from jixiao.scoring.fields import encode_matrix
from jixiao.scoring.models import UnitResult
from jixiao.scoring.outcomes import Outcome

RESULT_COLUMNS = (
    "run_id",
    "run_category_id",
    "unit_id",
    "total",
    "total_exact",
    "rank",
    "position",
    "units_in_category",
    "grade",
    "awards",
    "warnings",
    "subtotals",
    "scores",
    "missing",
    "last_total",
    "last_rank",
)


def kind_subtotals(compiled: CompiledTree, scores: np.ndarray) -> dict[str, np.ndarray]:
    """Per indicator type, for every unit at once (same rule as the engine's
    `CategoryResult.kind_subtotals`: scored leaves by kind, plus outermost bonus nodes)."""
    rows: dict[str, list[int]] = {}
    for i in compiled.scored_leaves:
        rows.setdefault(compiled.nodes[i].kind, []).append(i)
    for i in compiled.bonus_nodes:
        parent = compiled.parent[i]
        if parent >= 0 and compiled.nodes[parent].kind == KIND_BONUS_PENALTY:
            continue
        rows.setdefault(KIND_BONUS_PENALTY, []).append(i)
    return {kind: scores[idx].sum(axis=0) for kind, idx in rows.items()}


def _json_list(items: list[Any]) -> str:
    return json.dumps(items, ensure_ascii=False) if items else "[]"


def _fixed(value: int) -> str:
    return str(Decimal(value).scaleb(-SCORE_DIGITS))


def result_rows(
    run_id: int,
    run_category_id: int,
    result: CategoryResult,
    unit_ids: Mapping[str, int],
    outcomes: Mapping[str, Outcome],
    last_year: Mapping[str, LastYear],
    only: set[str] | None = None,
    units: Sequence[UnitScore] | None = None,
) -> list[tuple[Any, ...]]:
    """One tuple per unit (or per unit of `only`) in RESULT_COLUMNS order, JSON columns
    already encoded, node scores as bytes (`fields.encode_matrix`). `units`: totals and
    ranks to store instead of the result's own (the quarterly accumulation's)."""
    compiled = result.compiled
    subtotals = {k: v.tolist() for k, v in kind_subtotals(compiled, result.scores).items()}
    columns = encode_matrix(result.scores)
    kinds = sorted(subtotals.items())
    assert all(k.isidentifier() for k, _ in kinds)
    rows = []
    for unit in result.units if units is None else units:
        if only is not None and unit.unit_code not in only:
            continue
        row = result.rows[unit.unit_code]
        outcome = outcomes[unit.unit_code]
        previous = last_year.get(unit.unit_code)
        rows.append(
            (
                run_id,
                run_category_id,
                unit_ids[unit.unit_code],
                unit.total,
                unit.total_exact,
                unit.rank,
                unit.position,
                unit.units_in_category,
                outcome.grade,
                _json_list(outcome.awards),
                _json_list(outcome.warnings),
                # {"kind": "12.3456", ...}: kinds are identifiers, values decimal digits,
                # so the text is what json.dumps would write, built without it.
                "{" + ", ".join(f'"{k}": "{_fixed(v[row])}"' for k, v in kinds) + "}",
                columns[row],
                _json_list(list(unit.missing)),
                previous.total if previous else None,
                previous.rank if previous else None,
            )
        )
    return rows


def save_blobs(model: type[models.Model], column: str, blobs: Mapping[int, bytes]) -> None:
    """Set a binary column of rows that already exist.

    On PostgreSQL the bytes go as binary query parameters (a server-side binding cursor
    on Django's connection, same transaction): Django's default client-side binding
    would inline them as escaped text that the server must lex and decode."""
    if not blobs:
        return
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata, never from input.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %b WHERE id = %s"  # noqa: S608
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.executemany(sql, [(blob, pk) for pk, blob in blobs.items()])
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql.replace("%b", "%s"), [(blob, pk) for pk, blob in blobs.items()])


def read_columns(model: type[models.Model], columns: Sequence[str], pk: int) -> tuple[Any, ...]:
    """One row's columns, JSON decoded and binary columns as bytes. On PostgreSQL the
    row comes back in binary (a snapshot is ~0.5 MB; as hex text it takes longer)."""
    if connection.vendor == "postgresql":
        import psycopg

        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        # Identifiers come from the model's metadata, never from input.
        sql = f"SELECT {names} FROM {quote(model._meta.db_table)} WHERE id = %s"  # noqa: S608
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, [pk], binary=True)
            row = cursor.fetchone()
        if row is None:
            raise model.DoesNotExist(f"{model.__name__} {pk}")  # type: ignore[attr-defined]
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
    return tuple(model._default_manager.values_list(*columns).get(pk=pk))


def write_rows(rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = UnitResult._meta.db_table
        sql = f"COPY {table} ({', '.join(RESULT_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    objects = []
    for row in rows:
        values = dict(zip(RESULT_COLUMNS, row, strict=True))
        for name in ("awards", "warnings", "subtotals", "missing"):
            values[name] = json.loads(values[name])
        objects.append(UnitResult(**values))
    UnitResult.objects.bulk_create(objects, batch_size=500)
