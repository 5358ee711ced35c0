"""Printable PDFs: ballot-code slips (评议票) and, for the public rating, QR sheets.

Ten slips per A4 page, each with the round, the group, a QR code of the ballot URL and
the short code for typing in. The Chinese font is the one embedded in report cards.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from django.urls import reverse
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.evaluation.models import Round
from jixiao.scoring.exports import FONT_BOLD, _register_fonts


@dataclass(frozen=True)
class Slip:
    title: str
    subtitle: str
    url: str
    code: str
    hint: str


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def slips_pdf(slips: Sequence[Slip], title: str) -> bytes:
    font = _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font)
    canvas.setTitle(title)
    width, height = A4
    cols, rows = 2, 5
    cell_w, cell_h = (width - 20 * mm) / cols, (height - 20 * mm) / rows
    for i, slip in enumerate(slips):
        if i and i % (cols * rows) == 0:
            canvas.showPage()
        col, row = i % cols, (i // cols) % rows
        x = 10 * mm + col * cell_w
        y = height - 10 * mm - (row + 1) * cell_h
        canvas.setDash(2, 2)
        canvas.rect(x, y, cell_w, cell_h)
        canvas.setDash()
        _qr(canvas, slip.url, x + 4 * mm, y + 6 * mm, cell_h - 12 * mm)
        tx = x + cell_h - 4 * mm
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(tx, y + cell_h - 12 * mm, slip.title[:22])
        canvas.setFont(font, 9)
        canvas.drawString(tx, y + cell_h - 18 * mm, slip.subtitle[:26])
        canvas.setFont(FONT_BOLD, 18)
        canvas.drawString(tx, y + cell_h / 2 - 6 * mm, slip.code)
        canvas.setFont(font, 7)
        for j, line in enumerate(slip.hint.split("\n")):
            canvas.drawString(tx, y + 12 * mm - j * 4 * mm, line[:40])
    canvas.save()
    return buffer.getvalue()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def slips_response(round_: Round, base_url: str) -> HttpResponse:
    reviewers = round_.reviewers.with_codes().filter(cast_at__isnull=True).select_related("group")
    entry_url = base_url + reverse("evaluation:code_entry")
    slips = [
        Slip(
            round_.name,
            f"{r.group.name} · {r.label}",
            base_url + reverse("evaluation:code_ballot", args=[r.code]),
            str(r.code),
            f"手机扫码评议，或访问\n{entry_url}\n输入评议码。每码仅能提交一次。",
        )
        for r in reviewers
    ]
    record(AuditAction.EXPORT, round_, after={"format": "pdf", "ballot_slips": len(slips)})
    return pdf_response(slips_pdf(slips, f"{round_.name} 评议票"), f"{round_.name}-评议票.pdf")
