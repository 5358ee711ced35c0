"""The monitoring app's long jobs: the monthly report as Excel or PDF. Each runs as the
job's owner, whose access is checked again here (units: published months only)."""

from __future__ import annotations

import io
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.excel import safe_row, workbook_response_bytes
from jixiao.core.jobs import JobError, JobOutput, Report, job_kind
from jixiao.core.models import Job
from jixiao.monitoring import report as report_module
from jixiao.monitoring.access import READERS, scheme_of_year
from jixiao.monitoring.models import MonthlyReport
from jixiao.scoring.exports import _esc, _register_fonts, _styles

REPORT_XLSX = "monitoring.report_xlsx"
REPORT_PDF = "monitoring.report_pdf"


def headers() -> list[str]:
    return [
        _("类别"),
        _("名次"),
        _("单位"),
        _("月度得分"),
        _("同比增幅（%）"),
        _("绩效进度（%）"),
        _("时序进度（%）"),
        _("增值贡献率（%）"),
    ]


def _rows(job: Job) -> tuple[list[dict[str, Any]], int, int]:
    try:
        scheme = scheme_of_year(job.params.get("year"))
    except Http404:
        raise JobError(_("考核年度不存在。")) from None
    month = int(job.params.get("month", 0))
    published = MonthlyReport.objects.filter(year=scheme.year, month=month).first()
    if published is not None:
        rows = published.rows
    elif job.owner.role in READERS:
        rows = report_module.compute(scheme, month)
    else:
        raise JobError(_("这个月的评估报告尚未发布。"))
    if job.owner.role == Role.UNIT and published is None:
        raise JobError(_("这个月的评估报告尚未发布。"))
    return rows, scheme.year.year, month


def _line(row: dict[str, Any]) -> list[Any]:
    return [
        row["category_name"],
        row["rank"] or "—",
        row["unit"],
        row["score"] or "—",
        row["growth"] or "—",
        row["progress"] or "—",
        row["schedule"] or "—",
        row["contribution"] or "—",
    ]


@job_kind(REPORT_XLSX)
def report_xlsx(job: Job, report: Report) -> JobOutput:
    rows, year, month = _rows(job)
    report(20, _("正在汇总 %(n)d 个单位……") % {"n": len(rows)})
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{month}月"
    sheet.append(safe_row(headers()))
    for row in rows:
        sheet.append(safe_row(_line(row)))
    record(
        AuditAction.EXPORT,
        object_type="monitoring.monthlyreport",
        object_id=f"{year}-{month}",
        object_repr=f"{year}年{month}月绩效评估报告",
        after={"format": "xlsx"},
    )
    return JobOutput(
        content=workbook_response_bytes(workbook),
        filename=f"绩效评估报告-{year}-{month:02d}.xlsx",
        message=_("已导出评估报告。"),
    )


@job_kind(REPORT_PDF)
def report_pdf(job: Job, report: Report) -> JobOutput:
    rows, year, month = _rows(job)
    report(20, _("正在排版 %(n)d 个单位……") % {"n": len(rows)})
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        initialFontName=_register_fonts(),
        title=f"{year}年{month}月绩效评估报告",
    )
    table = Table(
        [[Paragraph(_esc(h), styles["label"]) for h in headers()]]
        + [[Paragraph(_esc(c), styles["cell"]) for c in _line(r)] for r in rows],
        repeatRows=1,
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]))
    title = _("%(y)d年%(m)d月绩效评估报告") % {"y": year, "m": month}
    doc.build([Paragraph(_esc(title), styles["title"]), table])
    record(
        AuditAction.EXPORT,
        object_type="monitoring.monthlyreport",
        object_id=f"{year}-{month}",
        object_repr=title,
        after={"format": "pdf"},
    )
    return JobOutput(
        content=buffer.getvalue(),
        filename=f"绩效评估报告-{year}-{month:02d}.pdf",
        message=_("已生成评估报告 PDF。"),
    )
