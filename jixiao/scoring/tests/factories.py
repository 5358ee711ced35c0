"""Small database builders for results tests: a year, a scheme tree, entries, events —
`World` and the worked examples of the articles (`zhangjiagang_world`, `liwan_world`),
built on the apps' factory_boy factories. Province-scale data comes from the bench
generator instead (`province.py` here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixiao.collection.models import (
    BonusPenaltyEvent,
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
    EntryStatus,
)
from jixiao.collection.tests.factories import (
    BonusPenaltyEventFactory,
    CollectionPeriodFactory,
    EntryFactory,
)
from jixiao.org.models import AssessmentYear, Organization, OrganizationKind, UnitCategory
from jixiao.org.tests.factories import (
    AssessmentYearFactory,
    OrganizationFactory,
    UnitCategoryFactory,
    UnitEnrollmentFactory,
)
from jixiao.scheme.models import DataPeriod, Indicator, Scheme
from jixiao.scheme.tests.factories import IndicatorFactory, IndicatorPointsFactory, SchemeFactory

D = Decimal


@dataclass
class World:
    year: AssessmentYear
    scheme: Scheme
    period: CollectionPeriod
    department: Organization
    categories: dict[str, UnitCategory] = field(default_factory=dict)
    units: dict[str, Organization] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def category(self, code: str, scale: int = 100, name: str | None = None) -> UnitCategory:
        category = UnitCategoryFactory(year=self.year, code=code, name=name or code, scale=scale)
        self.categories[code] = category
        return category

    def unit(self, code: str, category: str, staffing: int | None = None) -> Organization:
        org = self.units.get(code) or OrganizationFactory(
            code=code, name=f"单位{code}", kind=OrganizationKind.AGENCY, is_assessed_unit=True
        )
        UnitEnrollmentFactory(unit=org, category=self.categories[category], staffing=staffing)
        self.units[code] = org
        return org

    def indicator(
        self,
        code: str,
        parent: str | None,
        points: Mapping[str, Any] | int | str,
        method: str = "",
        params: Mapping[str, Any] | None = None,
        kind: str = "individual",
        name: str | None = None,
        bonus_cap: Any = None,
        penalty_cap: Any = None,
        owner: Organization | None = None,
    ) -> Indicator:
        level = code.count(".") + 1
        indicator = IndicatorFactory(
            scheme=self.scheme,
            parent=self.indicators[parent] if parent else None,
            code=code,
            name=name or f"指标{code}",
            level=level,
            kind=kind,
            owner=owner if owner is not None else (self.department if method else None),
            period=DataPeriod.ANNUAL,
            method=method,
            params=dict(params or {}),
            bonus_cap=None if bonus_cap is None else D(bonus_cap),
            penalty_cap=None if penalty_cap is None else D(penalty_cap),
            sort_order=len(self.indicators),
        )
        by_category = (
            points if isinstance(points, Mapping) else dict.fromkeys(self.categories, points)
        )
        for category_code, value in by_category.items():
            IndicatorPointsFactory(
                indicator=indicator, category=self.categories[category_code], points=D(value)
            )
        self.indicators[code] = indicator
        return indicator

    def entry(
        self,
        unit: str,
        indicator: str,
        value: Any = None,
        reference: Any = None,
        grade: str = "",
        status: str = EntryStatus.APPROVED,
        period: CollectionPeriod | None = None,
        by: Any = None,
    ) -> Entry:
        now = timezone.now()
        return EntryFactory(
            period=period or self.period,
            indicator=self.indicators[indicator],
            unit=self.units[unit],
            department=self.department,
            value=None if value is None else D(str(value)),
            reference=None if reference is None else D(str(reference)),
            grade=grade,
            status=status,
            score=None,
            published_at=None,
            entered_by=by,
            entered_at=now if by else None,
            reviewed_by=by,
            reviewed_at=now if by else None,
        )

    def event(self, unit: str, indicator: str, points: Any, description: str) -> BonusPenaltyEvent:
        return BonusPenaltyEventFactory(
            indicator=self.indicators[indicator],
            unit=self.units[unit],
            department=self.department,
            points=D(str(points)),
            occurred_on=dt.date(self.year.year, 6, 1),
            description=description,
            document_number="",
            status=BonusPenaltyStatus.APPROVED,
        )


def make_world(year: int = 2026, department: Organization | None = None) -> World:
    assessment_year = AssessmentYearFactory(year=year)
    scheme = SchemeFactory(year=assessment_year, name=f"{year} 年度考核方案")
    period = CollectionPeriod.objects.filter(
        scheme=scheme, code=f"{year}-Y"
    ).first() or CollectionPeriodFactory(
        scheme=scheme,
        code=f"{year}-Y",
        kind=DataPeriod.ANNUAL,
        name=f"{year} 年度",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        deadline=timezone.make_aware(dt.datetime(year + 1, 1, 15)),
    )
    dept = department or OrganizationFactory(code="TJJ", name="区统计局", is_department=True)
    return World(assessment_year, scheme, period, dept)


def zhangjiagang_world(year: int = 2026, department: Organization | None = None) -> World:
    """A ZJG agency category: 实绩评估 60 / 定性评价 20 / 社会评议 20 (half 基层评议, half
    作风效能调查), plus capped bonus and deduction items; three agencies."""
    w = make_world(year, department)
    w.category("JG", 100, "机关部门")
    for code in ("FGJ", "JYJ", "MZJ"):
        w.unit(code, "JG", staffing=40)
    w.indicator("1", None, 60, name="实绩评估")
    w.indicator("1.1", "1", 40, name="个性指标")
    w.indicator("1.1.1", "1.1", 25, "completion", name="重点工作完成率")
    w.indicator("1.1.2", "1.1", 15, "schedule_progress", name="重大项目推进")
    w.indicator("1.2", "1", 20, kind="common", name="共性指标")
    w.indicator(
        "1.2.1", "1.2", 10, "deduction", {"per_occurrence": 1}, kind="common", name="依法行政"
    )
    w.indicator("1.2.2", "1.2", 10, "grade", kind="common", name="政务公开")
    w.indicator("2", None, 20, "evaluation", kind="evaluation", name="定性评价（领导评价）")
    w.indicator("3", None, 20, kind="evaluation", name="社会评议")
    w.indicator("3.1", "3", 10, "evaluation", kind="evaluation", name="区镇基层板块评议")
    w.indicator("3.2", "3", 10, "evaluation", kind="evaluation", name="作风效能调查评议")
    w.indicator("9", None, 0, kind="bonus_penalty", name="加扣分", bonus_cap=3, penalty_cap=5)
    figures = {
        "FGJ": (90, 100, 80, 100, 2, "A", 92, 88, "90.5"),
        "JYJ": (100, 100, 90, 100, 0, "B", 85, 86, 84),
        "MZJ": (70, 100, 60, 100, 4, "C", 80, 78, 76),
    }
    for unit, (actual, target, done, planned, count, grade, r2, r31, r32) in figures.items():
        w.entry(unit, "1.1.1", actual, target)
        w.entry(unit, "1.1.2", done, planned)
        w.entry(unit, "1.2.1", count)
        w.entry(unit, "1.2.2", grade=grade)
        w.entry(unit, "2", r2)
        w.entry(unit, "3.1", r31)
        w.entry(unit, "3.2", r32)
    w.event("FGJ", "9", 1, "创建十佳机关服务品牌")
    w.event("MZJ", "9", -2, "信访工作被通报")
    return w


def liwan_world(scores: list[int], year: int = 2026) -> World:
    """Liwan: one category whose only indicator is a directly entered score."""
    w = make_world(year)
    w.category("ZF", 100, "政府及法检类")
    for i in range(len(scores)):
        w.unit(f"U{i:02d}", "ZF")
    w.indicator("S", None, 100, "direct", name="综合得分")
    for i, score in enumerate(scores):
        w.entry(f"U{i:02d}", "S", score)
    return w


def publish(run: Any, user: Any, audience: str = "leaders", reason: str = "") -> Any:
    """Publish a run as the office does after acknowledging every gap (a unit without a
    counting figure) with one reason."""
    from jixiao.scoring import actions

    actions.acknowledge_all_gaps(run, user=user, reason="测试：未报送")
    return actions.publish_run(run, user=user, audience=audience, reason=reason)
