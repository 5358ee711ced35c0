"""A round's ratings, and how they become the evaluation indicators' scoring input.

The ballots are read as plain rows, aggregated by the pure `aggregate` module, and on
publication written as final entries of the indicator (value = the 0–100 rating, reason
= the explanation) in the round's collection period: the one path the scoring loader
already reads, so the report card and 得分溯源 show the explanation with the score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record_many, snapshot
from jixiao.collection import leaf
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus, PeriodStatus
from jixiao.evaluation import aggregate
from jixiao.evaluation.models import (
    BallotScore,
    GroupWeight,
    RatingStatus,
    Round,
    RoundIndicator,
    SatisfactionRating,
)
from jixiao.org.models import Organization, UnitEnrollment
from jixiao.scheme.models import IndicatorPoints

ENTRY_FIELDS = ["value", "score", "reason", "status"]


@dataclass(frozen=True)
class UnitRating:
    round_indicator: RoundIndicator
    unit: Organization
    rating: aggregate.Rating


def date_range(round_: Round) -> tuple[date, date]:
    if round_.period is not None:
        return round_.period.starts_on, round_.period.ends_on
    return date(round_.year.year, 1, 1), date(round_.year.year, 12, 31)


def satisfaction_ratings(round_: Round) -> list[UnitRating]:
    """A satisfaction round: each unit's index over its windows' counted ratings."""
    first, last = date_range(round_)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        SatisfactionRating.objects.filter(day__range=(first, last), status=RatingStatus.ACCEPTED)
        .values_list("unit_id", "choice")
        .annotate(n=Count("pk"))
    )
    for unit_id, choice, n in rows:
        counts[unit_id][choice] = n
    category_of = dict(
        UnitEnrollment.objects.filter(year_id=round_.year_id).values_list("unit_id", "category_id")
    )
    units = Organization.objects.in_bulk(list(counts))
    points = round_.points_by_choice
    out = []
    for ri in round_.indicators.select_related("indicator"):
        categories = set(
            IndicatorPoints.objects.filter(indicator=ri.indicator).values_list(
                "category_id", flat=True
            )
        )
        for unit_id in sorted(counts):
            if category_of.get(unit_id) in categories:
                rating = aggregate.satisfaction(counts[unit_id], points)
                out.append(UnitRating(ri, units[unit_id], rating))
    return out


def ratings(round_: Round) -> list[UnitRating]:
    """Every (indicator, unit) the round's ballots rated, aggregated."""
    if round_.is_satisfaction:
        return satisfaction_ratings(round_)
    indicators = {
        ri.pk: ri for ri in round_.indicators.select_related("indicator").prefetch_related("items")
    }
    groups = {g.pk: g for g in round_.groups.all()}
    weights: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for w in GroupWeight.objects.filter(round_indicator__round=round_):
        weights[w.round_indicator_id][w.group_id] = w.weight
    # (indicator, unit) -> group -> item -> values; and the ballots per (group, unit)
    cells: dict[tuple[int, int], dict[int, dict[int | None, list[Decimal]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    ballots: dict[tuple[int, int, int], set[object]] = defaultdict(set)
    rows = BallotScore.objects.filter(ballot__round=round_).values_list(
        "round_indicator_id", "item_id", "unit_id", "ballot__group_id", "ballot_id", "value"
    )
    for ri_id, item, unit, group, ballot, value in rows.iterator(chunk_size=5000):
        cells[(ri_id, unit)][group][item].append(value)
        ballots[(ri_id, unit, group)].add(ballot)
    units = Organization.objects.in_bulk({unit for _, unit in cells})
    out = []
    for (ri_pk, unit_pk), by_group in sorted(cells.items()):
        ri = indicators[ri_pk]
        items = list(ri.items.all())
        inputs = []
        for group_pk, weight in sorted(
            weights[ri_pk].items(), key=lambda kv: groups[kv[0]].sort_order
        ):
            by_item = by_group.get(group_pk, {})
            inputs.append(
                aggregate.GroupInput(
                    groups[group_pk].name,
                    weight,
                    len(ballots[(ri_pk, unit_pk, group_pk)]),
                    [aggregate.ItemInput(s.name, s.weight, by_item.get(s.pk, [])) for s in items]
                    if items
                    else [aggregate.ItemInput(_("评分"), Decimal(100), by_item.get(None, []))],
                )
            )
        out.append(UnitRating(ri, units[unit_pk], aggregate.rating(inputs, round_.trim)))
    return out


def target_period(round_: Round, ri: RoundIndicator) -> CollectionPeriod:
    if round_.period is not None:
        return round_.period
    period = (
        CollectionPeriod.objects.filter(scheme_id=round_.scheme_id, kind=ri.indicator.period)
        .exclude(status=PeriodStatus.DRAFT)
        .order_by("-ends_on")
        .first()
    )
    if period is None:
        from jixiao.evaluation.actions import RoundError

        raise RoundError(
            _("“%(i)s”没有可写入的采集周期，请先开放对应周期或在轮次中指定。")
            % {"i": ri.indicator.name}
        )
    return period


def write_entries(round_: Round) -> int:
    """Upsert one final entry per rated (indicator, unit); returns how many.

    A few queries whatever the number of units: existing entries are read at once, new
    ones inserted in bulk, and the audit rows name the entry without loading it again.
    """
    from jixiao.evaluation.actions import RoundError

    now = timezone.now()
    heavy = round_.scheme.heavy_deduction_share
    category_of = dict(
        UnitEnrollment.objects.filter(year_id=round_.year_id).values_list("unit_id", "category_id")
    )
    points = {
        (p.indicator_id, p.category_id): p.points
        for p in IndicatorPoints.objects.filter(
            indicator_id__in=round_.indicators.values("indicator_id")
        )
    }
    periods: dict[int, CollectionPeriod] = {}
    rated = [r for r in ratings(round_) if r.rating.value is not None]
    for r in rated:
        ri = r.round_indicator
        if ri.indicator.owner_id is None:
            raise RoundError(_("指标“%(i)s”未设置数据采集单位。") % {"i": ri.indicator.name})
        if ri.indicator_id not in periods:
            periods[ri.indicator_id] = target_period(round_, ri)
    existing = {
        (e.period_id, e.indicator_id, e.unit_id): e
        for e in Entry.objects.filter(
            indicator_id__in=list(periods), period__in=list(periods.values())
        )
    }
    new: list[Entry] = []
    changed: list[tuple[Entry, dict[str, object]]] = []
    for r in rated:
        indicator = r.round_indicator.indicator
        period = periods[indicator.pk]
        value = r.rating.value
        point = points.get((indicator.pk, category_of.get(r.unit.pk, 0)))
        outcome = leaf.evaluate(indicator, point, None, {"value": value}, heavy_share=heavy)
        reason = f"{round_.name}：{r.rating.formula()}"
        entry = existing.get((period.pk, indicator.pk, r.unit.pk))
        if entry is None:
            new.append(
                Entry(
                    period=period,
                    indicator=indicator,
                    unit=r.unit,
                    department_id=indicator.owner_id or 0,  # checked above
                    value=value,
                    score=outcome.score,
                    reason=reason,
                    status=EntryStatus.FINAL,
                    entered_at=now,
                    submitted_at=now,
                    reviewed_at=now,
                    published_at=now,
                )
            )
            continue
        before = snapshot(entry, ENTRY_FIELDS)
        entry.value, entry.score, entry.reason = value, outcome.score, reason
        entry.status = EntryStatus.FINAL
        entry.published_at = entry.published_at or now
        entry.version += 1
        entry.updated_at = now
        entry.period, entry.indicator, entry.unit = period, indicator, r.unit
        changed.append((entry, before))
    Entry.objects.bulk_create(new, batch_size=500)
    if changed:
        Entry.objects.bulk_update(
            [e for e, _ in changed],
            [*ENTRY_FIELDS, "published_at", "version", "updated_at"],
            batch_size=500,
        )
    events = [
        build_event(
            AuditAction.CREATE, e, after=snapshot(e, ENTRY_FIELDS), object_repr=_entry_repr(e)
        )
        for e in new
    ] + [
        build_event(
            AuditAction.UPDATE,
            e,
            before=before,
            after=snapshot(e, ENTRY_FIELDS),
            object_repr=_entry_repr(e),
        )
        for e, before in changed
    ]
    record_many(events)
    return len(new) + len(changed)


def _entry_repr(entry: Entry) -> str:
    return f"{entry.period.name} · {entry.indicator.code} · {entry.unit.name}"
