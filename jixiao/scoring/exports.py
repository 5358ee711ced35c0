"""Exports of a run: an Excel workbook of all results, and PDF report cards (成绩单).

PDFs embed Noto Sans SC (SIL Open Font License; `settings.PDF_FONTS`, installed from
npm): reportlab subsets it, so a card carries only the glyphs it uses (about 15 KB) and
renders the same in every viewer, with or without Chinese fonts on the reader's machine.
The fonts are registered once per process.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.excel import (
    XLSX_CONTENT_TYPE,
    safe_cell,
    sheet_title,
    workbook_response_bytes,
)
from jixiao.scoring.models import (
    GapAcknowledgement,
    GapKind,
    RunCategory,
    ScoreRun,
    UnitResult,
)
from jixiao.scoring.outcomes import Payout, payouts
from jixiao.scoring.payouts import category_payouts
from jixiao.scoring.views_support import Card, card_for, fixed, kind_label

KINDS = ("common", "individual", "evaluation", "bonus_penalty")


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# Excel -----------------------------------------------------------------------------------


def results_workbook(run: ScoreRun) -> Workbook:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = _("成绩汇总")
    header = [
        _("类别"),
        _("名次"),
        _("单位编码"),
        _("单位名称"),
        _("总分"),
        _("等次"),
        _("奖项"),
        _("预警"),
    ]
    header += [kind_label(k) for k in KINDS] + [_("上年总分"), _("上年名次"), _("缺报指标")]
    header += [_("考核系数"), _("奖励金额（元）")]
    categories = list(RunCategory.objects.filter(run=run).select_related("category").defer("data"))
    summary.append(header)
    for cell in summary[1]:
        cell.font = Font(bold=True)
    rows = list(
        UnitResult.objects.filter(run=run)
        .order_by("run_category__category__sort_order", "run_category__category__code", "position")
        .values_list(
            "run_category__category__name",
            "rank",
            "unit__code",
            "unit__name",
            "total",
            "grade",
            "awards",
            "warnings",
            "subtotals",
            "last_total",
            "last_rank",
            "missing",
            "run_category_id",
            "scores",
        )
    )
    # 考核系数 and award amounts per category, from the rules stored with the run.
    amounts: dict[int, dict[str, Payout]] = {}
    for rc_row in categories:
        members = [(r[2], r[5], r[1]) for r in rows if r[12] == rc_row.pk]
        amounts[rc_row.pk] = payouts(rc_row.rules, members, rc_row.category.code)
    # What the office said when it published with a unit's figure missing or in review.
    notes: dict[tuple[str, str], str] = {
        (unit, code): f"{GapKind(kind).label}：{reason}"
        for unit, code, kind, reason in GapAcknowledgement.objects.filter(run=run).values_list(
            "unit__code", "indicator_code", "kind", "reason"
        )
    }
    gap_codes: dict[str, list[str]] = {}
    for unit, code in sorted(notes):
        gap_codes.setdefault(unit, []).append(code)
    per_category: dict[int, list[tuple[str, str, list[int]]]] = {}
    for name, rank, code, unit, total, grade, awards, warnings, subs, lt, lr, miss, rc, sc in rows:
        payout = amounts.get(rc, {}).get(code)
        summary.append(
            [
                safe_cell(name),
                rank,
                safe_cell(code),
                safe_cell(unit),
                total,
                safe_cell(grade),
                safe_cell("、".join(a[0] for a in awards)),
                safe_cell("；".join(w[1] for w in warnings)),
                *[Decimal(subs[k]) if k in subs else None for k in KINDS],
                lt,
                lr,
                safe_cell(
                    "、".join(
                        f"{c}（{notes[(code, c)]}）" if (code, c) in notes else c
                        for c in [*miss, *(g for g in gap_codes.get(code, []) if g not in miss)]
                    )
                ),
                payout.coefficient if payout else None,
                payout.amount if payout else None,
            ]
        )
        per_category.setdefault(rc, []).append((code, unit, sc))
    for rc in categories:
        sheet = workbook.create_sheet(title=sheet_title(rc.category.name, rc.category.code))
        names = {n["code"]: n["name"] for n in rc.tree["nodes"]}
        sheet.append([_("单位编码"), _("单位名称"), *[safe_cell(c) for c in rc.node_codes]])
        sheet.append(["", "", *[safe_cell(names.get(c, c)) for c in rc.node_codes]])
        for cell in (*sheet[1], *sheet[2]):
            cell.font = Font(bold=True)
        for code, unit, scores in per_category.get(rc.pk, []):
            sheet.append([safe_cell(code), safe_cell(unit), *[fixed(s) for s in scores]])
    return workbook


def export_xlsx(run: ScoreRun) -> tuple[bytes, str]:
    """The results workbook and its file name; the export is audited."""
    data = workbook_response_bytes(results_workbook(run))
    record(AuditAction.EXPORT, run, after={"format": "xlsx", "units": run.unit_count})
    return data, _("考核结果-%(year)s-第%(number)s版.xlsx") % {
        "year": run.year.year,
        "number": run.number,
    }


def xlsx_response(run: ScoreRun) -> HttpResponse:
    data, filename = export_xlsx(run)
    return _attachment(HttpResponse(data, content_type=XLSX_CONTENT_TYPE), filename)


# PDF -----------------------------------------------------------------------------------------


FONT = "NotoSansSC"
FONT_BOLD = "NotoSansSC-Bold"
_FONT_LOCK = threading.Lock()


def _register_fonts() -> str:
    """Register the embedded fonts once per process; returns the regular font's name."""
    with _FONT_LOCK:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(settings.PDF_FONTS["regular"])))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(settings.PDF_FONTS["bold"])))
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
            )
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _register_fonts()
    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16, leading=22, alignment=1),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=9, leading=13, alignment=1),
        "h": ParagraphStyle("h", fontName=FONT_BOLD, fontSize=11, leading=16, spaceBefore=6),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10.5),
        "label": ParagraphStyle("label", fontName=FONT_BOLD, fontSize=8, leading=10.5),
        "small": ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10),
    }


def _esc(text: object) -> str:
    text = str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _num(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return format(value.normalize(), "f") if value else "0"


def card_story(
    card: Card,
    run: ScoreRun,
    styles: dict[str, ParagraphStyle],
    payout: Payout | None = None,
) -> list[object]:
    result = card.result
    category = result.run_category.category
    story: list[object] = [
        Paragraph(
            _esc(_("%(year)s 年度绩效考核成绩单") % {"year": run.year.year}), styles["title"]
        ),
        Paragraph(
            _esc(
                _("%(unit)s　%(category)s（满分 %(scale)s）　第 %(number)s 版（%(status)s）")
                % {
                    "unit": result.unit.name,
                    "category": category.name,
                    "scale": _num(result.run_category.scale),
                    "number": run.number,
                    "status": run.get_status_display(),
                }
            ),
            styles["sub"],
        ),
        Spacer(1, 4 * mm),
    ]
    awards = "、".join(a[0] for a in result.awards) or "-"
    warnings = "；".join(w[1] for w in result.warnings) or "-"
    last = (
        _("%(total)s 分，第 %(rank)s 名")
        % {"total": _num(result.last_total), "rank": result.last_rank}
        if result.last_total is not None
        else "-"
    )
    head = [
        [_("总分"), str(result.total), _("名次"), f"{result.rank} / {result.units_in_category}"],
        [_("等次"), result.grade or "-", _("上年"), last],
        [_("奖项"), awards, _("预警"), warnings],
    ]
    if payout is not None:
        head.append(
            [
                _("考核系数"),
                _num(payout.coefficient),
                _("奖励金额"),
                _("%(amount)s 元") % {"amount": payout.amount},
            ]
        )
    labelled = len(head) - 1
    head += [[label, _num(value), "", ""] for label, value in card.subtotals]
    table = Table(
        [
            [
                Paragraph(_esc(c), styles["label" if i in (0, 2) else "cell"])
                for i, c in enumerate(row)
            ]
            for row in head
        ],
        colWidths=[22 * mm, 60 * mm, 22 * mm, 76 * mm],
        splitInRow=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f7")),
                ("BACKGROUND", (2, 0), (2, labelled), colors.HexColor("#eef2f7")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm), Paragraph(_("指标得分明细"), styles["h"])]
    rows = [
        [
            Paragraph(_esc(h), styles["label"])
            for h in (_("编码"), _("指标"), _("分值"), _("得分"), _("失分"), _("计分说明"))
        ]
    ]
    for line in card.lines:
        indent = "　" * (line.level - 1)
        explanation = line.formula if line.is_leaf else ""
        if line.reason:
            explanation = f"{explanation}；{line.reason}" if explanation else line.reason
        rows.append(
            [
                Paragraph(_esc(line.code), styles["small"]),
                Paragraph(_esc(indent + line.name), styles["cell"]),
                Paragraph(_num(line.points), styles["cell"]),
                Paragraph(_num(line.score), styles["cell"]),
                Paragraph(_num(line.lost) if line.lost else "", styles["cell"]),
                Paragraph(_esc(explanation), styles["small"]),
            ]
        )
    detail = Table(
        rows,
        colWidths=[16 * mm, 48 * mm, 14 * mm, 16 * mm, 16 * mm, 70 * mm],
        repeatRows=1,
        splitInRow=1,
    )
    detail.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(detail)
    return story


Progress = Callable[[float], None]


class _Drawn(Flowable):
    """An invisible mark after each card: reports how far the drawing has got."""

    def __init__(self, progress: Progress, fraction: float) -> None:
        super().__init__()
        self.progress, self.fraction = progress, fraction

    def wrap(self, *args: object) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        self.progress(self.fraction)


def cards_pdf(
    run: ScoreRun, results: Sequence[UnitResult], progress: Progress | None = None
) -> bytes:
    """The cards as one PDF. `progress(fraction)` is told how far it has got (0–1):
    gathering each card's figures is the first half, drawing the pages the second."""
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        initialFontName=_register_fonts(),  # no stray non-embedded Helvetica
        title=_("%(year)s 年度绩效考核成绩单") % {"year": run.year.year},
        author=_("机关绩效考核信息系统"),
    )
    story: list[object] = []
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    amounts: dict[int, dict[str, Payout]] = {}
    for i, result in enumerate(results):
        if i:
            story.append(PageBreak())
        rc = result.run_category
        if rc.pk not in amounts:
            amounts[rc.pk] = category_payouts(rc.pk, rc.rules, rc.category.code)
        payout = amounts[rc.pk].get(result.unit.code)
        story.extend(card_story(card_for(result), run, styles, payout))
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(_esc(_("打印时间 %(time)s") % {"time": printed}), styles["small"]))
        if progress is not None:
            progress(0.5 * (i + 1) / len(results))
            story.append(_Drawn(progress, 0.5 + 0.5 * (i + 1) / len(results)))
    doc.build(story)
    return buffer.getvalue()


def export_cards_pdf(
    run: ScoreRun, results: Sequence[UnitResult], progress: Progress | None = None
) -> bytes:
    """The cards as one PDF; the export is audited."""
    data = cards_pdf(run, results, progress)
    record(AuditAction.EXPORT, run, after={"format": "pdf", "cards": len(results)})
    return data


def cards_pdf_response(run: ScoreRun, results: Sequence[UnitResult], name: str) -> HttpResponse:
    data = export_cards_pdf(run, results)
    response = HttpResponse(data, content_type="application/pdf")
    return _attachment(response, f"{name}.pdf")
