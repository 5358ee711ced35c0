"""Writing audit records: called by actions, inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from jixiao.audit.context import current
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core import bulk


def jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, as JSON-safe data, for before/after."""
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in obj._meta.concrete_fields if f.name != "id"]
    )
    return {name: jsonable(getattr(obj, name)) for name in names}


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "system", "organization_name": ""}
    org = getattr(actor, "organization", None)
    return {
        "actor": actor,
        "actor_name": actor.get_username(),
        "organization_name": org.name if org is not None else "",
    }


def build_event(
    action: str,
    obj: models.Model | None = None,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    actor: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    ctx = current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return AuditEvent(
        **_actor_fields(actor if actor is not None else ctx.user),
        ip_address=ctx.ip_address,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
    )


def record(action: str, obj: models.Model | None = None, **kwargs: Any) -> AuditEvent:
    event = build_event(action, obj, **kwargs)
    event.save()
    return event


def record_many(events: list[AuditEvent]) -> None:
    """Bulk imports write their audit rows in one go, in the same transaction
    (COPY on PostgreSQL)."""
    bulk.insert(AuditEvent, events)


def event_row(event: AuditEvent) -> dict[str, Any]:
    """An unsaved event as a plain row, for `record_rows` (stamped on insert)."""
    return {
        f.attname: getattr(event, f.attname)
        for f in AuditEvent._meta.concrete_fields
        if not f.primary_key and f.attname != "at"
    }


def record_rows(rows: list[dict[str, Any]]) -> None:
    """Province-scale imports: audit rows given as {attname: value} dicts, written
    with COPY on PostgreSQL without building 100,000 model instances."""
    bulk.insert_rows(AuditEvent, rows)


def record_create(obj: models.Model, reason: str = "") -> AuditEvent:
    return record(AuditAction.CREATE, obj, after=snapshot(obj), reason=reason)


def record_update(obj: models.Model, before: Mapping[str, Any], reason: str = "") -> AuditEvent:
    after = snapshot(obj, before.keys())
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
    changed_after = {k: after[k] for k in changed_before}
    return record(
        AuditAction.UPDATE, obj, before=changed_before, after=changed_after, reason=reason
    )
