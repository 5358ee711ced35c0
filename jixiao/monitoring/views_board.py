"""The light matrix, a unit's own lights, the monthly report and the 绩效比拼 board."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.actions import start_job
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param
from jixiao.monitoring import actions, lights
from jixiao.monitoring import board as board_module
from jixiao.monitoring import report as report_module
from jixiao.monitoring.access import READERS, month_of, scheme_of_year
from jixiao.monitoring.jobs import REPORT_PDF, REPORT_XLSX
from jixiao.monitoring.matrix import matrix_rows
from jixiao.monitoring.models import MonthlyReport
from jixiao.monitoring.status import default_month, year_lights
from jixiao.org.models import UnitCategory, UnitEnrollment

COLORS = [(lights.RED, _("红灯")), (lights.YELLOW, _("黄灯")), (lights.GREEN, _("绿灯"))]


def _month(request: HttpRequest, year: int) -> int:
    m = int_param(request.GET, "month")
    if m is None:
        return default_month(year)
    if not 1 <= m <= 12:
        raise Http404
    return m


@role_required(*READERS)
def matrix(request: HttpRequest, year: str) -> HttpResponse:
    """Units × indicators, one light per cell; filter by category, colour and month."""
    scheme = scheme_of_year(year)
    month = _month(request, scheme.year.year)
    categories = list(UnitCategory.objects.filter(year=scheme.year))
    category_id = int_param(request.GET, "category")
    color = request.GET.get("color", "")
    enrolled = UnitEnrollment.objects.filter(year=scheme.year)
    if category_id is not None:
        enrolled = enrolled.filter(category_id=category_id)
    units = dict(enrolled.values_list("unit_id", "unit__name"))
    found = year_lights(scheme, month, unit_ids=units) if units else []
    unit_url = reverse("monitoring:unit_lights", args=[scheme.year.year])
    columns, rows = matrix_rows(units, found, color, unit_url=unit_url, month=month)
    return render(
        request,
        "monitoring/matrix.html",
        {
            "scheme": scheme,
            "month": month,
            "months": range(1, 13),
            "columns": columns,
            "rows": rows,
            "categories": categories,
            "category_id": category_id,
            "color": color,
            "colors": COLORS,
        },
    )


@role_required(Role.UNIT, *READERS)
def unit_lights(request: HttpRequest, year: str) -> HttpResponse:
    """A unit's own lights (the office and leaders pick a unit with ?unit=)."""
    scheme = scheme_of_year(year)
    month = _month(request, scheme.year.year)
    user: User = request.user  # type: ignore[assignment]
    unit_id: int | None = user.organization_id
    if user.role != Role.UNIT:
        unit_id = int_param(request.GET, "unit")
        if unit_id is None:
            return redirect("monitoring:matrix", scheme.year.year)
    enrollment = (
        UnitEnrollment.objects.filter(year=scheme.year, unit_id=unit_id)
        .select_related("unit")
        .first()
    )
    if enrollment is None:
        raise Http404
    found = year_lights(scheme, month, unit_ids=[enrollment.unit_id])
    published = MonthlyReport.objects.filter(year=scheme.year).order_by("-month").first()
    mine = None
    if published is not None:
        mine = next((r for r in published.rows if r["unit_id"] == unit_id), None)
    return render(
        request,
        "monitoring/unit_lights.html",
        {
            "scheme": scheme,
            "month": month,
            "months": range(1, 13),
            "unit": enrollment.unit,
            "targets": [x for x in found if x.kind == "target"],
            "nodes": [x for x in found if x.kind == "node"],
            "published": published,
            "mine": mine,
            "can_enter": user.role == Role.UNIT,
        },
    )


def _report_rows(user: User, scheme: Any, month: int) -> tuple[list[dict[str, Any]], Any]:
    """Published rows for everyone; the office and leaders also see a month not yet published."""
    published = MonthlyReport.objects.filter(year=scheme.year, month=month).first()
    if published is not None:
        return published.rows, published
    if user.role in READERS:
        return report_module.compute(scheme, month), None
    raise Http404


@role_required(Role.UNIT, *READERS)
def report_page(request: HttpRequest, year: str, month: str) -> HttpResponse:
    scheme = scheme_of_year(year)
    m = month_of(month)
    user: User = request.user  # type: ignore[assignment]
    rows, published = _report_rows(user, scheme, m)
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_category[row["category_name"]].append(row)
    reports = MonthlyReport.objects.filter(year=scheme.year).values_list("month", flat=True)
    return render(
        request,
        "monitoring/report.html",
        {
            "scheme": scheme,
            "month": m,
            "by_category": dict(by_category),
            "published": published,
            "published_months": list(reports),
            "is_office": user.role == Role.OFFICE,
            "own_unit": user.organization_id if user.role == Role.UNIT else None,
        },
    )


@require_POST
@role_required(Role.OFFICE)
def publish(request: HttpRequest, year: str, month: str) -> HttpResponse:
    scheme = scheme_of_year(year)
    m = month_of(month)
    try:
        actions.publish_report(request.user, scheme, m)  # type: ignore[arg-type]
        messages.success(request, _("%(m)d月绩效评估报告已发布。") % {"m": m})
    except TransitionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("monitoring:report", scheme.year.year, m)


@require_POST
@role_required(Role.UNIT, *READERS)
def report_export(request: HttpRequest, year: str, month: str) -> HttpResponse:
    scheme = scheme_of_year(year)
    m = month_of(month)
    _report_rows(request.user, scheme, m)  # type: ignore[arg-type]
    kind = REPORT_PDF if request.POST.get("format") == "pdf" else REPORT_XLSX
    job = start_job(
        request.user,
        kind,
        _("%(y)d年%(m)d月绩效评估报告") % {"y": scheme.year.year, "m": m},
        {"year": scheme.year.year, "month": m},
    )
    return redirect("core:job", job.pk)


def board(request: HttpRequest, year: str) -> HttpResponse:
    """绩效比拼: read-only; open to anyone on the intranet when MONITORING_BOARD_PUBLIC."""
    if not getattr(settings, "MONITORING_BOARD_PUBLIC", False):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
            raise PermissionDenied
    scheme = scheme_of_year(year)
    month = _month(request, scheme.year.year)
    data = board_module.board_data(scheme, month)
    chart = {
        "names": [f["name"] for f in data["figures"]],
        "actual": [f["actual"] for f in data["figures"]],
        "expected": [f["expected"] for f in data["figures"]],
        "counts": [data["counts"][c] for c, _l in COLORS],
        "labels": [str(label) for _c, label in COLORS],
        "actualLabel": _("平均完成进度（%）"),
        "expectedLabel": _("应达进度（%）"),
    }
    template = (
        "monitoring/board_screen.html" if request.GET.get("screen") else "monitoring/board.html"
    )
    # Seconds each big-screen panel stays (?every=, 3–120; 15 by default).
    every = min(max(int_param(request.GET, "every") or 15, 3), 120)
    return render(
        request,
        template,
        {"scheme": scheme, "data": data, "chart": chart, "colors": COLORS, "rotate": every * 1000},
    )
