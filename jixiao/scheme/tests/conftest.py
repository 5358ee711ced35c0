from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jixiao.audit.context import acting_as
from jixiao.core.testing import make_org
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment
from jixiao.scheme import actions
from jixiao.scheme.models import Scheme
from jixiao.scheme.tree import NodeData


def small_tree() -> list[NodeData]:
    """A valid little tree: agencies (AG, 100) and streets (ST, 1000)."""

    def node(code: str, parent: str | None, level: int, name: str, **kw: Any) -> NodeData:
        kw.setdefault("kind", "common")
        return NodeData(code=code, parent_code=parent, level=level, name=name, **kw)

    d = Decimal
    return [
        node("A", None, 1, "实绩评估", points={"AG": d(60), "ST": d(600)}),
        node(
            "A1",
            "A",
            2,
            "重点工作完成率",
            owner_code="FGJ",
            method="completion",
            points={"AG": d(40), "ST": d(400)},
            standard="按完成率计分",
        ),
        node(
            "A2",
            "A",
            2,
            "依法行政",
            owner_code="JYJ",
            method="deduction",
            params={"per_occurrence": "1"},
            points={"AG": d(20), "ST": d(200)},
        ),
        node("B", None, 1, "社会评议", kind="evaluation", points={"AG": d(40), "ST": d(400)}),
        node(
            "B1",
            "B",
            2,
            "群众满意度",
            kind="evaluation",
            owner_code="FGJ",
            method="evaluation",
            points={"AG": d(40), "ST": d(400)},
        ),
        node(
            "C",
            None,
            1,
            "加扣分",
            kind="bonus_penalty",
            points={"AG": d(0), "ST": d(0)},
            bonus_cap=d(3),
            penalty_cap=d(5),
        ),
        node(
            "C1",
            "C",
            2,
            "上级表彰",
            kind="bonus_penalty",
            owner_code="FGJ",
            points={"AG": d(0), "ST": d(0)},
        ),
    ]


@pytest.fixture
def year(db: None) -> AssessmentYear:
    return AssessmentYear.objects.create(year=2026, name="2026 年度", is_current=True)


@pytest.fixture
def last_year(db: None) -> AssessmentYear:
    return AssessmentYear.objects.create(year=2025, name="2025 年度")


def _categories(year: AssessmentYear) -> dict[str, UnitCategory]:
    return {
        "AG": UnitCategory.objects.create(year=year, code="AG", name="机关类", scale=100),
        "ST": UnitCategory.objects.create(
            year=year, code="ST", name="街道类", scale=1000, sort_order=1
        ),
    }


@pytest.fixture
def categories(
    year: AssessmentYear,
    department_org: Organization,
    other_department_org: Organization,
    unit_org: Organization,
    other_unit_org: Organization,
) -> dict[str, UnitCategory]:
    cats = _categories(year)
    UnitEnrollment.objects.create(year=year, unit=department_org, category=cats["AG"], staffing=30)
    UnitEnrollment.objects.create(
        year=year, unit=other_department_org, category=cats["AG"], staffing=20
    )
    UnitEnrollment.objects.create(year=year, unit=unit_org, category=cats["ST"], staffing=90)
    UnitEnrollment.objects.create(year=year, unit=other_unit_org, category=cats["ST"], staffing=80)
    return cats


@pytest.fixture
def draft(categories: dict[str, UnitCategory], office: Any) -> Scheme:
    with acting_as(office):
        scheme = actions.create_scheme(categories["AG"].year, "2026 方案")
        actions.replace_tree(scheme, small_tree())
    return scheme


@pytest.fixture
def published(draft: Scheme, office: Any) -> Scheme:
    with acting_as(office):
        actions.publish_scheme(draft, draft.version, accept_warnings=True)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def last_scheme(last_year: AssessmentYear, office: Any, categories: Any) -> Scheme:
    _categories(last_year)
    make_org("FGJ")
    with acting_as(office):
        scheme = actions.create_scheme(last_year, "2025 方案")
        actions.replace_tree(scheme, small_tree())
    return scheme
