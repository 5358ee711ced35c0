"""Scheme, indicator, period and entry fixtures for the collection tests.

Until the scheme demo lands these build their own small scheme: a street category
(JD, 1000-point) with the two personas' streets, and indicators owned by the
department persona (FGJ) and the other department (JYJ).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import (
    BonusPenaltyEvent,
    CollectionPeriod,
    Entry,
    EntryStatus,
    PeriodStatus,
)
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment
from jixiao.scheme.models import (
    DataPeriod,
    Indicator,
    IndicatorKind,
    IndicatorPoints,
    Scheme,
    SchemeStatus,
)


def make_year(year: int = 2026) -> AssessmentYear:
    obj, _ = AssessmentYear.objects.get_or_create(
        year=year, defaults={"name": f"{year} 年度", "is_current": True}
    )
    return obj


def make_category(year: AssessmentYear, code: str = "JD", scale: int = 1000) -> UnitCategory:
    obj, _ = UnitCategory.objects.get_or_create(
        year=year, code=code, defaults={"name": f"类别{code}", "scale": scale}
    )
    return obj


def enroll(unit: Organization, category: UnitCategory, staffing: int | None = 80) -> UnitEnrollment:
    obj, _ = UnitEnrollment.objects.update_or_create(
        year=category.year, unit=unit, defaults={"category": category, "staffing": staffing}
    )
    return obj


def make_scheme(year: AssessmentYear, heavy_share: str = "0.5") -> Scheme:
    obj, _ = Scheme.objects.get_or_create(
        year=year,
        defaults={
            "name": f"{year.year} 年度绩效考核方案",
            "status": SchemeStatus.PUBLISHED,
            "heavy_deduction_share": Decimal(heavy_share),
        },
    )
    return obj


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
    root, _ = Indicator.objects.get_or_create(
        scheme=scheme,
        code="ROOT",
        defaults={"name": "业绩指标", "level": 1, "kind": IndicatorKind.INDIVIDUAL},
    )
    indicator = Indicator.objects.create(
        scheme=scheme,
        parent=root,
        code=code,
        name=name or f"指标{code}",
        level=2,
        kind=kind,
        owner=owner,
        period=period,
        method=method,
        params=params or {},
        standard=standard,
        bonus_cap=Decimal(bonus_cap) if bonus_cap is not None else None,
        penalty_cap=Decimal(penalty_cap) if penalty_cap is not None else None,
    )
    for category, value in (points or {}).items():
        IndicatorPoints.objects.create(
            indicator=indicator, category=category, points=Decimal(value)
        )
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
    return CollectionPeriod.objects.create(
        scheme=scheme,
        kind=kind,
        code=code,
        name=f"{code} 采集",
        starts_on=timezone.now().date() - timedelta(days=60),
        ends_on=timezone.now().date(),
        deadline=deadline or timezone.now() + timedelta(days=7),
        recheck_days=recheck_days,
        status=status,
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
    if (
        status
        in (
            EntryStatus.PUBLISHED,
            EntryStatus.RECHECK_REQUESTED,
            EntryStatus.RECHECK_ANSWERED,
            EntryStatus.FINAL,
        )
        and published_at is None
    ):
        published_at = timezone.now()
    assert indicator.owner is not None
    return Entry.objects.create(
        period=period,
        indicator=indicator,
        unit=unit,
        department=indicator.owner,
        value=Decimal(value) if value is not None else None,
        reference=Decimal(reference) if reference is not None else None,
        grade=grade,
        score=Decimal(score) if score is not None else None,
        reason=reason,
        status=status,
        entered_by=entered_by,
        published_at=published_at,
    )


def make_event(
    indicator: Indicator,
    unit: Organization,
    points: str,
    *,
    status: str = "draft",
    entered_by: User | None = None,
) -> BonusPenaltyEvent:
    assert indicator.owner is not None
    return BonusPenaltyEvent.objects.create(
        scheme=indicator.scheme,
        indicator=indicator,
        unit=unit,
        department=indicator.owner,
        points=Decimal(points),
        document_number="区府办〔2026〕1号",
        occurred_on=timezone.now().date(),
        description="测试事项",
        status=status,
        entered_by=entered_by,
    )


def make_org_unit(code: str, category: UnitCategory) -> Organization:
    from jixiao.org.models import OrganizationKind

    unit = Organization.objects.create(
        code=code, name=f"街道{code}", kind=OrganizationKind.STREET, is_assessed_unit=True
    )
    enroll(unit, category)
    return unit
