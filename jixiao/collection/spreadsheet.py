"""Excel round-trip for one department and one period (数据填报模板).

Download: one row per slot (unit × indicator), pre-filled with the last saved values,
the scoring standard as a comment on the indicator name. Upload: every row is checked
again from its visible codes (nothing in the file is trusted: not a code, not a hidden
column), errors are listed per row in Chinese, and nothing is written unless every row
is valid. Rows whose values equal what is stored change nothing, so uploading the same
file twice is harmless.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, event_row, jsonable, record_rows
from jixiao.collection import hooks, leaf
from jixiao.collection.actions import EDITABLE, ENTRY_FIELDS, ensure_can_enter
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus
from jixiao.collection.scope import Slot
from jixiao.collection.structure import department_slots
from jixiao.core import bulk
from jixiao.core.excel import LARGE_LIMITS, RowError, SpreadsheetError, read_upload, safe_cell
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator
from jixiao.scoring.engine.methods import METHODS

SHEET = "数据填报"
COL_UNIT = "单位编码"
COL_UNIT_NAME = "单位名称"
COL_INDICATOR = "指标编码"
COL_INDICATOR_NAME = "指标名称"
COL_METHOD = "计分方法"
COL_HINT = "填报说明"
COL_POINTS = "分值"
COL_VALUE = "数值"
COL_REFERENCE = "基准值"
COL_GRADE = "等次"
COL_REASON = "计分说明"
COL_STATUS = "状态"
COL_VERSION = "数据版本"
HEADERS = [
    COL_UNIT,
    COL_UNIT_NAME,
    COL_INDICATOR,
    COL_INDICATOR_NAME,
    COL_METHOD,
    COL_HINT,
    COL_POINTS,
    COL_VALUE,
    COL_REFERENCE,
    COL_GRADE,
    COL_REASON,
    COL_STATUS,
    COL_VERSION,
]
REQUIRED = [COL_UNIT, COL_INDICATOR]
OPTIONAL = [COL_VALUE, COL_REFERENCE, COL_GRADE, COL_REASON, COL_VERSION]
COLUMN_OF = {"value": COL_VALUE, "reference": COL_REFERENCE, "grade": COL_GRADE}
# Beyond this many rows, the standard is commented on each indicator's first row only
# (comments are heavy: a province-size sheet would take minutes to open in Excel).
COMMENT_EVERY_ROW_UP_TO = 5000


def build_template(period: CollectionPeriod, department: Organization) -> Workbook:
    slots = department_slots(period, department)
    entries = {
        (e.indicator_id, e.unit_id): e
        for e in Entry.objects.filter(period=period, department=department).order_by()
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F0F3F7")
    editable_fill = PatternFill("solid", fgColor="FFF8E1")
    commented: set[int] = set()
    many = len(slots) > COMMENT_EVERY_ROW_UP_TO
    for slot in slots:
        indicator, unit = slot.indicator, slot.unit
        entry = entries.get(slot.key)
        spec = METHODS.get(indicator.method)
        ws.append(
            [
                safe_cell(unit.code),
                safe_cell(unit.name),
                safe_cell(indicator.code),
                safe_cell(indicator.name),
                spec.label if spec else indicator.method,
                safe_cell(leaf.field_hint(indicator)),
                slot.points,
                entry.value if entry else None,
                entry.reference if entry else None,
                safe_cell(entry.grade) if entry else None,
                safe_cell(entry.reason) if entry else None,
                entry.get_status_display() if entry else str(_("未填报")),
                entry.version if entry else None,
            ]
        )
        row = ws.max_row
        for column in (8, 9, 10, 11):
            ws.cell(row=row, column=column).fill = editable_fill
        if indicator.standard and (not many or indicator.pk not in commented):
            commented.add(indicator.pk)
            ws.cell(row=row, column=4).comment = Comment(
                _("评分标准：") + indicator.standard[:2000], "Jixiao"
            )
    grades = DataValidation(type="list", formula1='"A,B,C,D"', allow_blank=True)
    ws.add_data_validation(grades)
    if ws.max_row > 1:
        grades.add(f"J2:J{ws.max_row}")
    for letter, width in zip(
        "ABCDEFGHIJKLM", (10, 14, 12, 28, 10, 26, 7, 10, 10, 7, 30, 10, 8), strict=True
    ):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "E2"
    _guide_sheet(wb, period, {s.indicator.pk: s.indicator for s in slots})
    return wb


def _guide_sheet(wb: Workbook, period: CollectionPeriod, indicators: dict[int, Indicator]) -> None:
    guide = wb.create_sheet("填报说明")
    guide.append([_("说明")])
    for line in (
        _("1. 只填写“数值”“基准值”“等次”“计分说明”四列（黄色），其他列仅供参考。"),
        _("2. 按“单位编码”和“指标编码”识别每一行；请勿修改编码，不要增删列，列的顺序可以调整。"),
        _("3. 满分、重大扣分和主观扣分须填写计分说明。百分比可写作 85% 或 0.85。"),
        _("4. 全部行校验通过才会导入，任何一行有错，什么都不会改变；"),
        _("   同一文件重复上传不会重复导入。"),
        _("5. 请勿使用公式、合并单元格，不要隐藏行或工作表。"),
    ):
        guide.append([line])
    guide.append([])
    guide.append([_("指标编码"), _("指标名称"), _("计分方法"), _("填报说明"), _("评分标准")])
    for indicator in indicators.values():
        spec = METHODS.get(indicator.method)
        guide.append(
            [
                safe_cell(indicator.code),
                safe_cell(indicator.name),
                spec.label if spec else indicator.method,
                safe_cell(leaf.field_hint(indicator)),
                safe_cell(indicator.standard),
            ]
        )
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 30
    guide.column_dimensions["D"].width = 30
    guide.column_dimensions["E"].width = 60


# -- upload -------------------------------------------------------------------------


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_blank: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Planned:
    slot: Slot
    entry: Entry | None
    values: dict[str, Any]
    row: int


def _code(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip().upper()


def import_workbook(
    user: User,
    period: CollectionPeriod,
    upload: Any,
    *,
    now: datetime | None = None,
) -> ImportReport:
    """Validate every row, then write all of them or none."""
    ensure_can_enter(user, period)
    department = user.organization
    now = now or timezone.now()
    report = ImportReport()
    try:
        table = read_upload(upload, REQUIRED, OPTIONAL, limits=LARGE_LIMITS)
    except SpreadsheetError as error:
        report.errors.append(RowError(0, "", str(error)))
        return report
    report.errors.extend(table.errors)

    slots = {
        (s.indicator.code.upper(), s.unit.code.upper()): s
        for s in department_slots(period, department)
    }
    scheme_indicators = {
        code.upper(): (owner_id, kind_period)
        for code, owner_id, kind_period in Indicator.objects.filter(
            scheme_id=period.scheme_id
        ).values_list("code", "owner_id", "period")
    }
    unit_codes = {c.upper() for c in Organization.objects.values_list("code", flat=True)}
    entries = {
        (e.indicator_id, e.unit_id): e
        for e in Entry.objects.filter(period=period, department=department).order_by()
    }
    window_open = period.accepts_entries_from(department.pk, now)
    share = period.scheme.heavy_deduction_share
    seen: dict[tuple[str, str], int] = {}
    planned: list[_Planned] = []
    errors = report.errors

    for number, row in table.rows:
        ind_code, unit_code = _code(row.get(COL_INDICATOR)), _code(row.get(COL_UNIT))
        if not ind_code or not unit_code:
            column = COL_INDICATOR if not ind_code else COL_UNIT
            errors.append(RowError(number, column, _("请填写%(c)s") % {"c": column}))
            continue
        key = (ind_code, unit_code)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    f"{COL_UNIT}、{COL_INDICATOR}",
                    _("与第 %(n)d 行重复（同一单位同一指标）") % {"n": seen[key]},
                )
            )
            continue
        seen[key] = number
        slot = slots.get(key)
        if slot is None:
            errors.append(
                _why_not(
                    number, ind_code, unit_code, scheme_indicators, unit_codes, department, period
                )
            )
            continue
        raw = {column: row.get(header) for column, header in COLUMN_OF.items()}
        reason = str(row.get(COL_REASON) or "").strip()
        if all(v in (None, "") for v in raw.values()) and not reason:
            report.skipped_blank += 1
            continue
        outcome = leaf.evaluate(
            slot.indicator, slot.points, slot.staffing, raw, heavy_share=share, reason=reason
        )
        hard = [e for e in outcome.errors if e != outcome.reason_needed]
        if hard:
            errors.extend(
                RowError(number, _column_of(message, slot.indicator), message) for message in hard
            )
            continue
        values = {
            "value": outcome.values.get("value"),
            "reference": outcome.values.get("reference"),
            "grade": outcome.values.get("grade") or "",
            "score": outcome.score,
            "reason": reason,
        }
        entry = entries.get(slot.key)
        if entry is not None and _unchanged(entry, values):
            report.unchanged += 1
            continue
        if entry is not None and entry.status not in EDITABLE:
            errors.append(
                RowError(
                    number,
                    COL_STATUS,
                    _("该数据处于“%(s)s”状态，不能通过导入修改。")
                    % {"s": entry.get_status_display()},
                )
            )
            continue
        if not window_open and (entry is None or entry.status != EntryStatus.RETURNED):
            errors.append(RowError(number, _("整行"), _("已过填报截止时间，不能再导入。")))
            continue
        version = row.get(COL_VERSION)
        if entry is not None and version not in (None, "") and _code(version) != str(entry.version):
            errors.append(
                RowError(
                    number, COL_VERSION, _("下载模板后该数据已被他人修改，请重新下载模板后再填写。")
                )
            )
            continue
        planned.append(_Planned(slot, entry, values, number))

    if errors:
        report.errors = sorted(errors, key=lambda e: e.row)
        return report
    if planned:
        try:
            _write(user, period, planned, report, now, _fingerprint(upload))
        except _Abort:
            report.created = report.updated = 0
    return report


def _fingerprint(upload: Any) -> str:
    try:
        upload.seek(0)
        return hashlib.sha256(upload.read()).hexdigest()
    except (AttributeError, OSError, ValueError):
        return ""


def _unchanged(entry: Entry, values: dict[str, Any]) -> bool:
    for key, value in values.items():
        current = getattr(entry, key)
        if (current if current is not None else "") != (value if value is not None else ""):
            return False
    return True


def _column_of(message: str, indicator: Indicator) -> str:
    """The template column a value error is about, so the error table never leaves 列
    empty: the input field the message names ("“目标值”必须大于0" -> 基准值), else the
    indicator's only input column, else 分值 / 编制数 for what the row cannot fix."""
    fields = leaf.input_fields(indicator)
    for f in fields:
        if f"“{f.label}”" in message:
            return str(leaf.COLUMN_LABELS[f.column])
    if "分值" in message:
        return COL_POINTS
    if "编制数" in message:
        return _("编制数（单位信息）")
    if len(fields) == 1:
        return str(leaf.COLUMN_LABELS[fields[0].column])
    return "、".join(str(leaf.COLUMN_LABELS[f.column]) for f in fields) or COL_METHOD


def _why_not(
    number: int,
    ind_code: str,
    unit_code: str,
    scheme_indicators: Mapping[str, tuple[int | None, str]],
    unit_codes: set[str],
    department: Organization,
    period: CollectionPeriod,
) -> RowError:
    known = scheme_indicators.get(ind_code)
    if known is None:
        return RowError(number, COL_INDICATOR, _("未知的指标编码“%(c)s”") % {"c": ind_code})
    owner_id, kind = known
    if owner_id != department.pk:
        return RowError(
            number, COL_INDICATOR, _("指标“%(c)s”不由本单位负责，不能导入") % {"c": ind_code}
        )
    if kind != period.kind:
        return RowError(number, COL_INDICATOR, _("指标“%(c)s”不在本周期采集") % {"c": ind_code})
    if unit_code not in unit_codes:
        return RowError(number, COL_UNIT, _("未知的单位编码“%(c)s”") % {"c": unit_code})
    return RowError(
        number,
        COL_UNIT,
        _("单位“%(u)s”不在指标“%(c)s”的考核范围内") % {"u": unit_code, "c": ind_code},
    )


def _write(
    user: User,
    period: CollectionPeriod,
    planned: Sequence[_Planned],
    report: ImportReport,
    now: datetime,
    fingerprint: str,
) -> None:
    reason = _("Excel 导入") + (f"（SHA-256 {fingerprint[:16]}）" if fingerprint else "")
    with transaction.atomic():
        creates = [p for p in planned if p.entry is None]
        updates = [p for p in planned if p.entry is not None]
        # Lock what we change and make sure nobody saved it since we read it.
        if updates:
            ids = [p.entry.pk for p in updates if p.entry is not None]
            # Only the entries' own rows (the default ordering would join, and so lock,
            # the period, indicator and unit rows every other save's key checks need),
            # in one order for every writer.
            current = dict(
                Entry.objects.select_for_update(of=("self",))
                .filter(pk__in=ids)
                .order_by("pk")
                .values_list("pk", "version")
            )
            moved = [
                p
                for p in updates
                if p.entry is not None and current.get(p.entry.pk) != p.entry.version
            ]
            if moved:
                report.errors = [
                    RowError(p.row, COL_VERSION, _("导入期间该数据已被他人修改，请重新上传。"))
                    for p in moved
                ]
                raise _Abort
        # New entries and every audit row go in as plain rows (COPY on PostgreSQL):
        # building 200,000 model instances would cost more than storing them.
        entry_rows = [
            {
                "period_id": period.pk,
                "indicator_id": p.slot.indicator.pk,
                "unit_id": p.slot.unit.pk,
                "department_id": user.organization_id,
                "entered_by_id": user.pk,
                "entered_at": now,
                "status": EntryStatus.DRAFT,
                **p.values,
            }
            for p in creates
        ]
        created_ids = bulk.insert_rows(Entry, entry_rows)
        changed = []
        template = build_event(AuditAction.IMPORT, period, reason=reason)
        common = {
            "at": now,
            "actor_id": template.actor_id,
            "actor_name": template.actor_name,
            "organization_name": template.organization_name,
            "ip_address": template.ip_address,
            "action": AuditAction.IMPORT,
            "object_type": Entry._meta.label_lower,
            "reason": reason,
        }
        events: list[dict[str, Any]] = []
        for p in updates:
            entry = p.entry
            assert entry is not None
            before = {k: jsonable(getattr(entry, k)) for k in ENTRY_FIELDS}
            for key, value in p.values.items():
                setattr(entry, key, value)
            entry.entered_by, entry.entered_at, entry.updated_at = user, now, now
            entry.version += 1
            changed.append(entry)
            after = {k: jsonable(getattr(entry, k)) for k in ENTRY_FIELDS}
            diff = [k for k in ENTRY_FIELDS if before[k] != after[k]]
            events.append(
                {
                    **common,
                    "object_id": str(entry.pk),
                    "object_repr": f"{period.code} · {p.slot.indicator.code} · {p.slot.unit.code}",
                    "before": {k: before[k] for k in diff},
                    "after": {k: after[k] for k in diff},
                }
            )
        bulk.update(
            Entry, changed, [*ENTRY_FIELDS, "entered_by", "entered_at", "version", "updated_at"]
        )
        for pk, p, row in zip(created_ids, creates, entry_rows, strict=True):
            events.append(
                {
                    **common,
                    "object_id": str(pk),
                    "object_repr": f"{period.code} · {p.slot.indicator.code} · {p.slot.unit.code}",
                    "before": None,
                    "after": {k: jsonable(row[k]) for k in ENTRY_FIELDS},
                }
            )
        summary = build_event(
            AuditAction.IMPORT,
            period,
            after={
                "department": user.organization.code,
                "created": len(creates),
                "updated": len(changed),
                "sha256": fingerprint,
            },
            reason=reason,
        )
        # COPY on PostgreSQL: the province-scale upload writes 100,000 audit rows.
        record_rows([*events, event_row(summary)])
        hooks.announce_saved([e.pk for e in changed] + list(created_ids))
    report.created = len(creates)
    report.updated = len(changed)


class _Abort(Exception):
    pass
