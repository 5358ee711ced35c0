"""The grid's rows and its live score cell, rendered in Python.

The data-entry grid is the page every department reloads after each save on a deadline
day. Rendered with template tags, its rows took about a third of the page's CPU (a dozen
nodes per cell, two includes and two URL reversals per row); built here with
`format_html`, which escapes every value the same way, they cost about a third of that
(bench/load/README.md). The markup is the template's: core/grid.js and
collection/workspace.js read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from jixiao.collection.models import EntryStatus
from jixiao.collection.templatetags.collection_tags import num
from jixiao.scoring.labels import engine_formula

if TYPE_CHECKING:
    from jixiao.collection import leaf
    from jixiao.collection.views.workspace import Cell, GridRow


def score_html(outcome: leaf.Outcome | None, points: Any, blank: bool) -> SafeString:
    """What the score cell shows for these inputs (the grid and its htmx preview)."""
    if outcome is None:
        if blank:
            return SafeString()
        return format_html('<span class="text-secondary small">{}</span>', "—")
    if outcome.relative:
        return format_html(
            '<span class="text-secondary small">{}</span>', _("排名类指标在计分时计算")
        )
    if outcome.errors and outcome.errors[0] != outcome.reason_needed:
        return format_html('<span class="text-danger small">{}</span>', "；".join(outcome.errors))
    if outcome.score is not None:
        parts = [format_html('<span class="jx-score">{}</span>', num(outcome.score))]
        if points:
            parts.append(format_html('<small class="text-secondary"> / {}</small>', num(points)))
        parts.append(
            format_html('<span class="jx-score-hint">{}</span>', engine_formula(outcome.formula))
        )
        if outcome.reason_needed in outcome.errors:
            parts.append(
                format_html(
                    '<span class="jx-score-hint text-warning-emphasis">{}</span>',
                    outcome.reason_needed,
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))
    if not outcome.complete:
        return format_html('<span class="text-secondary small">{}</span>', _("待填写完整"))
    return SafeString()


def rows_html(rows: Iterable[GridRow], period_id: int, indicator_id: int) -> SafeString:
    preview = reverse("collection:preview", args=[period_id])
    # One reversal for every row's link: the entry's pk is the only part that varies.
    detail = reverse("collection:entry_detail", args=[0]).replace("/0/", "/{}/")
    texts = {
        "reason": _("计分说明"),
        "saved": _("当前已保存的值"),
        "returned": _("退回意见"),
        "blank": _("未填报"),
        "evidence": _("详情与佐证材料"),
    }
    lines = format_html_join(
        "\n", "{}", ((_row(r, preview, detail, indicator_id, texts),) for r in rows)
    )
    return format_html("{}\n", lines)


GRADE_INPUT = (
    '<td><input class="form-control" name="{}" value="{}" data-col="{}" list="grades" '
    'maxlength="8" aria-label="{} {}" {}>\n</td>'
)
NUMBER_INPUT = (
    '<td><input class="form-control num" name="{}" value="{}" inputmode="decimal" '
    'data-col="{}" aria-label="{} {}" {}></td>'
)


def _cell(number: int, cell: Cell, unit_name: str, off: str) -> SafeString:
    template = GRADE_INPUT if cell.field.type == "grade" else NUMBER_INPUT
    return format_html(template, cell.name, cell.text, number, unit_name, cell.field.label, off)


def _row(
    row: GridRow, preview: str, detail: str, indicator_id: int, texts: dict[str, str]
) -> SafeString:
    unit = row.slot.unit
    pk, name, off = unit.pk, unit.name, "" if row.editable else "disabled"
    classes = ("has-error" if row.errors or row.conflict else "") + (
        " is-missing" if row.missing else ""
    )
    htmx = (
        format_html(
            'hx-get="{}?indicator={}&unit={}" hx-trigger="input delay:300ms" '
            'hx-include="#row-{} input, #row-{} textarea" hx-target="#score-{}"',
            preview,
            indicator_id,
            pk,
            pk,
            pk,
            pk,
        )
        if row.editable
        else ""
    )
    cells = format_html_join(
        "", "{}", ((_cell(n, c, name, off),) for n, c in enumerate(row.cells, start=1))
    )
    entry = row.entry
    notes = format_html_join("\n", '<div class="errorlist">{}</div>', ((e,) for e in row.errors))
    if row.conflict:
        saved = ""
        if entry is not None:
            shown = [localize(v) if v is not None else "" for v in (entry.value, entry.reference)]
            saved = format_html(" {}：{} {} {}", texts["saved"], *shown, entry.grade)
        notes += format_html('\n<div class="errorlist">{}{}</div>', row.conflict, saved)
    notes += format_html_join(
        "",
        '\n<div class="small text-warning-emphasis"><i class="bi bi-exclamation-triangle"></i> '
        "{}</div>",
        ((n,) for n in row.notes),
    )
    if entry is not None and entry.review_comment and entry.status == EntryStatus.RETURNED:
        notes += format_html(
            '\n<div class="small text-danger">{}：{}</div>', texts["returned"], entry.review_comment
        )
    if entry is not None:
        status = format_html(
            '<span class="jx-status jx-status-{}">{}</span>',
            entry.status,
            entry.get_status_display(),
        )
        link = format_html(
            '<a href="{}" title="{}"><i class="bi bi-paperclip"></i>{}</a>',
            detail.format(entry.pk),
            texts["evidence"],
            row.evidence,
        )
    else:
        status = format_html('<span class="jx-status">{}</span>', texts["blank"])
        link = SafeString()
    return format_html(
        '<tr id="row-{}" data-group="{}" class="{}" {}>\n'
        '<td class="jx-unit">{}<input type="hidden" name="{}.version" value="{}" {}></td>\n'
        '<td class="num">{}</td>\n{}\n'
        '<td id="score-{}" class="jx-score-cell" aria-live="polite">{}</td>\n'
        '<td><textarea class="form-control" name="{}.reason" data-col="reason" '
        'aria-label="{} {}" {}>{}</textarea>\n{}</td>\n'
        "<td>{}</td>\n<td>{}</td>\n</tr>",
        pk,
        row.slot.category_id,
        classes,
        htmx,
        name,
        row.prefix,
        row.version,
        off,
        num(row.slot.points),
        cells,
        pk,
        score_html(row.outcome, row.slot.points, blank=False),
        row.prefix,
        name,
        texts["reason"],
        off,
        row.reason,
        notes,
        status,
        link,
    )
