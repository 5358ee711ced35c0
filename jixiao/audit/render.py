"""Audit rows as words a clerk reads: the one rendering layer for every page and export
that shows an audit row (an entry's 办理记录, the scheme's history, the audit log and its
CSV).

Audit rows keep the raw data (`status: "recheck_requested"`, `unit_id: 7`, ISO UTC
times); this module turns them into text: model labels into verbose names, field names
into verbose names, choice values into their labels, ids into names, times into local
time (Asia/Shanghai) and dicts into "名称：值" lists. Keys that are not model fields
(`action`, `superseded_by`, an indicator's `points`) are labelled by the app that writes
them, through `register` called from its `AppConfig.ready()` — this app never imports
the apps above it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from jixiao.audit.models import AuditEvent

EMPTY = "—"
# (value, the whole before/after dict it came from) -> text
Show = Callable[[Any, Mapping[str, Any]], str]


@dataclass(frozen=True)
class Key:
    label: Any  # str or lazy translation
    show: Show | None = None
    hidden: bool = False
    # For "points.JD"-style keys: the tail ("JD") as words ("街道类").
    tail: Callable[[str], str] | None = None


# (object_type or "*", key) -> Key. "*" applies to every object type.
_KEYS: dict[tuple[str, str], Key] = {}


def register(
    object_type: str,
    key: str,
    label: Any = "",
    *,
    show: Show | None = None,
    hidden: bool = False,
    tail: Callable[[str], str] | None = None,
) -> None:
    """Label a key that is not a model field (or override one) for `object_type`
    ("app.model", or "*" for every type); `hidden` keeps internals (fingerprints) off
    the page while the row keeps them."""
    _KEYS[(object_type, key)] = Key(label, show, hidden, tail)


# Keys every app writes the same way.
register("*", "status", gettext_lazy("状态"))
register("*", "reason", gettext_lazy("原因"))
register("*", "format", gettext_lazy("导出格式"), show=lambda v, row: str(v).upper())
register("*", "fingerprint", hidden=True)
register("*", "file", hidden=True)  # the stored path; the original name is shown
register("*", "version", hidden=True)
register("*", "name", gettext_lazy("名称"))
register("*", "units", gettext_lazy("单位数"))
register("*", "cards", gettext_lazy("成绩单份数"))
register("*", "created", pgettext_lazy("rows added", "新增"))
register("*", "updated", pgettext_lazy("rows updated", "更新"))
register("*", "enrolled", gettext_lazy("纳入考核"))
register("*", "missing", gettext_lazy("未完成"))
register("*", "recipients", gettext_lazy("提醒人数"))
register("*", "count", gettext_lazy("条数"))
register("*", "indicators", gettext_lazy("各指标条数"))
register("*", "approved", gettext_lazy("已审核通过"))

_discovered = False


def _is_pk(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    )


def _registered_show(object_type: str, key: str) -> bool:
    spec = _KEYS.get((object_type, key)) or _KEYS.get(("*", key))
    return spec is not None and spec.show is not None


def _discover() -> None:
    """Import each app's `audit_labels.py` once: the apps register their own keys."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for config in apps.get_app_configs():
        if config.name.startswith("jixiao."):
            try:
                import_module(f"{config.name}.audit_labels")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.audit_labels":
                    raise


_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def model_label(object_type: str) -> str:
    """'collection.entry' -> '采集数据'; an unknown type reads as it is."""
    model = model_for(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if key in (field.name, field.attname):
            return field
    return None


def local_time(value: dt.datetime | str | None) -> str:
    """A moment as local time to the minute ('2026-11-30 13:05'); '' for None."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def plain_number(text: str) -> str:
    """'5.0000' -> '5', '2.50' -> '2.5' (never exponent form)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Line:
    """One audit row, ready to show."""

    event: AuditEvent
    at: str
    actor: str
    organization: str
    action: str
    object_type: str
    object: str
    changes: tuple[Change, ...]
    reason: str

    @property
    def status_change(self) -> Change | None:
        return next((c for c in self.changes if c.key == "status"), None)

    @property
    def other_changes(self) -> tuple[Change, ...]:
        status = self.status_change
        return tuple(c for c in self.changes if c is not status)


class Renderer:
    """Renders a batch of audit rows; names behind ids are fetched once per batch."""

    def __init__(self, events: Iterable[AuditEvent]) -> None:
        _discover()
        self.events = list(events)
        self._names: dict[type[models.Model], dict[str, str]] = {}
        self._load_names()

    # -- ids to names ------------------------------------------------------------------

    def _load_names(self, extra: Iterable[tuple[str, Any]] = ()) -> None:
        wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        rows = [(e.object_type, d) for e in self.events for d in (e.before, e.after)]
        for object_type, data in [*rows, *extra]:
            model = model_for(object_type)
            if not isinstance(data, Mapping):
                continue
            for key, value in data.items():
                field = _field(model, key)
                if field is None or not field.is_relation or _registered_show(object_type, key):
                    continue
                if _is_pk(value):
                    wanted[field.related_model].add(str(value))  # type: ignore[index]
        for related, pks in wanted.items():
            self._names[related] = {
                str(pk): str(obj) for pk, obj in related._default_manager.in_bulk(pks).items()
            }

    def _related_name(self, field: models.Field[Any, Any], value: Any) -> str:
        names = self._names.get(field.related_model, {})  # type: ignore[arg-type]
        # A row whose target is gone (deleted since) still says what it was.
        return names.get(str(value), _("（已删除，编号 %(n)s）") % {"n": value})

    # -- one value ---------------------------------------------------------------------

    def key(self, object_type: str, key: str) -> Key:
        field = _field(model_for(object_type), key)
        found = _KEYS.get((object_type, key)) or (
            _KEYS.get(("*", key)) if field is None or key == "version" else None
        )
        if found is not None:
            if not found.label and field is not None:
                return Key(field.verbose_name, found.show, found.hidden)
            return found
        if field is not None:
            return Key(field.verbose_name)
        if "." in key:  # "points.JD" style keys: label the head, keep the tail
            head, _sep, tail = key.partition(".")
            spec = self.key(object_type, head)
            return Key(f"{spec.label}（{spec.tail(tail) if spec.tail else tail}）")
        return Key(key)

    def value(
        self, object_type: str, key: str, value: Any, row: Mapping[str, Any] | None = None
    ) -> str:
        spec = _KEYS.get((object_type, key)) or _KEYS.get(("*", key))
        if spec is not None and spec.show is not None and value not in (None, ""):
            return spec.show(value, row or {})
        field = _field(model_for(object_type), key)
        if field is not None and value not in (None, ""):
            if field.is_relation and _is_pk(value):
                return self._related_name(field, value)
            if field.is_relation:
                return text(value)  # some rows name the target by its code already
            if field.choices:
                return str(dict(field.flatchoices).get(value, value))
        return text(value)

    # -- a whole row -------------------------------------------------------------------

    def changes(self, event: AuditEvent) -> tuple[Change, ...]:
        return self.compare(event.object_type, event.before, event.after)

    def compare(self, object_type: str, before: Any, after: Any) -> tuple[Change, ...]:
        before = before if isinstance(before, Mapping) else {}
        after = after if isinstance(after, Mapping) else {}
        result = []
        for key in list(dict.fromkeys([*before, *after])):
            spec = self.key(object_type, key)
            if spec.hidden or (key in before and key in after and before[key] == after[key]):
                continue
            if key not in before and after[key] in (None, "", [], {}):
                continue  # a new object's empty fields say nothing
            result.append(
                Change(
                    key,
                    str(spec.label),
                    self.value(object_type, key, before[key], before) if key in before else "",
                    self.value(object_type, key, after[key], after) if key in after else "",
                )
            )
        return tuple(result)

    def line(self, event: AuditEvent) -> Line:
        changes = self.changes(event)
        action = str(event.get_action_display())
        # A workflow step names itself ("申请复核") better than the generic "流程".
        step = next((c for c in changes if c.key == "action"), None)
        if step is not None:
            action, changes = step.after, tuple(c for c in changes if c is not step)
        return Line(
            event=event,
            at=local_time(event.at),
            actor=event.actor_name if event.actor_name != "system" else _("系统"),
            organization=event.organization_name,
            action=action,
            object_type=model_label(event.object_type) if event.object_type else "",
            object=event.object_repr,
            changes=changes,
            reason=event.reason,
        )

    def lines(self) -> list[Line]:
        token = _memo.set({})
        try:
            return [self.line(e) for e in self.events]
        finally:
            _memo.reset(token)


# Lookups made by the apps' `show` functions (a code to a name), shared by one batch so
# a page of fifty rows naming the same department asks the database once.
_memo: ContextVar[dict[Any, str] | None] = ContextVar("jixiao_audit_render_memo", default=None)


def remembered(key: Any, lookup: Callable[[], str]) -> str:
    """`lookup()`, once per rendered batch for the same key (no caching outside one)."""
    memo = _memo.get()
    if memo is None:
        return lookup()
    if key not in memo:
        memo[key] = lookup()
    return memo[key]


def render(events: Iterable[AuditEvent]) -> list[Line]:
    return Renderer(events).lines()


def compare(object_type: str, before: Any, after: Any) -> tuple[Change, ...]:
    """What changed between two snapshots of one object (e.g. a recheck's before and
    after), in words."""
    renderer = Renderer([])
    renderer._load_names([(object_type, before), (object_type, after)])
    return renderer.compare(object_type, before, after)


def text(value: Any) -> str:
    """Any stored value as text: no None, no dicts, no ISO UTC strings."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return local_time(value)
    if isinstance(value, Decimal):
        return plain_number(str(value))
    if isinstance(value, str):
        if _ISO_DATETIME.match(value):
            return local_time(value) or value
        if _DECIMAL.match(value):
            return plain_number(value)
        return value
    if isinstance(value, Mapping):
        return "；".join(f"{k}：{text(v)}" for k, v in value.items()) or EMPTY
    if isinstance(value, list | tuple | set):
        return "、".join(text(v) for v in value) or EMPTY
    return str(value)


def changes_text(line: Line) -> str:
    """The changes of a row on one line (the CSV's 变更内容 column)."""
    return "；".join(
        f"{c.label}：{c.before} → {c.after}" if c.before else f"{c.label}：{c.after}"
        for c in line.changes
    )


def _action_label(value: Any, row: Mapping[str, Any]) -> str:
    from jixiao.audit.models import AuditAction

    return str(dict(AuditAction.choices).get(value, value))


# The audit log's own export records the filters it was given.
register("audit.auditevent", "q", gettext_lazy("对象或原因"))
register("audit.auditevent", "action", gettext_lazy("操作"), show=_action_label)
register("audit.auditevent", "actor", gettext_lazy("操作人"))
register("audit.auditevent", "since", gettext_lazy("起"))
register("audit.auditevent", "until", gettext_lazy("止"))
register(
    "audit.auditevent", "object_type", gettext_lazy("对象类型"), show=lambda v, r: model_label(v)
)
