"""Targets through the workflow, progress, red-light notices and publishing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Notification
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.monitoring import actions, status
from jixiao.monitoring.models import (
    Breakdown,
    MonthlyReport,
    PlanStatus,
    Progress,
    ProjectNode,
    Target,
)
from jixiao.monitoring.tests.conftest import Monitored

pytestmark = pytest.mark.django_db


def test_the_owning_department_sets_a_target_and_the_office_approves_it(
    world: World, department: User, office: User
) -> None:
    target = actions.set_target(
        department,
        world.completion,
        world.unit,
        D(100),
        breakdown=Breakdown.PROFILE,
        profile="quarterly",
    )
    assert target.status == PlanStatus.DRAFT
    assert [D(m) for m in target.milestones][:3] == [D(0), D(0), D(25)]
    actions.transition_plans(department, [target], "submit")
    actions.transition_plans(office, [target], "approve")
    target.refresh_from_db()
    assert target.status == PlanStatus.APPROVED
    assert AuditEvent.objects.filter(object_type="monitoring.target").count() == 3


def test_another_department_or_a_unit_cannot_set_a_target_and_nothing_is_written(
    world: World, other_department: User, unit: User
) -> None:
    for user in (other_department, unit):
        with pytest.raises(TransitionRefused):
            actions.set_target(user, world.completion, world.unit, D(100))
    assert not Target.objects.exists()


def test_only_the_office_approves_and_a_return_needs_a_reason(
    world: World, department: User, office: User
) -> None:
    target = actions.set_target(department, world.completion, world.unit, D(100))
    actions.transition_plans(department, [target], "submit")
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        actions.transition_plans(department, [target], "approve")
    with pytest.raises(TransitionRefused, match="理由"):
        actions.transition_plans(office, [target], "return")
    actions.transition_plans(office, [target], "return", "目标偏低")
    target.refresh_from_db()
    assert (target.status, target.review_comment) == (PlanStatus.RETURNED, "目标偏低")


def test_an_approved_target_cannot_be_changed_until_the_office_reopens_it(
    monitored: Monitored, department: User
) -> None:
    with pytest.raises(TransitionRefused, match="已批准"):
        actions.set_target(department, monitored.world.completion, monitored.world.unit, D(5))


def test_the_unit_enters_progress_and_a_red_light_tells_the_unit_once(
    monitored: Monitored, unit: User, other_unit: User
) -> None:
    # October: 1000 of 1200 expected; 600 is 33 points behind → red.
    actions.enter_progress(unit, monitored.target, 10, D(600), "受原材料涨价影响")
    notices = Notification.objects.filter(recipient=unit)
    assert notices.count() == 1
    assert "落后 33.33 个百分点" in notices.get().text
    assert not Notification.objects.filter(recipient=other_unit).exists()
    actions.enter_progress(unit, monitored.target, 10, D(610))  # still red: no second notice
    assert notices.count() == 1


def test_a_unit_cannot_enter_another_units_progress(monitored: Monitored, other_unit: User) -> None:
    with pytest.raises(TransitionRefused):
        actions.enter_progress(other_unit, monitored.target, 3, D(10))
    assert not Progress.objects.exists()


def test_two_people_saving_the_same_month_do_not_overwrite_each_other(
    monitored: Monitored, unit: User, department: User
) -> None:
    row = actions.enter_progress(unit, monitored.target, 3, D(300))
    actions.enter_progress(department, monitored.target, 3, D(310), version=row.version)
    with pytest.raises(EditConflict):
        actions.enter_progress(unit, monitored.target, 3, D(320), version=row.version)
    assert Progress.objects.get().value == D(310)


def test_lights_follow_the_latest_value_up_to_the_month(monitored: Monitored, unit: User) -> None:
    actions.enter_progress(unit, monitored.target, 5, D(500))
    found = {x.pk: x for x in status.year_lights(monitored.world.scheme, 6)}
    light = found[monitored.target.pk]
    # June expects 600 of 1200 (50 %); May's 500 is 41.67 %: 8.33 points behind.
    assert (light.value, light.color, light.lag) == (D(500), "yellow", D("8.33"))
    assert found[monitored.other_target.pk].color == "red"  # nothing entered
    source = status.red_light_source(found[monitored.other_target.pk])
    assert "落后 50.00 个百分点" in source["description"]


def test_a_node_is_red_once_overdue_and_green_once_done(
    world: World, department: User, office: User, unit: User
) -> None:
    node = actions.add_node(
        department, world.direct, "港城大道改造", "完成征迁", world.unit, date(2026, 3, 31)
    )
    actions.transition_plans(department, [node], "submit")
    actions.transition_plans(office, [node], "approve")
    node.refresh_from_db()
    lights_in_april = status.year_lights(world.scheme, 4, today=date(2026, 11, 30))
    assert [x.color for x in lights_in_april if x.kind == "node"] == ["red"]
    actions.complete_node(unit, node, date(2026, 4, 10))
    lights_in_april = status.year_lights(world.scheme, 4, today=date(2026, 11, 30))
    assert [x.color for x in lights_in_april if x.kind == "node"] == ["green"]
    assert ProjectNode.objects.get().done_on == date(2026, 4, 10)


def test_publishing_a_month_freezes_its_rows_and_tells_the_units(
    monitored: Monitored, office: User, unit: User
) -> None:
    actions.enter_progress(unit, monitored.target, 10, D(1000))
    report = actions.publish_report(office, monitored.world.scheme, 10)
    assert [r["rank"] for r in report.rows] == [1, 2]
    assert report.rows[0]["unit"] == monitored.world.unit.name
    assert Notification.objects.filter(recipient=unit, text__contains="10月绩效评估报告").exists()
    actions.enter_progress(unit, monitored.target, 10, D(0))
    assert MonthlyReport.objects.get().rows[0]["score"] == "100.00"  # frozen
    with pytest.raises(TransitionRefused, match="已经发布"):
        actions.publish_report(office, monitored.world.scheme, 10)


def test_a_unit_cannot_publish(monitored: Monitored, unit: User) -> None:
    with pytest.raises(TransitionRefused):
        actions.publish_report(unit, monitored.world.scheme, 10)
    assert not MonthlyReport.objects.exists()


def test_the_morning_task_tells_a_unit_whose_light_the_calendar_turned_red_once(
    monitored: Monitored, unit: User, other_unit: User
) -> None:
    from jixiao.monitoring.tasks import notify_new_red_lights

    actions.enter_progress(unit, monitored.target, 5, D(500))  # yellow in June, not red
    assert actions.notify_new_red_lights(today=date(2026, 6, 15)) == 1
    notices = Notification.objects.filter(recipient=other_unit)
    assert "落后 50.00 个百分点" in notices.get().text
    assert not Notification.objects.filter(recipient=unit).exists()
    assert actions.notify_new_red_lights(today=date(2026, 6, 16)) == 0  # told already
    assert notify_new_red_lights() >= 0  # the scheduled task runs (today: another month)
    assert notices.filter(text__contains="落后 50.00").count() == 1
