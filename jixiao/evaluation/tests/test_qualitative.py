"""Forced distribution on qualitative scores departments submit in collection."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection import actions as collection
from jixiao.collection.models import BonusPenaltyEvent, EntryStatus
from jixiao.collection.tests.factories import enroll, make_entry, make_indicator
from jixiao.collection.workflow import TransitionRefused
from jixiao.evaluation.models import DistributionBreach, DistributionPolicy, DistributionSetting
from jixiao.evaluation.tests.factories import Setup, make_setup
from jixiao.scheme.models import DataPeriod, IndicatorKind

pytestmark = pytest.mark.django_db


def _qualitative(setup: Setup, department: User, scores: list[str], policy: str):
    dept = department.organization
    enroll(dept, setup.category)  # the department is assessed too (its own total)
    indicator = make_indicator(
        setup.round.scheme,
        "DX09",
        dept,
        points={setup.category: "10"},
        method="direct",
        period=DataPeriod.ANNUAL,
        name="工作作风评价",
    )
    penalty = make_indicator(
        setup.round.scheme,
        "KF01",
        setup.indicator.owner,
        points={setup.category: "0"},
        method="",
        kind=IndicatorKind.BONUS_PENALTY,
        name="强制分布扣分",
    )
    DistributionSetting.objects.create(
        indicator=indicator, policy=policy, penalty_indicator=penalty
    )
    for unit, score in zip(setup.units, scores, strict=True):
        make_entry(setup.period, indicator, unit, value=score, score=score, reason="依据考评记录")
    return indicator


def test_the_refuse_policy_blocks_the_submission_with_what_to_change(department):
    setup = make_setup()
    _qualitative(setup, department, ["9.5", "9.2", "8.5", "8", "7"], DistributionPolicy.REFUSE)
    with pytest.raises(TransitionRefused, match="9 分及以上最多 1 个"):
        collection.submit_period(department, setup.period)
    assert not BonusPenaltyEvent.objects.exists()
    assert setup.period.entries.filter(status=EntryStatus.DRAFT).count() == 5


def test_full_marks_are_refused_whatever_the_count(department):
    setup = make_setup()
    _qualitative(setup, department, ["10", "8.8", "8.5", "8", "7"], DistributionPolicy.REFUSE)
    with pytest.raises(TransitionRefused, match="不得打满分"):
        collection.submit_period(department, setup.period)


def test_scores_within_the_rule_go_through(department):
    setup = make_setup()
    _qualitative(setup, department, ["9.5", "8.8", "8.5", "8", "7"], DistributionPolicy.REFUSE)
    assert collection.submit_period(department, setup.period) == 5


def test_warn_and_penalise_books_a_penalty_for_review_and_lists_the_department(department):
    setup = make_setup()
    indicator = _qualitative(
        setup, department, ["9.5", "9.2", "8.5", "8", "7"], DistributionPolicy.PENALISE
    )
    assert collection.submit_period(department, setup.period) == 5
    breach = DistributionBreach.objects.get()
    assert breach.department == department.organization
    assert breach.indicator == indicator
    event = breach.event
    assert event.points == Decimal("-0.2")
    assert event.unit == department.organization
    assert event.status == "submitted"
    assert "强制分布" in event.description


def test_the_office_sees_the_breach_with_the_next_year_consequence(department, office_client):
    setup = make_setup()
    _qualitative(setup, department, ["9.5", "9.2", "8.5", "8", "7"], DistributionPolicy.PENALISE)
    collection.submit_period(department, setup.period)
    page = office_client.get(reverse("evaluation:breaches")).content.decode()
    assert department.organization.name in page
    assert "下年度降低权重或取消评分资格" in page
