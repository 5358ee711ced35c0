"""Implausible-entry flags: the Django side of `plausibility` (load, assess, store).

Collection announces saved entries (`collection.hooks`); we compare each with the
unit's own history and its category's peers and keep one `EntryFlag` per implausible
entry. A reviewer must acknowledge a flag (with a note) before approving the entry;
a flag whose reasons change after acknowledgment must be acknowledged again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.collection.models import Entry
from jixiao.org.models import UnitEnrollment
from jixiao.verification import plausibility
from jixiao.verification.models import EntryFlag, FlagThreshold


def thresholds_for(indicator_ids: Sequence[int]) -> dict[int, plausibility.Thresholds]:
    result = {}
    for row in FlagThreshold.objects.filter(indicator_id__in=indicator_ids):
        d = plausibility.DEFAULTS
        result[row.indicator_id] = plausibility.Thresholds(
            ceiling=float(row.ceiling) if row.ceiling is not None else d.ceiling,
            jump_factor=float(row.jump_factor) if row.jump_factor is not None else d.jump_factor,
            mad_k=float(row.mad_k) if row.mad_k is not None else d.mad_k,
            min_peers=d.min_peers,
            min_gap=d.min_gap,
            allow_negative=row.allow_negative,
        )
    return result


def _last_year_code(code: str) -> str:
    year, _sep, rest = code.partition("-")
    return f"{int(year) - 1}-{rest}" if year.isdigit() else ""


def assess_entries(entry_ids: Sequence[int]) -> dict[int, list[str]]:
    """Reasons per entry id (entries with none are included with [])."""
    entries = list(
        Entry.objects.filter(pk__in=entry_ids)
        .order_by()  # Entry's default ordering would join three tables for nothing
        .values(
            "pk",
            "period_id",
            "period__code",
            "period__kind",
            "period__starts_on",
            "period__scheme__year_id",
            "indicator_id",
            "indicator__code",
            "indicator__method",
            "unit_id",
            "value",
            "reference",
        )
    )
    if not entries:
        return {}
    periods = {e["period_id"] for e in entries}
    indicators = {e["indicator_id"] for e in entries}
    peers = list(
        Entry.objects.filter(period_id__in=periods, indicator_id__in=indicators)
        .order_by()
        .values_list("period_id", "indicator_id", "unit_id", "value", "reference")
    )
    years = {e["period__scheme__year_id"] for e in entries}
    category = {
        (year, unit): cat
        for year, unit, cat in UnitEnrollment.objects.filter(year_id__in=years).values_list(
            "year_id", "unit_id", "category_id"
        )
    }
    history: dict[tuple[int, str], list[tuple[Any, str, Any, Any]]] = defaultdict(list)
    for row in (
        Entry.objects.filter(
            unit_id__in={e["unit_id"] for e in entries},
            indicator__code__in={e["indicator__code"] for e in entries},
            period__starts_on__lt=max(e["period__starts_on"] for e in entries),
        )
        .order_by()
        .values_list(
            "unit_id", "indicator__code", "period__starts_on", "period__code", "value", "reference"
        )
    ):
        history[(row[0], row[1])].append(row[2:])
    limits = thresholds_for(list(indicators))
    by_slot: dict[tuple[int, int], list[tuple[int, Any, Any]]] = defaultdict(list)
    for period_id, indicator_id, unit_id, value, reference in peers:
        by_slot[(period_id, indicator_id)].append((unit_id, value, reference))
    result: dict[int, list[str]] = {}
    # A big batch (an upload) shares each peer group's median and MAD, computed once
    # over the whole group (the entry included, which a group of dozens hardly notices).
    shared: dict[tuple[int, int, Any], tuple[float, float] | None] | None = (
        {} if len(entries) > SHARED_STATS_FROM else None
    )
    for e in entries:
        method = e["indicator__method"] or ""
        year = e["period__scheme__year_id"]
        own_category = category.get((year, e["unit_id"]))
        limits_of = limits.get(e["indicator_id"], plausibility.DEFAULTS)
        slot = by_slot[(e["period_id"], e["indicator_id"])]
        stats: tuple[float, float] | None = None
        peer_values: list[float] = []
        if shared is not None:
            key = (e["period_id"], e["indicator_id"], own_category)
            if key not in shared:
                group = _normalised(method, slot, category, year, own_category, None)
                enough = len(group) > limits_of.min_peers
                shared[key] = plausibility.robust(group) if enough else None
            stats = shared[key]
        else:
            peer_values = _normalised(method, slot, category, year, own_category, e["unit_id"])
        result[e["pk"]] = plausibility.assess(
            method,
            e["value"],
            e["reference"],
            previous=_previous(e, method, history[(e["unit_id"], e["indicator__code"])]),
            peers=peer_values,
            thresholds=limits_of,
            peer_stats=stats,
        )
    return result


def _normalised(
    method: str,
    slot: list[tuple[int, Any, Any]],
    category: dict[tuple[int, int], int],
    year: int,
    own_category: int | None,
    leave_out: int | None,
) -> list[float]:
    """The normalised values of the slot's units in the category (minus `leave_out`)."""
    return [
        x
        for unit_id, value, reference in slot
        if unit_id != leave_out and category.get((year, unit_id)) == own_category
        for x in [plausibility.normalise(method, value, reference)]
        if x is not None
    ]


def _previous(e: Mapping[str, Any], method: str, rows: list[Any]) -> tuple[str, float] | None:
    earlier = sorted((r for r in rows if r[0] < e["period__starts_on"]), key=lambda r: r[0])
    last_year = _last_year_code(e["period__code"])
    for _starts, code, value, reference in earlier:
        if code == last_year:
            x = plausibility.normalise(method, value, reference)
            if x is not None:
                return (_("上年"), x)
    for _starts, _code, value, reference in reversed(earlier):
        x = plausibility.normalise(method, value, reference)
        if x is not None:
            return (_("上期"), x)
    return None


BACKGROUND_FROM = 5000  # entries saved at once before flagging moves to a task
SHARED_STATS_FROM = 200  # entries in one batch before peer statistics are shared
CHUNK = 2000  # keeps every IN (...) under SQLite's variable limit on big uploads


def flag_entries(entry_ids: Sequence[int], *, background: bool = True) -> None:
    """Assess saved entries and keep their flags (hook of collection's saves).

    A batch above BACKGROUND_FROM (a province-scale upload) is assessed by a Celery task
    once the upload commits, so the upload itself stays within its time budget; the
    flags appear a few seconds later (before anyone can review what was just saved)."""
    ids = sorted(set(entry_ids))
    if background and len(ids) > BACKGROUND_FROM:
        from jixiao.verification import tasks

        transaction.on_commit(lambda: tasks.flag_entries.delay(ids))
        return
    for start in range(0, len(ids), CHUNK):
        _flag_chunk(ids[start : start + CHUNK])


def _flag_chunk(entry_ids: Sequence[int]) -> None:
    found = assess_entries(entry_ids)
    existing = {f.entry_id: f for f in EntryFlag.objects.filter(entry_id__in=list(found))}
    clear = [pk for pk, reasons in found.items() if not reasons and pk in existing]
    if clear:
        EntryFlag.objects.filter(entry_id__in=clear).delete()
    now = timezone.now()
    for pk, reasons in found.items():
        if not reasons:
            continue
        flag = existing.get(pk)
        if flag is None:
            EntryFlag.objects.create(entry_id=pk, reasons=reasons, flagged_at=now)
        elif flag.reasons != reasons:
            # New reasons: the earlier acknowledgment no longer covers them.
            flag.reasons, flag.flagged_at = reasons, now
            flag.acknowledged_by, flag.acknowledged_at, flag.note = None, None, ""
            flag.save()


def unacknowledged(entries: Sequence[Any]) -> dict[int, str]:
    """Approval blockers: flags nobody has acknowledged yet."""
    flags = EntryFlag.objects.filter(
        entry_id__in=[e.pk for e in entries], acknowledged_at__isnull=True
    ).values_list("entry_id", "reasons")
    return {
        pk: _("数据异常提示尚未确认（%(r)s），请先填写审核说明确认后再审核通过。")
        % {"r": "；".join(reasons)}
        for pk, reasons in flags
    }


def notes_for(entry_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for pk, reasons, acknowledged in EntryFlag.objects.filter(entry_id__in=entry_ids).values_list(
        "entry_id", "reasons", "acknowledged_at"
    ):
        text = "；".join(reasons)
        if acknowledged:
            result[pk] = [_("异常提示（已确认）：%(r)s") % {"r": text}]
        else:
            result[pk] = [
                _("异常提示：%(r)s。审核通过前须在“异常数据”页填写审核说明确认。") % {"r": text}
            ]
    return result
