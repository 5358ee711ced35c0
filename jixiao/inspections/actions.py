"""Every write of the inspection plan registry: one transaction each, audit rows inside.

Registrations move through TABLE with collection's transition resolver:
草稿/已退回 ─提交登记 (department)→ 待审核 ─通过 (office)→ 已通过
                                      └─退回 (office, reason)→ 已退回
Submitting is the registration: it must come `lead_working_days` working days before
the start. A late one is refused (a REFUSED violation is still recorded, in its own
transaction, so the office sees the attempt) or registered with a LATE violation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_update, snapshot
from jixiao.collection import notifications
from jixiao.collection.workflow import Rule, TransitionRefused, resolve
from jixiao.core.concurrency import save_versioned
from jixiao.inspections import workdays
from jixiao.inspections.models import (
    CalendarDay,
    Inspection,
    InspectionStatus,
    LatePolicy,
    RegistrySettings,
    TargetKind,
    Violation,
    ViolationKind,
)
from jixiao.org.models import AssessmentYear, Organization, UnitCategory

S = InspectionStatus
ACTS = {
    "submit": gettext_lazy("提交登记"),
    "approve": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回"),
}
ACTORS = {"department": gettext_lazy("检查部门"), "office": gettext_lazy("绩效办")}
TABLE: dict[tuple[str, str, str], Rule] = {
    (S.DRAFT, "submit", "department"): Rule(S.SUBMITTED),
    (S.RETURNED, "submit", "department"): Rule(S.SUBMITTED),
    (S.SUBMITTED, "approve", "office"): Rule(S.APPROVED),
    (S.SUBMITTED, "return", "office"): Rule(S.RETURNED, reason_required=True),
    (S.APPROVED, "return", "office"): Rule(S.RETURNED, reason_required=True),
}
FIELDS = ["name", "content", "target_kind", "category", "start", "end"]


def overrides() -> dict[date, bool]:
    return dict(CalendarDay.objects.values_list("day", "is_workday"))


def actors(user: User, inspection: Inspection) -> set[str]:
    found: set[str] = set()
    if user.role == Role.OFFICE:
        found.add("office")
    if user.role == Role.DEPARTMENT and user.organization_id == inspection.department_id:
        found.add("department")
    return found


def available(user: User, inspection: Inspection) -> list[str]:
    mine = actors(user, inspection)
    return [a for (st, a, who) in TABLE if st == inspection.status and who in mine]


# -- the plan -----------------------------------------------------------------------


@dataclass
class PlanData:
    name: str
    content: str
    start: date
    end: date
    target_kind: str = TargetKind.UNITS
    category: UnitCategory | None = None
    units: tuple[Organization, ...] = ()


def _check(data: PlanData) -> None:
    if data.end < data.start:
        raise TransitionRefused(_("结束日期不能早于开始日期。"))
    if data.target_kind == TargetKind.CATEGORY and data.category is None:
        raise TransitionRefused(_("检查对象为整个考核类别时须选择类别。"))
    if data.target_kind == TargetKind.UNITS and not data.units:
        raise TransitionRefused(_("请至少选择一个被检查单位。"))


def save_inspection(
    user: User,
    data: PlanData,
    *,
    year: AssessmentYear,
    inspection: Inspection | None = None,
    version: int | None = None,
) -> Inspection:
    """A department's new draft, or its changes to a draft or returned one."""
    if user.role != Role.DEPARTMENT or user.organization_id is None:
        raise TransitionRefused(_("只有检查部门可以登记检查计划。"))
    _check(data)
    with transaction.atomic():
        if inspection is None:
            inspection = Inspection(year=year, department_id=user.organization_id, created_by=user)
            _fill(inspection, data)
            inspection.save()
            _set_units(inspection, data)
            record_create(inspection)
            return inspection
        inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
        if inspection.department_id != user.organization_id:
            raise TransitionRefused(_("只能修改本部门的检查计划。"))
        if inspection.status not in (S.DRAFT, S.RETURNED):
            raise TransitionRefused(_("只有草稿或已退回的检查计划可以修改。"))
        before = snapshot(inspection, FIELDS)
        _fill(inspection, data)
        save_versioned(inspection, inspection.version if version is None else version, FIELDS)
        _set_units(inspection, data)
        record_update(inspection, before)
        return inspection


def _fill(inspection: Inspection, data: PlanData) -> None:
    inspection.name, inspection.content = data.name, data.content
    inspection.start, inspection.end = data.start, data.end
    inspection.target_kind = data.target_kind
    inspection.category = data.category if data.target_kind == TargetKind.CATEGORY else None


def _set_units(inspection: Inspection, data: PlanData) -> None:
    inspection.units.set(data.units if data.target_kind == TargetKind.UNITS else [])


# -- the registration's workflow --------------------------------------------------------


def lateness(start: date, today: date, table: dict[date, bool] | None = None) -> tuple[int, bool]:
    """(working days ahead, late?) of a registration made `today`."""
    rules = RegistrySettings.current()
    ahead = workdays.working_days_between(today, start, overrides() if table is None else table)
    return ahead, ahead < rules.lead_working_days


def late_message(ahead: int) -> str:
    rules = RegistrySettings.current()
    return _("须在检查开始前至少 %(n)d 个工作日登记，本次仅提前 %(m)d 个工作日，不予登记。") % {
        "n": rules.lead_working_days,
        "m": max(ahead, 0),
    }


def transition(
    user: User,
    inspection: Inspection,
    action: str,
    *,
    reason: str = "",
    today: date | None = None,
) -> Inspection:
    if action not in ACTS:
        raise TransitionRefused(_("未知的操作。"))
    today = today or timezone.localdate()
    refused: tuple[int, Inspection] | None = None
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
        rule = resolve(
            TABLE,
            inspection.status,
            inspection.get_status_display(),
            action,
            actors(user, inspection),
            act_label=lambda a: str(ACTS[a]),
            actor_label=lambda a: str(ACTORS[a]),
        )
        if rule.reason_required and not reason.strip():
            raise TransitionRefused(_("请填写%(act)s的理由。") % {"act": ACTS[action]})
        before = inspection.status
        if action == "submit":
            ahead, late = lateness(inspection.start, today)
            if late and RegistrySettings.current().late_policy == LatePolicy.REFUSE:
                refused = (ahead, inspection)
            else:
                inspection.registered_on, inspection.working_days_ahead = today, ahead
                inspection.is_late = late
                if late:
                    _violation(user, inspection, ViolationKind.LATE, today, ahead)
        if refused is None:
            inspection.status = rule.to
            inspection.return_reason = reason.strip() if action == "return" else ""
            inspection.version += 1
            inspection.save()
            record(
                AuditAction.TRANSITION,
                inspection,
                before={"status": before},
                after={"status": inspection.status, "action": action},
                reason=reason.strip(),
            )
            _tell(user, inspection, action)
    if refused is not None:
        ahead, inspection = refused
        with transaction.atomic():
            _violation(user, inspection, ViolationKind.REFUSED, today, ahead)
        raise TransitionRefused(late_message(ahead))
    return inspection


def _tell(user: User, inspection: Inspection, action: str) -> None:
    """Whoever acts next: the office on a registration, the department on its answer."""
    link = reverse("inspections:detail", args=[inspection.pk])
    if action == "submit":
        text = _("%(dept)s登记了检查计划“%(name)s”，请审核。")
        recipients = notifications.office_users()
    elif action == "approve":
        text = _("检查计划“%(name)s”已审核通过。")
        recipients = notifications.department_users(inspection.department_id)
    else:
        text = _("检查计划“%(name)s”被退回：%(reason)s")
        recipients = notifications.department_users(inspection.department_id)
    values = {
        "dept": inspection.department.name,
        "name": inspection.name,
        "reason": inspection.return_reason,
    }
    notifications.notify(recipients, text % values, link, exclude=user)


def _violation(
    user: User, inspection: Inspection, kind: str, today: date, ahead: int, note: str = ""
) -> Violation:
    violation = Violation.objects.create(
        year=inspection.year,
        department=inspection.department,
        kind=kind,
        inspection=inspection,
        name=inspection.name,
        start=inspection.start,
        registered_on=today,
        working_days_ahead=ahead,
        note=note,
        recorded_by=user,
    )
    record_create(violation)
    return violation


def record_unregistered(
    user: User,
    *,
    year: AssessmentYear,
    department: Organization,
    name: str,
    start: date | None,
    note: str,
) -> Violation:
    """The office records an inspection a department held without registering it."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以记录未登记的检查。"))
    if not name.strip():
        raise TransitionRefused(_("请填写检查名称。"))
    with transaction.atomic():
        violation = Violation.objects.create(
            year=year,
            department=department,
            kind=ViolationKind.UNREGISTERED,
            name=name.strip(),
            start=start,
            note=note.strip(),
            recorded_by=user,
        )
        record_create(violation)
    return violation


# -- settings and the calendar table --------------------------------------------------------


def update_settings(
    user: User, *, lead_working_days: int, late_policy: str, version: int
) -> RegistrySettings:
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以修改计划登记设置。"))
    if not 1 <= lead_working_days <= 120:
        raise TransitionRefused(_("提前登记工作日数须在 1 到 120 之间。"))
    if late_policy not in LatePolicy.values:
        raise TransitionRefused(_("请选择逾期登记的处理方式。"))
    with transaction.atomic():
        row = RegistrySettings.objects.select_for_update(of=("self",)).order_by("pk").first()
        if row is None:
            row = RegistrySettings.objects.create()
        before = snapshot(row, ["lead_working_days", "late_policy"])
        row.lead_working_days, row.late_policy = lead_working_days, late_policy
        save_versioned(row, version, ["lead_working_days", "late_policy"])
        record_update(row, before)
    return row


def set_calendar_day(user: User, day: date, is_workday: bool, note: str = "") -> CalendarDay:
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以维护节假日调整表。"))
    with transaction.atomic():
        return _set_day(day, is_workday, note)


def _set_day(day: date, is_workday: bool, note: str) -> CalendarDay:
    row = CalendarDay.objects.select_for_update(of=("self",)).filter(day=day).first()
    if row is None:
        row = CalendarDay.objects.create(day=day, is_workday=is_workday, note=note)
        record_create(row)
        return row
    before = snapshot(row, ["is_workday", "note"])
    row.is_workday, row.note = is_workday, note
    row.version += 1
    row.save()
    record_update(row, before)
    return row


def remove_calendar_day(user: User, row: CalendarDay) -> None:
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以维护节假日调整表。"))
    with transaction.atomic():
        record(AuditAction.DELETE, row, before=snapshot(row))
        row.delete()


def import_calendar(user: User, days: list[tuple[date, bool, str]]) -> int:
    """Rows already validated by `importing.calendar_rows` (all or nothing)."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以维护节假日调整表。"))
    with transaction.atomic():
        for day, is_workday, note in days:
            _set_day(day, is_workday, note)
    return len(days)


def import_plan(
    user: User, year: AssessmentYear, plans: list[PlanData], *, today: date | None = None
) -> list[Inspection]:
    """A department's validated plan rows, each saved and registered, in one transaction."""
    with transaction.atomic():
        made = [save_inspection(user, data, year=year) for data in plans]
        return [transition(user, i, "submit", today=today) for i in made]
