from __future__ import annotations

from dataclasses import dataclass

import pytest

from jixiao.collection.models import CollectionPeriod
from jixiao.collection.tests import factories as f
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.models import Indicator, IndicatorKind, Scheme


@dataclass
class World:
    scheme: Scheme
    period: CollectionPeriod
    category: UnitCategory
    direct: Indicator  # FGJ, direct score, 10 points
    completion: Indicator  # FGJ, completion ratio, 20 points
    rank: Indicator  # FGJ, rank in category, 10 points
    deduction: Indicator  # FGJ, 2 points per occurrence, 10 points
    other: Indicator  # JYJ (other department), direct, 10 points
    bonus: Indicator  # FGJ, bonus-penalty, caps +5 / -3
    unit: Organization
    other_unit: Organization


@pytest.fixture
def world(
    department_org: Organization,
    other_department_org: Organization,
    unit_org: Organization,
    other_unit_org: Organization,
) -> World:
    year = f.make_year()
    category = f.make_category(year)
    f.enroll(unit_org, category, 90)
    f.enroll(other_unit_org, category, 120)
    scheme = f.make_scheme(year)
    pts = {category: 10}
    return World(
        scheme=scheme,
        period=f.make_period(scheme),
        category=category,
        direct=f.make_indicator(
            scheme,
            "A01",
            department_org,
            points=pts,
            standard="按工作完成情况打分",
            name="重点项目推进",
        ),
        completion=f.make_indicator(
            scheme,
            "A02",
            department_org,
            points={category: 20},
            method="completion",
            name="固定资产投资完成率",
        ),
        rank=f.make_indicator(
            scheme,
            "A03",
            department_org,
            points=pts,
            method="rank",
            params={"mode": "step", "step": 1},
            name="招商引资排名",
        ),
        deduction=f.make_indicator(
            scheme,
            "A04",
            department_org,
            points=pts,
            method="deduction",
            params={"per_occurrence": 2},
            name="安全生产事故",
        ),
        other=f.make_indicator(scheme, "B01", other_department_org, points=pts, name="教育质量"),
        bonus=f.make_indicator(
            scheme,
            "J01",
            department_org,
            points=pts,
            kind=IndicatorKind.BONUS_PENALTY,
            method="",
            bonus_cap="5",
            penalty_cap="3",
            name="创新加分",
        ),
        unit=unit_org,
        other_unit=other_unit_org,
    )
