"""factory_boy factories for the collection app (periods, entries, bonus–penalty events)
and the short builders the collection tests read as sentences (`make_entry(period,
indicator, unit, status=…)`), which are built on the factories of every app.

The collection tests' small scheme: a street category (JD, 1000-point) with the two
personas' streets, and indicators owned by the department persona (FGJ) and the other
department (JYJ) — see `conftest.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from jixiao.accounts.models import User
from jixiao.collection.models import (
    BonusPenaltyEvent,
    CollectionPeriod,
    Entry,
    EntryStatus,
    PeriodStatus,
)
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment
from jixiao.org.tests.factories import (
    AssessedUnitFactory,
    AssessmentYearFactory,
    OrganizationFactory,
    UnitCategoryFactory,
    UnitEnrollmentFactory,
)
from jixiao.scheme.models import DataPeriod, Indicator, IndicatorKind, Scheme
from jixiao.scheme.tests.factories import IndicatorFactory, IndicatorPointsFactory, SchemeFactory

# Statuses in which an entry has been shown to its unit (and so carries a publication time).
PUBLISHED_STATUSES = (
    EntryStatus.PUBLISHED,
    EntryStatus.RECHECK_REQUESTED,
    EntryStatus.RECHECK_ANSWERED,
    EntryStatus.FINAL,
)


class CollectionPeriodFactory(DjangoModelFactory[CollectionPeriod]):
    """An open quarter that ends today, with a week left to enter data."""

    class Meta:
        model = CollectionPeriod

    scheme = factory.SubFactory(SchemeFactory)
    kind = DataPeriod.QUARTERLY
    code = "2026-Q1"
    name = factory.LazyAttribute(lambda o: f"{o.code} 采集")
    starts_on = factory.LazyFunction(lambda: timezone.now().date() - timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.now().date())
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    recheck_days = 5
    status = PeriodStatus.OPEN


class EntryFactory(DjangoModelFactory[Entry]):
    """A draft entry by the indicator's owner department."""

    class Meta:
        model = Entry

    period = factory.SubFactory(CollectionPeriodFactory)
    indicator = factory.SubFactory(
        IndicatorFactory,
        scheme=factory.SelfAttribute("..period.scheme"),
        owner=factory.SubFactory(OrganizationFactory, is_department=True),
    )
    unit = factory.SubFactory(AssessedUnitFactory)
    department = factory.LazyAttribute(lambda o: o.indicator.owner)
    status = EntryStatus.DRAFT
    value = Decimal(8)
    score = Decimal(8)
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in PUBLISHED_STATUSES else None
    )


class BonusPenaltyEventFactory(DjangoModelFactory[BonusPenaltyEvent]):
    class Meta:
        model = BonusPenaltyEvent

    indicator = factory.SubFactory(
        IndicatorFactory,
        kind=IndicatorKind.BONUS_PENALTY,
        method="",
        owner=factory.SubFactory(OrganizationFactory, is_department=True),
    )
    scheme = factory.SelfAttribute("indicator.scheme")
    unit = factory.SubFactory(AssessedUnitFactory)
    department = factory.LazyAttribute(lambda o: o.indicator.owner)
    points = Decimal(1)
    document_number = "区府办〔2026〕1号"
    occurred_on = factory.LazyFunction(lambda: timezone.now().date())
    description = "测试事项"
    status = "draft"


# Builders the tests read as sentences -------------------------------------------------


def _decimal(value: str | int | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def make_year(year: int = 2026) -> AssessmentYear:
    return AssessmentYearFactory(year=year, is_current=True)


def make_category(year: AssessmentYear, code: str = "JD", scale: int = 1000) -> UnitCategory:
    return UnitCategoryFactory(year=year, code=code, scale=scale)


def enroll(unit: Organization, category: UnitCategory, staffing: int | None = 80) -> UnitEnrollment:
    return UnitEnrollmentFactory(unit=unit, category=category, staffing=staffing)


def make_scheme(year: AssessmentYear, heavy_share: str = "0.5") -> Scheme:
    return SchemeFactory(year=year, heavy_deduction_share=Decimal(heavy_share))


def make_indicator(
    scheme: Scheme,
    code: str,
    owner: Organization | None,
    *,
    points: dict[UnitCategory, str | int] | None = None,
    method: str = "direct",
    params: dict[str, Any] | None = None,
    kind: str = IndicatorKind.INDIVIDUAL,
    period: str = DataPeriod.QUARTERLY,
    standard: str = "",
    units: Iterable[Organization] = (),
    name: str = "",
    bonus_cap: str | None = None,
    penalty_cap: str | None = None,
) -> Indicator:
    """A level-2 leaf under the scheme's one root node (业绩指标)."""
    root = Indicator.objects.filter(scheme=scheme, code="ROOT").first() or IndicatorFactory(
        scheme=scheme,
        code="ROOT",
        name="业绩指标",
        method="",
        owner=None,
        period=DataPeriod.ANNUAL,
    )
    indicator = IndicatorFactory(
        scheme=scheme,
        parent=root,
        code=code,
        name=name or f"指标{code}",
        kind=kind,
        owner=owner,
        period=period,
        method=method,
        params=params or {},
        standard=standard,
        bonus_cap=_decimal(bonus_cap),
        penalty_cap=_decimal(penalty_cap),
    )
    for category, value in (points or {}).items():
        IndicatorPointsFactory(indicator=indicator, category=category, points=Decimal(value))
    if units:
        indicator.units.set(list(units))
    return indicator


def make_period(
    scheme: Scheme,
    code: str = "2026-Q1",
    *,
    kind: str = DataPeriod.QUARTERLY,
    status: str = PeriodStatus.OPEN,
    deadline: datetime | None = None,
    recheck_days: int = 5,
) -> CollectionPeriod:
    extra: dict[str, Any] = {"deadline": deadline} if deadline is not None else {}
    return CollectionPeriodFactory(
        scheme=scheme, code=code, kind=kind, status=status, recheck_days=recheck_days, **extra
    )


def make_entry(
    period: CollectionPeriod,
    indicator: Indicator,
    unit: Organization,
    *,
    status: str = EntryStatus.DRAFT,
    value: str | None = "8",
    reference: str | None = None,
    grade: str = "",
    score: str | None = "8",
    reason: str = "",
    entered_by: User | None = None,
    published_at: datetime | None = None,
) -> Entry:
    assert indicator.owner is not None
    extra: dict[str, Any] = {"published_at": published_at} if published_at is not None else {}
    return EntryFactory(
        period=period,
        indicator=indicator,
        unit=unit,
        status=status,
        value=_decimal(value),
        reference=_decimal(reference),
        grade=grade,
        score=_decimal(score),
        reason=reason,
        entered_by=entered_by,
        **extra,
    )


def make_event(
    indicator: Indicator,
    unit: Organization,
    points: str,
    *,
    status: str = "draft",
    entered_by: User | None = None,
    occurred_on: date | None = None,
) -> BonusPenaltyEvent:
    assert indicator.owner is not None
    extra: dict[str, Any] = {"occurred_on": occurred_on} if occurred_on is not None else {}
    return BonusPenaltyEventFactory(
        indicator=indicator,
        unit=unit,
        points=Decimal(points),
        status=status,
        entered_by=entered_by,
        **extra,
    )


def make_org_unit(code: str, category: UnitCategory) -> Organization:
    unit = AssessedUnitFactory(code=code)
    enroll(unit, category)
    return unit
