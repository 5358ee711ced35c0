"""Targets in and out of Excel, through the one door (`core/excel.py`): the import
validates every row first and writes nothing unless all rows are valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jixiao.accounts.models import User
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import (
    XLSX_CONTENT_TYPE,
    RowError,
    SpreadsheetError,
    parse_decimal,
    read_upload,
    safe_row,
    workbook_response_bytes,
)
from jixiao.monitoring import actions
from jixiao.monitoring.models import Breakdown, Target
from jixiao.org.models import Organization
from jixiao.scheme.models import Scheme

COL_INDICATOR, COL_UNIT, COL_ANNUAL = "指标编码", "单位编码", "年度目标"
COL_BREAKDOWN, COL_PROFILE = "分解方式", "进度曲线"
MONTHS = [f"{m}月" for m in range(1, 13)]
HEADERS = [COL_INDICATOR, "指标名称", COL_UNIT, "单位名称", COL_ANNUAL, COL_BREAKDOWN, COL_PROFILE]
HEADERS += [*MONTHS, "状态"]
PROFILE_NAMES = {"前低后高": "back_loaded", "按季度均衡": "quarterly"}
BREAKDOWN_NAMES = {str(label): value for value, label in Breakdown.choices}


def targets_response(scheme: Scheme, rows: list[Target]) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "年度目标"
    sheet.append(safe_row(HEADERS))
    profiles = {v: k for k, v in PROFILE_NAMES.items()}
    for t in rows:
        sheet.append(
            safe_row(
                [
                    t.indicator.code,
                    t.indicator.name,
                    t.unit.code,
                    t.unit.name,
                    t.annual,
                    t.get_breakdown_display(),
                    profiles.get(t.profile, ""),
                    *[Decimal(str(m)) for m in t.milestones],
                    t.get_status_display(),
                ]
            )
        )
    response = HttpResponse(workbook_response_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    name = f"年度目标-{scheme.year.year}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def import_targets(user: User, scheme: Scheme, upload: Any) -> tuple[list[str], int]:
    """(errors, rows written): all rows valid, or nothing written."""
    try:
        table = read_upload(
            upload, [COL_INDICATOR, COL_UNIT, COL_ANNUAL], [COL_BREAKDOWN, COL_PROFILE, *MONTHS]
        )
    except SpreadsheetError as error:
        return [str(error)], 0
    errors: list[RowError] = list(table.errors)
    indicators = {i.code.upper(): i for i in actions.monitored_indicators(scheme)}
    units = {u.code.upper(): u for u in Organization.objects.assessed_units()}
    planned = []
    for number, row in table.rows:
        indicator = indicators.get(str(row.get(COL_INDICATOR) or "").strip().upper())
        unit = units.get(str(row.get(COL_UNIT) or "").strip().upper())
        if indicator is None:
            errors.append(RowError(number, COL_INDICATOR, _("不是本年度方案中的量化指标")))
            continue
        if unit is None:
            errors.append(RowError(number, COL_UNIT, _("没有这个被考核单位")))
            continue
        try:
            annual = parse_decimal(row.get(COL_ANNUAL))
            typed = [parse_decimal(row.get(m)) for m in MONTHS]
        except ValueError as error:
            errors.append(RowError(number, "", str(error)))
            continue
        breakdown = BREAKDOWN_NAMES.get(str(row.get(COL_BREAKDOWN) or "").strip(), Breakdown.EVEN)
        profile = PROFILE_NAMES.get(str(row.get(COL_PROFILE) or "").strip(), "")
        if any(v is not None for v in typed) and not row.get(COL_BREAKDOWN):
            breakdown = Breakdown.TYPED
        if annual is None or annual <= 0:
            errors.append(RowError(number, COL_ANNUAL, _("年度目标必须大于 0")))
            continue
        try:
            actions.milestones_for(annual, breakdown, profile, typed)
        except TransitionRefused as error:
            errors.append(RowError(number, "", "；".join(error.messages)))
            continue
        planned.append((number, indicator, unit, annual, breakdown, profile, typed))
    if not errors and not planned:
        return [_("文件中没有数据行。")], 0
    if errors:
        return [str(e) for e in errors], 0
    written = 0
    problems: list[str] = []
    with transaction.atomic():
        for number, indicator, unit, annual, breakdown, profile, typed in planned:
            try:
                actions.set_target(
                    user, indicator, unit, annual, breakdown=breakdown, profile=profile, typed=typed
                )
                written += 1
            except (TransitionRefused, EditConflict) as error:
                problems.append(str(RowError(number, "", str(error))))
        if problems:
            transaction.set_rollback(True)
            return problems, 0
    return [], written
