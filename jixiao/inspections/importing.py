"""Excel in and out: a department's plan, the office's calendar table, the violations.

Imports go through `core.excel.read_upload` and validate every row before anything is
written (all or nothing); each refusal names its row and column in Chinese."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from jixiao.core.excel import RowError, Table, safe_cell
from jixiao.core.values import clean_text
from jixiao.inspections import actions, workdays
from jixiao.inspections.models import (
    CalendarDay,
    LatePolicy,
    RegistrySettings,
    TargetKind,
    Violation,
)
from jixiao.org.models import AssessmentYear, Organization, UnitCategory

PLAN_REQUIRED = ["检查名称", "检查内容", "开始日期", "结束日期"]
PLAN_OPTIONAL = ["被检查单位", "考核类别"]
CALENDAR_REQUIRED = ["日期", "类型"]
CALENDAR_OPTIONAL = ["说明"]
WORKDAY_WORDS = {
    "工作日": True,
    "上班": True,
    "调休上班": True,
    "休息日": False,
    "节假日": False,
    "休息": False,
    "放假": False,
    # What the export writes in the English interface, so an exported table reads back.
    "working day": True,
    "workday": True,
    "rest day": False,
    "holiday": False,
}
EXCEL_EPOCH = date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_SPLIT = re.compile(r"[、，,；;\s]+")


def _excel_serial(value: Any) -> date | None:
    """A date cell read without its style is Excel's day number (1 = 1900-01-01)."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if not 20_000 <= number <= 80_000 or number != int(number):
        return None
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value: Any) -> date | None:
    """A date as people type it (2026-03-02, 2026/3/2, 2026年3月2日) or a date cell; None
    for blank; ValueError (Chinese) otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    serial = _excel_serial(value)
    if serial is not None:
        return serial
    match = _DATE.match(str(value).strip())
    if match:
        try:
            return date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    text = str(value)[:20]
    raise ValueError(_("“%(v)s”不是有效的日期，请写成 2026-03-02") % {"v": text})


def _text(
    row: dict[str, Any], column: str, limit: int, number: int, problems: list[RowError]
) -> str:
    try:
        return clean_text(row.get(column), max_length=limit)
    except ValueError as error:
        problems.append(RowError(number, column, str(error)))
        return ""


def plan_rows(
    table: Table, year: AssessmentYear, *, today: date
) -> tuple[list[actions.PlanData], list[RowError]]:
    """The plan's rows, checked: units by code or name, a category of the year, dates in
    the year, and (when late registrations are refused) registered in time."""
    units = {}
    for unit in Organization.objects.assessed_units():
        units[unit.code] = unit
        units[unit.name] = unit
    categories = {}
    for each in UnitCategory.objects.filter(year=year):
        categories[each.code] = each
        categories[each.name] = each
    rules = RegistrySettings.current()
    table_days = actions.overrides()
    plans: list[actions.PlanData] = []
    errors = list(table.errors)
    for number, row in table.rows:
        problems: list[RowError] = []

        name = _text(row, "检查名称", 200, number, problems)
        content = _text(row, "检查内容", 2000, number, problems)
        if not name:
            problems.append(RowError(number, "检查名称", _("请填写检查名称")))
        dates: dict[str, date | None] = {}
        for column in ("开始日期", "结束日期"):
            try:
                dates[column] = parse_date(row.get(column))
            except ValueError as error:
                problems.append(RowError(number, column, str(error)))
                dates[column] = None
            else:
                if dates[column] is None:
                    problems.append(RowError(number, column, _("请填写日期")))
        start, end = dates["开始日期"], dates["结束日期"]
        if start and end and end < start:
            problems.append(RowError(number, "结束日期", _("结束日期不能早于开始日期")))
        if start and start.year != year.year:
            problems.append(
                RowError(number, "开始日期", _("不在 %(y)d 考核年度内") % {"y": year.year})
            )
        named = [n for n in _SPLIT.split(str(row.get("被检查单位") or "").strip()) if n]
        found = []
        for n in named:
            if n in units:
                found.append(units[n])
            else:
                problems.append(
                    RowError(number, "被检查单位", _("没有找到单位“%(n)s”") % {"n": n[:30]})
                )
        category_name = str(row.get("考核类别") or "").strip()
        category: UnitCategory | None = categories.get(category_name) if category_name else None
        if category_name and category is None:
            problems.append(
                RowError(
                    number, "考核类别", _("本年度没有考核类别“%(n)s”") % {"n": category_name[:30]}
                )
            )
        if category is not None and found:
            problems.append(RowError(number, "考核类别", _("被检查单位和考核类别只能填写一项")))
        if category is None and not found and not category_name and not named:
            problems.append(RowError(number, "被检查单位", _("请填写被检查单位或考核类别")))
        if start and not problems and rules.late_policy == LatePolicy.REFUSE:
            ahead = workdays.working_days_between(today, start, table_days)
            if ahead < rules.lead_working_days:
                problems.append(RowError(number, "开始日期", actions.late_message(ahead)))
        if problems:
            errors.extend(problems)
            continue
        assert start is not None
        assert end is not None
        plans.append(
            actions.PlanData(
                name=name,
                content=content,
                start=start,
                end=end,
                target_kind=TargetKind.CATEGORY if category else TargetKind.UNITS,
                category=category,
                units=tuple(found),
            )
        )
    if not table.rows and not errors:
        errors.append(RowError(0, "", _("表格中没有数据行")))
    return plans, errors


def calendar_rows(table: Table) -> tuple[list[tuple[date, bool, str]], list[RowError]]:
    days: list[tuple[date, bool, str]] = []
    errors = list(table.errors)
    seen: set[date] = set()
    for number, row in table.rows:
        try:
            day = parse_date(row.get("日期"))
        except ValueError as error:
            errors.append(RowError(number, "日期", str(error)))
            continue
        kind = str(row.get("类型") or "").strip().lower()
        try:
            note = clean_text(row.get("说明"), max_length=100)
        except ValueError as error:
            errors.append(RowError(number, "说明", str(error)))
            continue
        if day is None:
            errors.append(RowError(number, "日期", _("请填写日期")))
        elif kind not in WORKDAY_WORDS:
            errors.append(RowError(number, "类型", _("类型须为“工作日”或“休息日”")))
        elif day in seen:
            errors.append(RowError(number, "日期", _("与前面的行日期重复")))
        else:
            seen.add(day)
            days.append((day, WORKDAY_WORDS[kind], note))
    if not table.rows and not errors:
        errors.append(RowError(0, "", _("表格中没有数据行")))
    return days, errors


def calendar_workbook() -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(_("节假日调整"))
    sheet.append(CALENDAR_REQUIRED + CALENDAR_OPTIONAL)
    for row in CalendarDay.objects.order_by("day"):
        kind = _("工作日") if row.is_workday else _("休息日")
        sheet.append([row.day.isoformat(), kind, safe_cell(row.note)])
    return book


def plan_template() -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(_("检查计划"))
    sheet.append(PLAN_REQUIRED + PLAN_OPTIONAL)
    return book


def violations_workbook(year: AssessmentYear) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(_("计划登记违规"))
    sheet.append(
        [
            _("检查部门"),
            _("违规类型"),
            _("检查名称"),
            _("开始日期"),
            _("登记日期"),
            _("提前工作日数"),
            _("说明"),
        ]
    )
    for v in (
        Violation.objects.filter(year=year)
        .select_related("department")
        .order_by("department__code", "pk")
    ):
        sheet.append(
            [
                safe_cell(v.department.name),
                v.get_kind_display(),
                safe_cell(v.name),
                f"{v.start:%Y-%m-%d}" if v.start else "",
                f"{v.registered_on:%Y-%m-%d}" if v.registered_on else "",
                v.working_days_ahead if v.working_days_ahead is not None else "",
                safe_cell(v.note),
            ]
        )
    return book
