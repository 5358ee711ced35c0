"""A small evaluation round: two agencies and two streets, one indicator per category.

`make_setup()` returns a round in preparation for the 2026 scheme of the collection
factories: agencies (DQ, 100 points) rated on SH01 (10 points) by 区领导 (60%) and
基层单位 (40%), with three more agencies so that distribution rules bite.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.models import CollectionPeriod
from jixiao.collection.tests.factories import (
    enroll,
    make_category,
    make_indicator,
    make_period,
    make_scheme,
    make_year,
)
from jixiao.core.testing import make_org, make_user
from jixiao.evaluation import actions
from jixiao.evaluation.models import (
    DistributionPolicy,
    Reviewer,
    ReviewerGroup,
    Round,
    RoundIndicator,
)
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.models import DataPeriod, Indicator, IndicatorKind


@dataclass
class Setup:
    round: Round
    category: UnitCategory
    units: list[Organization]
    indicator: Indicator
    ri: RoundIndicator
    leaders: ReviewerGroup
    grassroots: ReviewerGroup
    period: CollectionPeriod


def make_setup(
    n_units: int = 5,
    policy: str = DistributionPolicy.OFF,
    trim: int = 0,
    period_code: str = "2026-Y",
) -> Setup:
    """`period_code`: another code beside a world that already has a 2026-Y period."""
    year = make_year(2026)
    scheme = make_scheme(year)
    category = make_category(year, "DQ", scale=100)
    owner = make_org("ZZB", name="区委组织部", is_department=True)
    units = []
    for i in range(n_units):
        unit = make_org(f"DW{i + 1:02d}", name=f"机关部门{i + 1:02d}", is_assessed_unit=True)
        enroll(unit, category)
        units.append(unit)
    indicator = make_indicator(
        scheme,
        "SH01",
        owner,
        points={category: "10"},
        method="evaluation",
        kind=IndicatorKind.EVALUATION,
        period=DataPeriod.ANNUAL,
        name="基层评议",
    )
    period = make_period(scheme, period_code, kind=DataPeriod.ANNUAL)
    round_ = actions.create_round(
        Round(
            year=year, scheme=scheme, name="2026 年度评议", policy=policy, trim=trim, min_ballots=2
        )
    )
    ri = actions.add_indicator(round_, indicator)
    leaders = actions.add_group(round_, "区领导", [category])
    grassroots = actions.add_group(round_, "基层单位", [category])
    actions.set_weights(ri, {leaders: Decimal(60), grassroots: Decimal(40)})
    return Setup(round_, category, units, indicator, ri, leaders, grassroots, period)


def reviewer_account(setup: Setup, username: str, group: ReviewerGroup | None = None) -> Reviewer:
    org = make_org("QT", name="其他单位")
    user = User.objects.filter(username=username).first() or make_user(username, Role.REVIEWER, org)
    return actions.add_reviewer_accounts(setup.round, group or setup.leaders, [user])[0]


def ballot_post(setup: Setup, scores: list[str | int]) -> dict[str, str]:
    """The posted cells of a ballot giving `scores` to the setup's units in order."""
    key = f"{setup.ri.pk}-0"
    return {f"s-{key}-{u.pk}": str(s) for u, s in zip(setup.units, scores, strict=True)}
