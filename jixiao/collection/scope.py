"""Who fills what: the slots (indicator × unit) of a period, and who may see which entry.

An indicator is collected in a period when it is a leaf with a scoring method, its data
period matches the period's kind, and it is neither an evaluation (collected by the
evaluation module) nor a bonus–penalty item (recorded as events in the ledger). It
applies to the units enrolled that year in a category where it has points, narrowed to
its explicit units when it has any.

Everything here is a handful of queries whatever the number of slots, so the grid, the
Excel template and the 100,000-row upload share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.models import CollectionPeriod, Entry, PeriodStatus
from jixiao.org.models import Organization, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorKind, IndicatorPoints

NOT_COLLECTED_KINDS = (IndicatorKind.EVALUATION, IndicatorKind.BONUS_PENALTY)
# Methods whose inputs another app writes (verification's spot-check counts, supervision's
# red and yellow cards): no grid, no spot-check draw.
DERIVED_METHODS = ("spot_accuracy", "supervision_cards")


@dataclass(frozen=True)
class Slot:
    """One cell a department must fill: an indicator for one unit in one period."""

    indicator: Indicator
    unit: Organization
    points: Decimal
    category_id: int
    staffing: int | None
    category_name: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.indicator.pk, self.unit.pk)


def collected_indicators(
    period: CollectionPeriod, department: Organization | None = None
) -> QuerySet[Indicator]:
    qs = (
        Indicator.objects.filter(scheme_id=period.scheme_id, period=period.kind)
        .filter(children__isnull=True)
        .exclude(kind__in=NOT_COLLECTED_KINDS)
        .exclude(method__in=("", *DERIVED_METHODS))
        .select_related("owner")
        .order_by("sort_order", "code")
    )
    if department is not None:
        qs = qs.filter(owner=department)
    return qs


def slots_for(period: CollectionPeriod, indicators: Iterable[Indicator]) -> list[Slot]:
    """Every (indicator, unit) slot of these indicators in the period: four queries."""
    indicators = list(indicators)
    if not indicators:
        return []
    ids = [i.pk for i in indicators]
    points: dict[tuple[int, int], Decimal] = {
        (p.indicator_id, p.category_id): p.points
        for p in IndicatorPoints.objects.filter(indicator_id__in=ids)
    }
    explicit: dict[int, set[int]] = defaultdict(set)
    through: Any = Indicator.units.through
    for indicator_id, unit_id in through.objects.filter(indicator_id__in=ids).values_list(
        "indicator_id", "organization_id"
    ):
        explicit[indicator_id].add(unit_id)
    enrollments = list(
        UnitEnrollment.objects.filter(year_id=period.scheme.year_id, unit__is_active=True)
        .select_related("unit", "category")  # the category is joined for the order anyway
        .order_by("category__sort_order", "unit__sort_order", "unit__code")
    )
    result = []
    for indicator in indicators:
        only = explicit.get(indicator.pk)
        for enrollment in enrollments:
            share = points.get((indicator.pk, enrollment.category_id))
            if share is None or (only and enrollment.unit_id not in only):
                continue
            result.append(
                Slot(
                    indicator,
                    enrollment.unit,
                    share,
                    enrollment.category_id,
                    enrollment.staffing,
                    enrollment.category.name,
                )
            )
    return result


def slot_for(period: CollectionPeriod, indicator: Indicator, unit: Organization) -> Slot | None:
    for slot in slots_for(period, [indicator]):
        if slot.unit.pk == unit.pk:
            return slot
    return None


def points_of(entries: Iterable[Entry]) -> dict[int, tuple[Decimal | None, int | None]]:
    """(points, staffing) of each entry, from its unit's category that year."""
    entries = list(entries)
    if not entries:
        return {}
    year_ids = {e.period.scheme.year_id for e in entries}
    enrollment = {
        (e.year_id, e.unit_id): (e.category_id, e.staffing)
        for e in UnitEnrollment.objects.filter(
            year_id__in=year_ids, unit_id__in={e.unit_id for e in entries}
        )
    }
    points = {
        (p.indicator_id, p.category_id): p.points
        for p in IndicatorPoints.objects.filter(indicator_id__in={e.indicator_id for e in entries})
    }
    result: dict[int, tuple[Decimal | None, int | None]] = {}
    for entry in entries:
        category, staffing = enrollment.get(
            (entry.period.scheme.year_id, entry.unit_id), (None, None)
        )
        result[entry.pk] = (points.get((entry.indicator_id, category or 0)), staffing)
    return result


# ---------------------------------------------------------------------------
# Access: a department sees its own entries, a unit its own published ones, the office
# everything. Anything else is a 404 so that existence does not leak.


def is_department_user(user: User) -> bool:
    return user.has_role(Role.DEPARTMENT) and user.organization.is_department


def entries_visible_to(user: User) -> QuerySet[Entry]:
    qs = Entry.objects.all()
    if user.has_role(Role.OFFICE):
        return qs
    if user.has_role(Role.DEPARTMENT):
        return qs.filter(department_id=user.organization_id)
    if user.has_role(Role.UNIT):
        return qs.visible_to_unit(user.organization)
    return qs.none()


def access_entry(user: User, pk: int, *, for_update: bool = False) -> Entry:
    qs = entries_visible_to(user).select_related(
        "period__scheme", "indicator", "unit", "department", "entered_by", "reviewed_by"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    entry = qs.filter(pk=pk).order_by("pk").first()  # not the default's six joins
    if entry is None:
        raise Http404
    return entry


def periods_visible_to(user: User) -> QuerySet[CollectionPeriod]:
    qs = CollectionPeriod.objects.select_related("scheme__year")
    if user.has_role(Role.OFFICE):
        return qs
    if user.has_role(Role.DEPARTMENT, Role.UNIT):
        return qs.exclude(status=PeriodStatus.DRAFT)
    return qs.none()


def access_period(user: User, pk: int) -> CollectionPeriod:
    period = periods_visible_to(user).filter(pk=pk).first()
    if period is None:
        raise Http404
    return period
