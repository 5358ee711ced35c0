"""一月一通报: the month's figures, publication, and the Excel and PDF of a bulletin.

`figures(year, month, today)` is a handful of aggregate queries whatever the number of
tasks (counts by state, overdue, cards issued in the month, closed out in the month,
one row per lead unit), plain data that publication freezes into `Bulletin.figures`.
"""

from __future__ import annotations

import calendar
import io
from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.records import record_create
from jixiao.collection.notifications import notify
from jixiao.core.excel import safe_row, workbook_response_bytes
from jixiao.core.values import text_problem
from jixiao.core.workflow import TransitionRefused
from jixiao.org.models import Organization
from jixiao.supervision.models import (
    OPEN_STATES,
    Bulletin,
    Card,
    CardColor,
    SupervisionTask,
    TaskState,
)

OVERDUE_LISTED = 200


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _unit_order(row: dict[str, Any]) -> tuple[int, int, int, str]:
    return (-row["red"], -row["yellow"], -row["overdue"], row["unit"])


def figures(year: int, month: int, today: date | None = None) -> dict[str, Any]:
    """The bulletin's figures (JSON-ready: names, not ids)."""
    first, last = month_range(year, month)
    as_of = min(today or timezone.localdate(), last)
    tasks = SupervisionTask.objects.filter(year=year).exclude(state=TaskState.DRAFT)
    by_state = dict(tasks.order_by().values_list("state").annotate(n=Count("pk")))
    overdue_q = Q(state__in=OPEN_STATES, deadline__lt=as_of)
    cards = Card.objects.counted().filter(year=year, issued_on__range=(first, last))
    card_counts = dict(cards.order_by().values_list("color").annotate(n=Count("pk")))
    units: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, state, n in (
        tasks.order_by().values_list("lead_unit_id", "state").annotate(n=Count("pk"))
    ):
        units[unit_id]["tasks"] += n
        if state in OPEN_STATES:
            units[unit_id]["open"] += n
        if state == TaskState.CLOSED:
            units[unit_id]["closed"] += n
    for unit_id, n in (
        tasks.filter(overdue_q).order_by().values_list("lead_unit_id").annotate(n=Count("pk"))
    ):
        units[unit_id]["overdue"] = n
    for unit_id, color, n in (
        Card.objects.counted()
        .filter(year=year, issued_on__lte=last)
        .order_by()
        .values_list("unit_id", "color")
        .annotate(n=Count("pk"))
    ):
        units[unit_id][color] = n
    names = dict(Organization.objects.filter(pk__in=list(units)).values_list("pk", "name"))
    unit_rows = sorted(
        (
            {
                "unit": names.get(pk, ""),
                "tasks": u["tasks"],
                "open": u["open"],
                "overdue": u["overdue"],
                "closed": u["closed"],
                "red": u[CardColor.RED],
                "yellow": u[CardColor.YELLOW],
            }
            for pk, u in units.items()
        ),
        key=_unit_order,
    )
    overdue_rows = [
        {"title": t, "unit": u, "deadline": str(d), "state": str(TaskState(s).label)}
        for t, u, d, s in tasks.filter(overdue_q)
        .order_by("deadline", "pk")
        .values_list("title", "lead_unit__name", "deadline", "state")[:OVERDUE_LISTED]
    ]
    closed_rows = [
        {"title": t, "unit": u, "closed_on": str(d)}
        for t, u, d in tasks.filter(state=TaskState.CLOSED, closed_on__range=(first, last))
        .order_by("closed_on", "pk")
        .values_list("title", "lead_unit__name", "closed_on")[:OVERDUE_LISTED]
    ]
    return {
        "year": year,
        "month": month,
        "as_of": str(as_of),
        "total": sum(by_state.values()),
        "states": [
            {"state": str(label), "n": by_state.get(value, 0)}
            for value, label in TaskState.choices
            if value != TaskState.DRAFT
        ],
        "overdue": tasks.filter(overdue_q).count(),
        "new": tasks.filter(created_at__date__range=(first, last)).count(),
        "closed_in_month": tasks.filter(closed_on__range=(first, last)).count(),
        "red": card_counts.get(CardColor.RED, 0),
        "yellow": card_counts.get(CardColor.YELLOW, 0),
        "units": unit_rows,
        "overdue_rows": overdue_rows,
        "closed_rows": closed_rows,
    }


def publish(user: User, year: int, month: int, note: str = "") -> Bulletin:
    """Publish the month's bulletin (once a month): figures frozen, every unit told."""
    if user.role != Role.SUPERVISION:
        raise TransitionRefused(_("只有督查室可以发布督查通报。"))
    if not 1 <= month <= 12:
        raise TransitionRefused(_("月份不正确。"))
    if problem := text_problem(note):
        raise TransitionRefused(_("通报说明%(e)s") % {"e": problem})
    with transaction.atomic():
        if Bulletin.objects.filter(year=year, month=month).exists():
            raise TransitionRefused(_("这个月的督查通报已经发布过了。"))
        bulletin = Bulletin.objects.create(
            year=year,
            month=month,
            figures=figures(year, month),
            note=note.strip(),
            published_by=user,
        )
        record_create(bulletin)
        from django.urls import reverse

        notify(
            User.objects.filter(role__in=(Role.UNIT, Role.DEPARTMENT), is_active=True),
            _("%(y)d年%(m)d月督查通报已发布") % {"y": year, "m": month},
            reverse("supervision:bulletin", args=[year, month]),
            exclude=user,
        )
    return bulletin


def _title(f: dict[str, Any]) -> str:
    return _("%(y)d年%(m)d月督查督办通报") % {"y": f["year"], "m": f["month"]}


def workbook_bytes(f: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("概况")
    ws.append(safe_row([_title(f)]))
    ws.append(safe_row([_("统计截至"), f["as_of"]]))
    for label, key in (
        (_("事项总数"), "total"),
        (_("逾期未办结"), "overdue"),
        (_("本月新增"), "new"),
        (_("本月销号"), "closed_in_month"),
        (_("本月红牌"), "red"),
        (_("本月黄牌"), "yellow"),
    ):
        ws.append(safe_row([label, f[key]]))
    for row in f["states"]:
        ws.append(safe_row([row["state"], row["n"]]))
    units = wb.create_sheet(_("各单位"))
    units.append(
        safe_row([_("牵头单位"), _("事项"), _("在办"), _("逾期"), _("销号"), _("红牌"), _("黄牌")])
    )
    for r in f["units"]:
        units.append(
            safe_row(
                [r["unit"], r["tasks"], r["open"], r["overdue"], r["closed"], r["red"], r["yellow"]]
            )
        )
    overdue = wb.create_sheet(_("逾期事项"))
    overdue.append(safe_row([_("事项名称"), _("牵头单位"), _("办结时限"), _("状态")]))
    for r in f["overdue_rows"]:
        overdue.append(safe_row([r["title"], r["unit"], r["deadline"], r["state"]]))
    closed = wb.create_sheet(_("本月销号"))
    closed.append(safe_row([_("事项名称"), _("牵头单位"), _("销号日期")]))
    for r in f["closed_rows"]:
        closed.append(safe_row([r["title"], r["unit"], r["closed_on"]]))
    return workbook_response_bytes(wb)


def pdf_bytes(f: dict[str, Any]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from jixiao.scoring.exports import _esc, _register_fonts, _styles

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
        title=_title(f),
        author="机关绩效考核信息系统",
    )
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), _register_fonts()),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("REPEATROWS", (0, 0), (-1, 0)),
        ]
    )

    def table(head: list[str], rows: list[list[Any]]) -> Table:
        data = [head] + [
            [Paragraph(_esc(c), styles["cell"]) if isinstance(c, str) else c for c in row]
            for row in rows
        ]
        t = Table(data, repeatRows=1)
        t.setStyle(grid)
        return t

    story: list[Any] = [
        Paragraph(_esc(_title(f)), styles["title"]),
        Paragraph(_esc(_("统计截至 %(d)s") % {"d": f["as_of"]}), styles["sub"]),
        Spacer(1, 4 * mm),
        Paragraph(
            _esc(
                _(
                    "事项 %(t)d 项，逾期未办结 %(o)d 项；本月新增 %(n)d 项、销号 %(c)d 项，"
                    "亮红牌 %(r)d 张、黄牌 %(y)d 张。"
                )
                % {
                    "t": f["total"],
                    "o": f["overdue"],
                    "n": f["new"],
                    "c": f["closed_in_month"],
                    "r": f["red"],
                    "y": f["yellow"],
                }
            ),
            styles["cell"],
        ),
        Paragraph(_esc(_("按状态")), styles["h"]),
        table([_("状态"), _("事项数")], [[r["state"], r["n"]] for r in f["states"]]),
        Paragraph(_esc(_("各单位")), styles["h"]),
        table(
            [_("牵头单位"), _("事项"), _("在办"), _("逾期"), _("销号"), _("红牌"), _("黄牌")],
            [
                [r["unit"], r["tasks"], r["open"], r["overdue"], r["closed"], r["red"], r["yellow"]]
                for r in f["units"]
            ],
        ),
        Paragraph(_esc(_("逾期事项")), styles["h"]),
        table(
            [_("事项名称"), _("牵头单位"), _("办结时限"), _("状态")],
            [[r["title"], r["unit"], r["deadline"], r["state"]] for r in f["overdue_rows"]],
        ),
        Paragraph(_esc(_("本月销号")), styles["h"]),
        table(
            [_("事项名称"), _("牵头单位"), _("销号日期")],
            [[r["title"], r["unit"], r["closed_on"]] for r in f["closed_rows"]],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
