"""The office's side of the public rating: windows, their QR sheet, review of quarantined
ratings, and the figures of the dashboard (index per window and month)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record, record_create, record_many
from jixiao.evaluation import aggregate
from jixiao.evaluation.public_models import (
    DEFAULT_POINTS,
    RatingStatus,
    SatisfactionRating,
    ServiceWindow,
)
from jixiao.org.models import AssessmentYear, Organization, UnitEnrollment

POINTS = {k: Decimal(v) for k, v in DEFAULT_POINTS.items()}


class WindowError(Exception):
    pass


@transaction.atomic
def add_window(unit: Organization, name: str, items: str = "") -> ServiceWindow:
    if not unit.is_assessed_unit:
        raise WindowError(_("只能为被考核单位登记服务窗口。"))
    if ServiceWindow.objects.filter(unit=unit, name=name.strip()).exists():
        raise WindowError(_("该单位已有同名服务窗口。"))
    window = ServiceWindow.objects.create(unit=unit, name=name.strip(), items=items.strip())
    record_create(window)
    return window


@transaction.atomic
def ensure_unit_windows(year: AssessmentYear) -> int:
    """Every enrolled unit gets its own QR code (a window with no name); returns how many new."""
    have = set(ServiceWindow.objects.filter(name="").values_list("unit_id", flat=True))
    new = [
        ServiceWindow(unit_id=unit_id)
        for unit_id in UnitEnrollment.objects.filter(year=year).values_list("unit_id", flat=True)
        if unit_id not in have
    ]
    ServiceWindow.objects.bulk_create(new)
    if new:
        record(
            AuditAction.CREATE,
            year,
            after={"service_windows": len(new)},
            reason=_("生成单位评价码"),
        )
    return len(new)


@transaction.atomic
def review_quarantined(ratings: Iterable[SatisfactionRating], count: bool, reason: str) -> int:
    """Release quarantined ratings into the index, or keep them out; never delete."""
    if not reason.strip():
        raise WindowError(_("请填写核查意见。"))
    to = RatingStatus.ACCEPTED if count else RatingStatus.REJECTED
    rows = [r for r in ratings if r.status == RatingStatus.QUARANTINED]
    SatisfactionRating.objects.filter(pk__in=[r.pk for r in rows]).update(status=to)
    record_many(
        [
            build_event(
                AuditAction.TRANSITION,
                r,
                before={"status": RatingStatus.QUARANTINED},
                after={"status": to},
                reason=reason.strip(),
            )
            for r in rows
        ]
    )
    return len(rows)


def ratings_visible_to(user: object) -> QuerySet[SatisfactionRating]:
    from jixiao.accounts.roles import Role

    qs = SatisfactionRating.objects.all()
    if user.has_role(Role.OFFICE, Role.LEADER):  # type: ignore[attr-defined]
        return qs
    if user.has_role(Role.UNIT):  # type: ignore[attr-defined]
        return qs.filter(unit_id=user.organization_id)  # type: ignore[attr-defined]
    return qs.none()


@dataclass
class WindowRow:
    window: ServiceWindow
    rating: aggregate.Rating
    count: int


def window_rows(qs: QuerySet[SatisfactionRating], first: date, last: date) -> list[WindowRow]:
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for window_id, choice, n in (
        qs.filter(day__range=(first, last), status=RatingStatus.ACCEPTED)
        .values_list("window_id", "choice")
        .annotate(n=Count("pk"))
    ):
        counts[window_id][choice] = n
    windows = ServiceWindow.objects.select_related("unit").in_bulk(list(counts))
    rows = [
        WindowRow(windows[pk], aggregate.satisfaction(c, POINTS), sum(c.values()))
        for pk, c in counts.items()
    ]
    return sorted(rows, key=lambda r: (r.rating.value or Decimal(0), -r.count))


def monthly_trend(qs: QuerySet[SatisfactionRating], year: int) -> dict[str, list]:
    by_month: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        qs.filter(day__year=year, status=RatingStatus.ACCEPTED)
        .values_list("day__month", "choice")
        .annotate(n=Count("pk"))
    )
    for month, choice, n in rows:
        by_month[month][choice] = n
    months = sorted(by_month)
    return {
        "months": [f"{m}月" for m in months],
        "index": [str(aggregate.satisfaction(by_month[m], POINTS).value) for m in months],
        "count": [sum(by_month[m].values()) for m in months],
    }


def sheet_response(windows: list[ServiceWindow], base_url: str) -> HttpResponse:
    from jixiao.evaluation.slips import Slip, pdf_response, slips_pdf

    slips = [
        Slip(
            w.unit.name,
            w.name or _("单位综合评价"),
            base_url + reverse("rate:rate", args=[w.code]),
            w.code,
            _("扫码评价服务，或访问\n%(u)s")
            % {"u": base_url + reverse("rate:rate", args=[w.code])},
        )
        for w in windows
    ]
    record(
        AuditAction.EXPORT,
        None,
        object_type="evaluation.servicewindow",
        after={"qr_sheet": len(slips)},
    )
    return pdf_response(slips_pdf(slips, _("服务评价二维码")), "服务评价二维码.pdf")
