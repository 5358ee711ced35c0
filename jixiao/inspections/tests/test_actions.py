"""Registering, the 15-working-day rule by setting, approval, and merge flags."""

from __future__ import annotations

from datetime import date

import pytest

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Notification
from jixiao.collection.workflow import TransitionRefused
from jixiao.inspections import actions
from jixiao.inspections.models import (
    CalendarDay,
    Inspection,
    InspectionStatus,
    LatePolicy,
    RegistrySettings,
    Violation,
    ViolationKind,
)
from jixiao.inspections.scope import inspections_visible_to, merge_flags
from jixiao.inspections.tests.conftest import Registry, plan, register

pytestmark = pytest.mark.django_db


def test_a_registration_fifteen_working_days_ahead_waits_for_the_office(
    department: User, office: User, registry: Registry
) -> None:
    # 12 Oct 2026 after 国庆: 15 September is the last day.
    data = plan(start=date(2026, 10, 12), units=(registry.unit,))
    inspection = register(department, registry, data, today=date(2026, 9, 15))
    assert inspection.status == InspectionStatus.SUBMITTED
    assert (inspection.working_days_ahead, inspection.is_late) == (15, False)
    actions.transition(office, inspection, "approve")
    assert Inspection.objects.get().status == InspectionStatus.APPROVED
    assert not Violation.objects.exists()
    assert AuditEvent.objects.filter(object_type="inspections.inspection").count() == 3


def test_a_late_registration_is_refused_and_the_attempt_recorded(
    department: User, registry: Registry
) -> None:
    data = plan(start=date(2026, 10, 12), units=(registry.unit,))
    inspection = actions.save_inspection(department, data, year=registry.year)
    with pytest.raises(TransitionRefused, match=r"至少 15 个工作日.*仅提前 14 个工作日"):
        actions.transition(department, inspection, "submit", today=date(2026, 9, 16))
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT
    violation = Violation.objects.get()
    assert (violation.kind, violation.working_days_ahead) == (ViolationKind.REFUSED, 14)
    assert violation.department_id == department.organization_id


def test_by_setting_a_late_registration_is_taken_and_recorded_as_a_violation(
    department: User, office: User, registry: Registry
) -> None:
    actions.update_settings(office, lead_working_days=20, late_policy=LatePolicy.RECORD, version=1)
    data = plan(start=date(2026, 10, 12), units=(registry.unit,))
    inspection = register(department, registry, data, today=date(2026, 9, 15))
    assert (inspection.status, inspection.is_late) == (InspectionStatus.SUBMITTED, True)
    assert Violation.objects.get().kind == ViolationKind.LATE


def test_the_offices_calendar_table_moves_the_deadline(
    department: User, office: User, registry: Registry
) -> None:
    actions.set_calendar_day(office, date(2026, 10, 9), False, "本地调整")
    assert CalendarDay.objects.get().note == "本地调整"
    data = plan(start=date(2026, 10, 12), units=(registry.unit,))
    with pytest.raises(TransitionRefused):
        register(department, registry, data, today=date(2026, 9, 15))


def test_returning_needs_a_reason_and_the_department_may_resubmit(
    department: User, office: User, registry: Registry
) -> None:
    inspection = register(department, registry, plan(units=(registry.unit,)))
    with pytest.raises(TransitionRefused, match="理由"):
        actions.transition(office, inspection, "return")
    actions.transition(office, inspection, "return", reason="请与发改局合并")
    inspection.refresh_from_db()
    assert inspection.return_reason == "请与发改局合并"
    told = Notification.objects.filter(recipient=department).values_list("text", flat=True)
    assert list(told) == ["检查计划“重点项目督查”被退回：请与发改局合并"]
    assert Notification.objects.filter(recipient=office, text__contains="请审核").count() == 1
    data = plan("重点项目督查（合并）", units=(registry.unit,))
    actions.save_inspection(department, data, year=registry.year, inspection=inspection)
    actions.transition(department, inspection, "submit", today=date(2026, 1, 5))
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED


@pytest.mark.parametrize(
    ("who", "action", "message"),
    [
        ("dept", "approve", "只有绩效办可以执行"),
        ("other_dept", "submit", "“待审核”状态的数据不能执行"),
        ("supervision", "approve", "只有绩效办可以执行"),
    ],
)
def test_moves_outside_the_table_are_refused_and_change_nothing(
    personas: dict[str, User], registry: Registry, who: str, action: str, message: str
) -> None:
    inspection = register(personas["dept"], registry, plan(units=(registry.unit,)))
    with pytest.raises(TransitionRefused, match=message):
        actions.transition(personas[who], inspection, action)
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED


def test_another_department_cannot_edit_and_units_cannot_register(
    department: User, other_department: User, unit: User, registry: Registry
) -> None:
    inspection = actions.save_inspection(
        department, plan(units=(registry.unit,)), year=registry.year
    )
    with pytest.raises(TransitionRefused):
        actions.save_inspection(
            other_department, plan("改"), year=registry.year, inspection=inspection
        )
    with pytest.raises(TransitionRefused):
        actions.save_inspection(unit, plan(units=(registry.unit,)), year=registry.year)
    assert Inspection.objects.get().name == "重点项目督查"


def test_a_named_street_and_a_whole_category_in_one_week_are_flagged_for_merging(
    department: User, other_department: User, registry: Registry
) -> None:
    first = register(department, registry, plan("项目督查", units=(registry.unit,)))
    second = register(
        other_department,
        registry,
        plan("营商环境检查", start=date(2026, 3, 19), category=registry.streets),
    )
    register(
        other_department,
        registry,
        plan("下周检查", start=date(2026, 3, 23), units=(registry.unit,)),
    )
    flags = merge_flags(registry.year)
    assert [(f.unit.name, [i.pk for i in f.inspections]) for f in flags] == [
        ("东湖街道", [first.pk, second.pk])
    ]
    assert len(merge_flags(registry.year, unit_id=registry.other_unit.pk)) == 0
    assert len(merge_flags(registry.year, department_id=department.organization_id)) == 1


def test_units_see_the_registered_inspections_that_visit_them(
    department: User, unit: User, other_unit: User, registry: Registry
) -> None:
    named = register(department, registry, plan("点名检查", units=(registry.unit,)))
    whole = register(department, registry, plan("类别检查", category=registry.streets))
    actions.save_inspection(department, plan("草稿", units=(registry.unit,)), year=registry.year)
    assert set(inspections_visible_to(unit)) == {named, whole}
    assert set(inspections_visible_to(other_unit)) == {whole}


def test_settings_are_kept_in_one_row_with_a_version(office: User, department: User) -> None:
    assert RegistrySettings.current().lead_working_days == 15
    actions.update_settings(office, lead_working_days=10, late_policy=LatePolicy.REFUSE, version=1)
    with pytest.raises(Exception, match="已被他人修改"):
        actions.update_settings(
            office, lead_working_days=12, late_policy=LatePolicy.REFUSE, version=1
        )
    with pytest.raises(TransitionRefused):
        actions.update_settings(
            department, lead_working_days=1, late_policy=LatePolicy.RECORD, version=2
        )
    assert RegistrySettings.objects.get().lead_working_days == 10
