"""Spot-check results per data department: accuracy, corrections, points changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.excel import XLSX_CONTENT_TYPE, safe_cell, workbook_response_bytes
from jixiao.verification.models import CorrectionStatus, ItemStatus, SpotCheck, SpotCheckItem


@dataclass
class DepartmentResult:
    department: str
    drawn: int = 0
    checked: int = 0
    accurate: int = 0
    inaccurate: int = 0
    corrections: int = 0  # confirmed by the office
    points_changed: Decimal = Decimal(0)

    @property
    def accuracy(self) -> Decimal | None:
        """属实 share of the checked entries (None before any is checked)."""
        if not self.checked:
            return None
        return (Decimal(self.accurate) / self.checked * 100).quantize(Decimal("0.1"))


def department_results(checks: QuerySet[SpotCheck]) -> list[DepartmentResult]:
    """One row per department: two queries whatever the number of entries."""
    rows = SpotCheckItem.objects.filter(spot_check__in=checks).values_list(
        "entry__department__name",
        "status",
        "correction__status",
        "correction__score_before",
        "correction__score_after",
    )
    by: dict[str, DepartmentResult] = {}
    for name, status, c_status, before, after in rows:
        r = by.setdefault(name, DepartmentResult(name))
        r.drawn += 1
        if status != ItemStatus.PENDING:
            r.checked += 1
        if status == ItemStatus.ACCURATE:
            r.accurate += 1
        elif status == ItemStatus.INACCURATE:
            r.inaccurate += 1
        if c_status == CorrectionStatus.CONFIRMED:
            r.corrections += 1
            r.points_changed += (after or 0) - (before or 0)
    return sorted(by.values(), key=lambda r: (r.accuracy is None, r.accuracy or 0, r.department))


HEADERS = [
    "数据采集单位",
    "抽查数",
    "已核验",
    "属实",
    "不属实",
    "准确率（%）",
    "确认更正",
    "分值变化",
]


def xlsx_response(checks: QuerySet[SpotCheck], title: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("核验结果")
    sheet.append([_(h) for h in HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    results = department_results(checks)
    for r in results:
        sheet.append(
            [
                safe_cell(r.department),
                r.drawn,
                r.checked,
                r.accurate,
                r.inaccurate,
                float(r.accuracy) if r.accuracy is not None else None,
                r.corrections,
                float(r.points_changed),
            ]
        )
    record(AuditAction.EXPORT, None, after={"format": "xlsx", "what": title, "rows": len(results)})
    response = HttpResponse(workbook_response_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title + '.xlsx')}"
    return response
