"""Supervision's long jobs: a month's bulletin as Excel or PDF (for 100,000 tasks the
figures are a few aggregate queries; drawing the file is what takes the time)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.jobs import JobError, JobOutput, Report, job_kind
from jixiao.core.models import Job
from jixiao.supervision import bulletin
from jixiao.supervision.access import ROLES
from jixiao.supervision.models import Bulletin

BULLETIN_XLSX = "supervision.bulletin_xlsx"
BULLETIN_PDF = "supervision.bulletin_pdf"


def _figures(job: Job) -> dict[str, Any]:
    if job.owner.role not in ROLES:
        raise JobError(_("您无权查看督查通报。"))
    try:
        year, month = int(job.params["year"]), int(job.params["month"])
    except (KeyError, TypeError, ValueError):
        raise JobError(_("通报月份不正确。")) from None
    if not 1 <= month <= 12:
        raise JobError(_("通报月份不正确。"))
    published = Bulletin.objects.filter(year=year, month=month).first()
    return published.figures if published is not None else bulletin.figures(year, month)


@job_kind(BULLETIN_XLSX)
def bulletin_xlsx(job: Job, report: Report) -> JobOutput:
    report(10, _("正在汇总……"))
    f = _figures(job)
    data = bulletin.workbook_bytes(f)
    record(AuditAction.EXPORT, None, object_type="supervision.bulletin", after={"format": "xlsx"})
    return JobOutput(
        content=data,
        filename=f"督查通报-{f['year']}-{f['month']:02d}.xlsx",
        message=_("已生成督查通报 Excel。"),
    )


@job_kind(BULLETIN_PDF)
def bulletin_pdf(job: Job, report: Report) -> JobOutput:
    report(10, _("正在汇总……"))
    f = _figures(job)
    report(50, _("正在排版……"))
    data = bulletin.pdf_bytes(f)
    record(AuditAction.EXPORT, None, object_type="supervision.bulletin", after={"format": "pdf"})
    return JobOutput(
        content=data,
        filename=f"督查通报-{f['year']}-{f['month']:02d}.pdf",
        message=_("已生成督查通报 PDF。"),
    )
