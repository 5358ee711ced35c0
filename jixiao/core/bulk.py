"""Province-scale writes: PostgreSQL COPY instead of row-by-row SQL.

Django's bulk_create and bulk_update build SQL in Python per row, which is most of the
time of a 100,000-row upload. On PostgreSQL we stream rows with COPY (into the table, or
into a temporary table that one UPDATE … FROM applies); elsewhere (SQLite) we fall back
to bulk_create / bulk_update. Callers own the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH = 2000


def _copy_value(field: models.Field[Any, Any], value: Any) -> Any:
    if value is not None and isinstance(field, models.JSONField):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys from the table's identity sequence (PostgreSQL)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new rows. On PostgreSQL every object gets its primary key first."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    missing = [o for o in objs if o.pk is None]
    for obj, pk in zip(missing, allocate_ids(model, len(missing)), strict=True):
        obj.pk = pk
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for f in stamped:
            if getattr(obj, f.attname) is None or getattr(f, "auto_now", False):
                setattr(obj, f.attname, now)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([_copy_value(f, getattr(obj, f.attname)) for f in fields])


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows given as {attname: value} without building model instances (the
    model's defaults fill what is missing); returns their primary keys in order."""
    if not rows:
        return []
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return [o.pk for o in objs]
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for text, None for nullable
    ids = allocate_ids(model, len(rows))
    names = [f.attname for f in fields]
    columns = ", ".join(
        connection.ops.quote_name(c) for c in ["id", *(str(f.column) for f in fields)]
    )
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        chunk: list[str] = []
        for pk, row in zip(ids, rows, strict=True):
            values = [str(pk)]
            for name in names:
                value = row[name] if name in row else defaults[name]
                values.append(_copy_text(value))
            chunk.append("\t".join(values) + "\n")
            if len(chunk) >= BATCH:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))
    return ids


def update(model: type[models.Model], objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """Update `names` of existing rows (their values as set on the objects)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, list(names), batch_size=BATCH)
        return
    meta = model._meta
    fields = [meta.get_field(n) for n in names]
    pk = meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    temp = quote(f"tmp_{meta.db_table}_update")
    # Identifiers come from the model's metadata, never from user input.
    columns = [quote(str(pk.column)), *(quote(str(f.column)) for f in fields)]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temp} ({', '.join(columns)}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [obj.pk, *(_copy_value(f, getattr(obj, f.attname)) for f in fields)]  # type: ignore[arg-type, union-attr]
                )
        assignments = ", ".join(f"{c} = t.{c}" for c in columns[1:])
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS d SET {assignments} FROM {temp} AS t "  # noqa: S608
            f"WHERE d.{columns[0]} = t.{columns[0]}"
        )
        cursor.execute(f"DROP TABLE {temp}")
