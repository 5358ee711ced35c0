"""Excel round-trip of the organization list (with each unit's category and staffing
for one year). Import is all-or-nothing, keyed by the stable organization code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record, record_many
from jixiao.core.excel import RowError, Table, parse_decimal, safe_cell
from jixiao.org.actions import ORG_FIELDS, org_snapshot
from jixiao.org.models import (
    STAFFING_MESSAGE,
    AssessmentYear,
    Organization,
    OrganizationKind,
    UnitCategory,
    UnitEnrollment,
    code_validator,
)

COLUMNS = [
    "编码",
    "名称",
    "简称",
    "类型",
    "数据采集单位",
    "被考核单位",
    "考核类别",
    "编制数",
    "排序",
    "联系人",
    "联系电话",
]
REQUIRED = ["编码", "名称", "类型"]
YES, NO = "是", "否"
KIND_BY_LABEL = {str(label): value for value, label in OrganizationKind.choices}


def export_workbook(year: AssessmentYear) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "组织机构"
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    ws["A1"].comment = Comment("编码是导入时识别单位的唯一依据，请勿修改已有编码。", "Jixiao")
    enrollments = {
        e.unit_id: e for e in UnitEnrollment.objects.filter(year=year).select_related("category")
    }
    for org in Organization.objects.order_by("sort_order", "code"):
        enrollment = enrollments.get(org.pk)
        ws.append(
            [
                safe_cell(org.code),
                safe_cell(org.name),
                safe_cell(org.short_name),
                org.get_kind_display(),
                YES if org.is_department else NO,
                YES if org.is_assessed_unit else NO,
                safe_cell(enrollment.category.name) if enrollment else "",
                enrollment.staffing if enrollment and enrollment.staffing is not None else "",
                org.sort_order,
                safe_cell(org.contact),
                safe_cell(org.phone),
            ]
        )
    kinds = DataValidation(
        type="list", formula1='"' + ",".join(KIND_BY_LABEL) + '"', allow_blank=False
    )
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    ws.add_data_validation(kinds)
    ws.add_data_validation(yes_no)
    kinds.add("D2:D5000")
    yes_no.add("E2:F5000")
    for col, width in zip("ABCDEFGHIJK", [12, 28, 12, 10, 12, 12, 14, 8, 6, 10, 14], strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return wb


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0


def _yes_no(value: Any, row: int, column: str, errors: list[RowError]) -> bool:
    text = str(value or "").strip()
    if text in ("", NO, "N", "n", "0", "False", "FALSE"):
        return False
    if text in (YES, "Y", "y", "1", "True", "TRUE"):
        return True
    errors.append(RowError(row, column, _("请填写“是”或“否”")))
    return False


def import_table(
    table: Table, year: AssessmentYear, reason: str = ""
) -> tuple[ImportResult, list[RowError]]:
    errors = list(table.errors)
    existing = {o.code: o for o in Organization.objects.all()}
    names = {o.name: o.code for o in existing.values()}
    categories = {c.name: c for c in UnitCategory.objects.filter(year=year)}
    categories.update({c.code: c for c in categories.values()})
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any], UnitCategory | None, int | None]] = []

    for row, values in table.rows:
        code = str(values.get("编码") or "").strip()
        name = str(values.get("名称") or "").strip()
        row_errors: list[RowError] = []
        if not code:
            row_errors.append(RowError(row, "编码", _("不能为空")))
        else:
            try:
                code_validator(code)
            except Exception:
                row_errors.append(RowError(row, "编码", _("只能包含字母、数字、点、横线和下划线")))
            if code in seen_codes:
                row_errors.append(
                    RowError(row, "编码", _("与第 %(r)d 行重复") % {"r": seen_codes[code]})
                )
            seen_codes.setdefault(code, row)
        if not name:
            row_errors.append(RowError(row, "名称", _("不能为空")))
        elif name in seen_names:
            row_errors.append(
                RowError(row, "名称", _("与第 %(r)d 行重复") % {"r": seen_names[name]})
            )
        elif names.get(name, code) != code:
            row_errors.append(
                RowError(row, "名称", _("已被编码为 %(c)s 的单位使用") % {"c": names[name]})
            )
        seen_names.setdefault(name, row)
        kind = KIND_BY_LABEL.get(str(values.get("类型") or "").strip())
        if kind is None:
            row_errors.append(
                RowError(row, "类型", _("须为以下之一：%(k)s") % {"k": "、".join(KIND_BY_LABEL)})
            )
        is_department = _yes_no(values.get("数据采集单位"), row, "数据采集单位", row_errors)
        is_unit = _yes_no(values.get("被考核单位"), row, "被考核单位", row_errors)
        category = None
        category_label = str(values.get("考核类别") or "").strip()
        if category_label:
            category = categories.get(category_label)
            if category is None:
                row_errors.append(
                    RowError(
                        row,
                        "考核类别",
                        _("%(y)s 年度没有类别“%(c)s”") % {"y": year.year, "c": category_label},
                    )
                )
            elif not is_unit:
                row_errors.append(RowError(row, "考核类别", _("只有被考核单位才能归入考核类别")))
        staffing = None
        try:
            number = parse_decimal(values.get("编制数"), digits=9, places=0)
            if number is not None:
                if number <= 0 or number != number.to_integral_value():
                    raise ValueError(str(STAFFING_MESSAGE))
                staffing = int(number)
        except ValueError as error:
            row_errors.append(RowError(row, "编制数", str(error)))
        sort_order = 0
        try:
            sort_number = parse_decimal(values.get("排序"), digits=9, places=0)
            sort_order = int(sort_number) if sort_number is not None else 0
            if sort_order < 0:
                raise ValueError(_("须为非负整数"))
        except ValueError as error:
            row_errors.append(RowError(row, "排序", str(error)))
        errors.extend(row_errors)
        if not row_errors:
            data = {
                "code": code,
                "name": name[:100],
                "short_name": str(values.get("简称") or "")[:30],
                "kind": kind,
                "is_department": is_department,
                "is_assessed_unit": is_unit,
                "sort_order": sort_order,
                "contact": str(values.get("联系人") or "")[:50],
                "phone": str(values.get("联系电话") or "")[:30],
            }
            parsed.append((row, data, category, staffing))

    if not table.rows:
        errors.append(RowError(2, "", _("文件中没有数据行")))
    if errors:
        return ImportResult(), sorted(errors, key=lambda e: e.row)
    return _apply(parsed, existing, year, reason), []


@transaction.atomic
def _apply(
    parsed: list[tuple[int, dict[str, Any], UnitCategory | None, int | None]],
    existing: dict[str, Organization],
    year: AssessmentYear,
    reason: str,
) -> ImportResult:
    result = ImportResult()
    events = []
    enrollments = {e.unit_id: e for e in UnitEnrollment.objects.filter(year=year)}
    for _row, data, category, staffing in parsed:
        org = existing.get(data["code"])
        if org is None:
            org = Organization.objects.create(is_active=True, **data)
            events.append(
                build_event(
                    AuditAction.IMPORT,
                    org,
                    after=org_snapshot(org),
                    reason=reason or "组织机构导入",
                )
            )
            result.created += 1
        else:
            before = org_snapshot(org)
            for key, value in data.items():
                setattr(org, key, value)
            after = org_snapshot(org)
            if after != before:
                org.version += 1
                org.save()
                changed = [k for k in ORG_FIELDS if before[k] != after[k]]
                events.append(
                    build_event(
                        AuditAction.IMPORT,
                        org,
                        before={k: before[k] for k in changed},
                        after={k: after[k] for k in changed},
                        reason=reason or "组织机构导入",
                    )
                )
                result.updated += 1
            else:
                result.unchanged += 1
        if category is not None:
            enrollment = enrollments.get(org.pk)
            if enrollment is None:
                enrollment = UnitEnrollment.objects.create(
                    year=year, unit=org, category=category, staffing=staffing
                )
                events.append(
                    build_event(
                        AuditAction.IMPORT,
                        enrollment,
                        after={"category": category.code, "staffing": staffing},
                    )
                )
                result.enrolled += 1
            elif (enrollment.category_id, enrollment.staffing) != (category.pk, staffing):
                before_e = {"category": enrollment.category.code, "staffing": enrollment.staffing}
                enrollment.category, enrollment.staffing = category, staffing
                enrollment.version += 1
                enrollment.save()
                events.append(
                    build_event(
                        AuditAction.IMPORT,
                        enrollment,
                        before=before_e,
                        after={"category": category.code, "staffing": staffing},
                    )
                )
                result.enrolled += 1
    record_many(events)
    record(
        AuditAction.IMPORT,
        object_type="org.organization",
        object_repr="组织机构导入",
        after={"created": result.created, "updated": result.updated, "enrolled": result.enrolled},
        reason=reason,
    )
    return result
