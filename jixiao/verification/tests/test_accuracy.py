"""Low spot-check accuracy becomes a deduction through the scheme's 核验准确率 indicator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import TransitionRefused
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator, IndicatorPoints
from jixiao.scoring import actions as scoring
from jixiao.scoring.models import UnitResult
from jixiao.scoring.views_support import explain_result
from jixiao.verification import actions
from jixiao.verification.models import SpotCheckItem

pytestmark = pytest.mark.django_db
D = Decimal
RULE = {"standard": "0.9", "per_wrong": "0.5", "cap": 2}


def _rule(world: World, office_org: Organization, department_org: Organization) -> Indicator:
    """FGJ is also assessed; a 5-point 核验准确率 leaf owned by the office."""
    f.enroll(department_org, world.category, 40)
    return f.make_indicator(
        world.scheme,
        "C01",
        office_org,
        points={world.category: 5},
        method="spot_accuracy",
        params=RULE,
        name="数据报送准确率",
    )


def _checked(world: World, office: User, inspector: User, department: User) -> None:
    """Four of FGJ's entries checked: two 属实, two 不属实, one of those dismissed."""
    for indicator in (world.direct, world.deduction):
        for unit in (world.unit, world.other_unit):
            f.make_entry(world.period, indicator, unit, status=EntryStatus.APPROVED, value="8")
    check = actions.draw_sample(office, world.period, fraction=D(1), seed=2, inspector=inspector)
    items = list(check.items.order_by("entry_id"))
    assert len(items) == 4
    for item in items[:2]:
        actions.record_finding(inspector, item, accurate=True, note="一致")
    for item in items[2:]:
        actions.record_finding(
            inspector, item, accurate=False, note="不符", raw={"value": "1"}, reason="台账不符"
        )
    dismissed = SpotCheckItem.objects.get(pk=items[3].pk).correction
    actions.act_on_correction(office, dismissed, "dismiss", "部门补充了台账，以原数据为准")


def test_low_accuracy_deducts_per_wrong_entry_and_explains_the_counts(
    world: World,
    office: User,
    office_org: Organization,
    department_org: Organization,
    inspector: User,
    department: User,
) -> None:
    rule = _rule(world, office_org, department_org)
    _checked(world, office, inspector, department)
    assert actions.apply_accuracy_rule(office, world.period) == 3  # FGJ and the two units
    entry = Entry.objects.get(indicator=rule, unit=department_org)
    # 4 checked, 1 不属实 (the dismissed one counts as 属实): 75% < 90% → 5 − 0.5.
    assert (entry.reference, entry.value, entry.score) == (D(4), D(1), D("4.5"))
    assert entry.status == EntryStatus.FINAL
    assert "核验本单位报送数据 4 条，不属实 1 条" in entry.reason
    assert "准确率 75%，低于 90%：5 − min(0.5 × 1, 2) = 4.5000" in entry.reason
    untouched = Entry.objects.get(indicator=rule, unit=world.unit)
    assert untouched.score == D(5)
    assert "未抽查核验" in untouched.reason


def test_applying_the_rule_twice_changes_nothing_the_second_time(
    world: World,
    office: User,
    office_org: Organization,
    department_org: Organization,
    inspector: User,
    department: User,
) -> None:
    _rule(world, office_org, department_org)
    _checked(world, office, inspector, department)
    actions.apply_accuracy_rule(office, world.period)
    assert actions.apply_accuracy_rule(office, world.period) == 0
    assert not SpotCheckItem.objects.filter(entry__indicator__method="spot_accuracy").exists()


def test_the_deduction_reaches_the_score_and_its_explanation(
    world: World,
    office: User,
    office_org: Organization,
    department_org: Organization,
    inspector: User,
    department: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    rule = _rule(world, office_org, department_org)
    root = Indicator.objects.get(scheme=world.scheme, code="ROOT")
    IndicatorPoints.objects.create(indicator=root, category=world.category, points=D(65))
    world.category.scale = 65
    world.category.save()
    _checked(world, office, inspector, department)
    with django_capture_on_commit_callbacks(execute=True):
        actions.apply_accuracy_rule(office, world.period)
    run = scoring.compute_run(world.scheme.year, user=office)
    result = UnitResult.objects.get(run=run, unit=department_org)
    entry = Entry.objects.get(indicator=rule, unit=department_org)
    explained = explain_result(result)
    assert "不属实 1 条" in explained.entries[entry.pk].reason


def test_only_the_office_applies_the_rule_and_only_with_a_rule_indicator(
    world: World,
    office: User,
    inspector: User,
) -> None:
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        actions.apply_accuracy_rule(inspector, world.period)
    with pytest.raises(TransitionRefused, match="没有“核验准确率”"):
        actions.apply_accuracy_rule(office, world.period)


def test_no_department_is_asked_to_type_the_rules_inputs(
    world: World, office_org: Organization, department_org: Organization
) -> None:
    from jixiao.collection.scope import collected_indicators

    rule = f.make_indicator(
        world.scheme,
        "C02",
        department_org,
        points={world.category: 5},
        method="spot_accuracy",
        params=RULE,
    )
    assert rule not in collected_indicators(world.period, department_org)
    assert world.direct in collected_indicators(world.period, department_org)
