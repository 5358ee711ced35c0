"""A monitored year on top of collection's test world: the department (FGJ) owns the
indicators, the office approves, two units in one category."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from jixiao.accounts.models import User
from jixiao.collection.tests.conftest import World, world  # noqa: F401  (shared fixture)
from jixiao.monitoring import actions
from jixiao.monitoring.models import Target
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator


def approved_target(
    department: User,
    office: User,
    indicator: Indicator,
    unit: Organization,
    annual: str,
    **kwargs: object,
) -> Target:
    """A target set by the owning department and approved by the office, as on the page."""
    target = actions.set_target(department, indicator, unit, Decimal(annual), **kwargs)  # type: ignore[arg-type]
    actions.transition_plans(department, [target], "submit")
    actions.transition_plans(office, [target], "approve")
    target.refresh_from_db()
    return target


@dataclass
class Monitored:
    world: World
    target: Target  # unit · A02 固定资产投资完成率, 1200 a year, even plan
    other_target: Target  # other_unit · A02, 1200 a year


@pytest.fixture
def monitored(world: World, department: User, office: User) -> Monitored:  # noqa: F811
    return Monitored(
        world,
        approved_target(department, office, world.completion, world.unit, "1200"),
        approved_target(department, office, world.completion, world.other_unit, "1200"),
    )
