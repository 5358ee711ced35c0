"""The quarterly observation report per unit, and the office's overview of a quarter.

Only submitted observations count. Figures are gathered in a fixed number of queries
whatever the number of observations; the page, the Excel workbook (through
`core/excel.py`'s escaping) and the PDF (scoring's embedded Chinese fonts) read the
same `UnitReport`.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django.db.models import Avg, Count, Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.excel import XLSX_CONTENT_TYPE, safe_cell, workbook_response_bytes
from jixiao.observers.models import Observation, Rating
from jixiao.org.models import Organization
from jixiao.scoring.exports import _esc, _register_fonts, _styles

EXCERPT_LENGTH = 80
# How many excerpts the report quotes (the newest first).
MAX_EXCERPTS = 20


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def average(value: float | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Excerpt:
    date: str
    point: str
    observer: str
    rating: str
    text: str


@dataclass
class UnitReport:
    unit: Organization
    year: int
    quarter: int
    count: int = 0
    average: Decimal | None = None
    by_rating: list[tuple[str, int]] = field(default_factory=list)
    by_point: list[tuple[str, int, Decimal | None]] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("%(unit)s %(year)d 年第 %(q)d 季度观察报告") % {
            "unit": self.unit.name,
            "year": self.year,
            "q": self.quarter,
        }


def current_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def unit_report(unit: Organization, year: int, quarter: int) -> UnitReport:
    """Three queries: totals, per point, the newest excerpts."""
    rows = Observation.objects.submitted().in_quarter(year, quarter).filter(unit=unit)
    report = UnitReport(unit, year, quarter)
    counts = Counter(dict(rows.values_list("rating").annotate(n=Count("id")).order_by()))
    report.count = sum(counts.values())
    if report.count:
        report.average = average(sum(r * n for r, n in counts.items()) / report.count)
    report.by_rating = [(str(label), counts.get(value, 0)) for value, label in Rating.choices]
    for name, n, avg in (
        rows.values_list("point__name")
        .annotate(n=Count("id"), avg=Avg("rating"))
        .order_by("point__name")
    ):
        report.by_point.append((name or _("（未指定观测点）"), n, average(avg)))
    for o in rows.select_related("point", "observer").order_by("-observed_on", "-id")[
        :MAX_EXCERPTS
    ]:
        report.excerpts.append(
            Excerpt(
                date=f"{o.observed_on:%Y-%m-%d}",
                point=o.point.name if o.point else "—",
                observer=o.observer.display_name,
                rating=o.get_rating_display(),
                text=excerpt(o.text),
            )
        )
    return report


@dataclass
class OverviewRow:
    unit_id: int
    unit: str
    count: int
    average: Decimal | None
    dissatisfied: int  # 不太满意 or 不满意


def overview(year: int, quarter: int) -> list[OverviewRow]:
    """One row per unit that was observed in the quarter: one query."""
    rows: QuerySet[Observation] = Observation.objects.submitted().in_quarter(year, quarter)
    result = [
        OverviewRow(uid, name, n, average(avg), low)
        for uid, name, n, avg, low in rows.values_list("unit_id", "unit__name")
        .annotate(
            n=Count("id"),
            avg=Avg("rating"),
            low=Count("id", filter=Q(rating__lte=Rating.DISSATISFIED)),
        )
        .order_by("unit__code")
    ]
    return result


def _filename(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def report_xlsx(report: UnitReport) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("观察报告")
    sheet.append([safe_cell(report.title)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_("观察次数"), report.count])
    sheet.append([_("平均评价（5 分为满意）"), float(report.average) if report.average else None])
    sheet.append([])
    sheet.append([_("评价"), _("次数")])
    for label, n in report.by_rating:
        sheet.append([label, n])
    sheet.append([])
    sheet.append([_("观测点"), _("次数"), _("平均评价")])
    for name, n, avg in report.by_point:
        sheet.append([safe_cell(name), n, float(avg) if avg is not None else None])
    sheet.append([])
    sheet.append([_("观察日期"), _("观测点"), _("观察员"), _("评价"), _("意见摘要")])
    for e in report.excerpts:
        sheet.append(
            [e.date, safe_cell(e.point), safe_cell(e.observer), e.rating, safe_cell(e.text)]
        )
    record(
        AuditAction.EXPORT,
        report.unit,
        after={"format": "xlsx", "what": report.title, "rows": report.count},
    )
    response = HttpResponse(workbook_response_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    return _filename(response, f"{report.title}.xlsx")


def report_pdf_bytes(report: UnitReport) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        initialFontName=_register_fonts(),
        title=report.title,
        author="机关绩效考核信息系统",
    )
    cell = styles["cell"]

    def table(rows: list[list[str]], widths: list[float]) -> Table:
        t = Table(
            [[Paragraph(_esc(c), cell) for c in row] for row in rows],
            colWidths=[w * mm for w in widths],
            repeatRows=1,
        )
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    avg = str(report.average) if report.average is not None else "—"
    story: list[object] = [
        Paragraph(_esc(report.title), styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            _esc(
                _("观察次数 %(n)d 次；平均评价 %(a)s（5 分为满意）") % {"n": report.count, "a": avg}
            ),
            styles["sub"],
        ),
        Paragraph(_esc(_("评价分布")), styles["h"]),
        table([[_("评价"), _("次数")], *[[k, str(n)] for k, n in report.by_rating]], [60, 30]),
        Paragraph(_esc(_("观测点")), styles["h"]),
        table(
            [
                [_("观测点"), _("次数"), _("平均评价")],
                *[[k, str(n), str(a) if a is not None else "—"] for k, n, a in report.by_point],
            ],
            [90, 30, 30],
        ),
        Paragraph(_esc(_("观察意见摘要")), styles["h"]),
        table(
            [
                [_("日期"), _("观测点"), _("观察员"), _("评价"), _("意见摘要")],
                *[[e.date, e.point, e.observer, e.rating, e.text] for e in report.excerpts],
            ],
            [22, 32, 20, 18, 88],
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            _esc(_("打印时间 %(t)s") % {"t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}),
            styles["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def report_pdf(report: UnitReport) -> HttpResponse:
    data = report_pdf_bytes(report)
    record(AuditAction.EXPORT, report.unit, after={"format": "pdf", "what": report.title})
    return _filename(HttpResponse(data, content_type="application/pdf"), f"{report.title}.pdf")


def overview_xlsx(year: int, quarter: int, rows: list[OverviewRow]) -> HttpResponse:
    title = _("%(year)d 年第 %(q)d 季度观察概况") % {"year": year, "q": quarter}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("观察概况")
    sheet.append([_("被考核单位"), _("观察次数"), _("平均评价"), _("不太满意及不满意")])
    for c in sheet[1]:
        c.font = Font(bold=True)
    for r in rows:
        sheet.append(
            [safe_cell(r.unit), r.count, float(r.average) if r.average else None, r.dissatisfied]
        )
    record(AuditAction.EXPORT, None, after={"format": "xlsx", "what": title, "rows": len(rows)})
    response = HttpResponse(workbook_response_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    return _filename(response, f"{title}.xlsx")
