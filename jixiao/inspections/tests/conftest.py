"""A small registry world: the 2026 year, a 街道类 category with the two persona streets
and a third one, the personas of jixiao/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from jixiao.accounts.models import User
from jixiao.inspections import actions
from jixiao.inspections.models import Inspection, TargetKind
from jixiao.org.models import AssessmentYear, Organization, UnitCategory
from jixiao.org.tests.factories import (
    AssessedUnitFactory,
    AssessmentYearFactory,
    UnitCategoryFactory,
    UnitEnrollmentFactory,
)


@dataclass
class Registry:
    year: AssessmentYear
    streets: UnitCategory
    unit: Organization
    other_unit: Organization
    third: Organization


@pytest.fixture
def registry(unit_org: Organization, other_unit_org: Organization) -> Registry:
    year = AssessmentYearFactory.create()
    streets = UnitCategoryFactory.create(year=year, code="JD", name="街道类")
    third = AssessedUnitFactory.create(code="JD03", name="南岸街道")
    for org in (unit_org, other_unit_org, third):
        UnitEnrollmentFactory.create(year=year, unit=org, category=streets)
    return Registry(year, streets, unit_org, other_unit_org, third)


def plan(
    name: str = "重点项目督查",
    *,
    start: date = date(2026, 3, 16),
    end: date | None = None,
    units: tuple[Organization, ...] = (),
    category: UnitCategory | None = None,
) -> actions.PlanData:
    return actions.PlanData(
        name=name,
        content="台账与现场",
        start=start,
        end=end or start,
        target_kind=TargetKind.CATEGORY if category else TargetKind.UNITS,
        category=category,
        units=units,
    )


def register(
    user: User,
    registry: Registry,
    data: actions.PlanData,
    *,
    today: date = date(2026, 1, 5),
) -> Inspection:
    inspection = actions.save_inspection(user, data, year=registry.year)
    return actions.transition(user, inspection, "submit", today=today)
