"""Work queues: the office's initial review, the leader's second confirmation, the
department's recheck answers, and the assessed unit's own published data."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.collection import hooks, leaf
from jixiao.collection.ledger import events_visible_to
from jixiao.collection.models import (
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
    EntryStatus,
    RecheckRequest,
)
from jixiao.collection.scope import entries_visible_to, periods_visible_to
from jixiao.collection.views.common import flash_errors, int_or_none, user_of
from jixiao.collection.views.workspace import fmt
from jixiao.collection.workflow import Act, EntryTransition, TransitionRefused, recheck_deadline
from jixiao.core.permissions import role_required
from jixiao.org.models import Organization

PAGE = 100
ENTRY_RELATED = ("period", "indicator", "unit", "department", "entered_by")
# order_by("period", "indicator") spelled out: a period and its indicators share one
# scheme, so the indicator's own year (two more joins, and most of the query's
# planning time) adds nothing.
PERIOD_ORDER = ("-period__scheme__year__year", "period__starts_on", "period__kind")
INDICATOR_ORDER = ("indicator__level", "indicator__sort_order", "indicator__code")
UNIT_ORDER = ("unit__sort_order", "unit__code")


def _filtered(
    request: HttpRequest, qs: QuerySet[Entry]
) -> tuple[QuerySet[Entry], dict[str, int | None]]:
    period_id = int_or_none(request.GET.get("period"))
    department_id = int_or_none(request.GET.get("department"))
    if period_id:
        qs = qs.filter(period_id=period_id)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs, {"period_id": period_id, "department_id": department_id}


def _rows(entries: list[Entry]) -> list[tuple[Entry, list[str]]]:
    # Notes other apps attach (implausible-entry flags) show beside each entry.
    notes = hooks.notes([e.pk for e in entries])
    for e in entries:
        e.notes = notes.get(e.pk, [])  # type: ignore[attr-defined]
    return [
        (e, [f"{f.label} {fmt(getattr(e, f.column))}" for f in leaf.input_fields(e.indicator)])
        for e in entries
    ]


@role_required(Role.OFFICE)
def review_queue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    base = entries_visible_to(user).select_related(*ENTRY_RELATED)
    submitted, filters = _filtered(request, base.filter(status=EntryStatus.SUBMITTED))
    page = Paginator(
        submitted.order_by(
            *PERIOD_ORDER,
            "department__sort_order",
            "department__code",
            *INDICATOR_ORDER,
            *UNIT_ORDER,
        ),
        PAGE,
    ).get_page(request.GET.get("page"))
    answered = base.filter(status=EntryStatus.RECHECK_ANSWERED).order_by("updated_at")[:50]
    bonus = events_visible_to(user).filter(status=BonusPenaltyStatus.SUBMITTED)[:50]
    return render(
        request,
        "collection/review_queue.html",
        {
            "page": page,
            "rows": _rows(list(page.object_list)),
            "answered": answered,
            "bonus": bonus,
            "periods": periods_visible_to(user),
            "departments": Organization.objects.departments(),
            **filters,
        },
    )


@require_POST
@role_required(Role.OFFICE, Role.DEPARTMENT)
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Approve / return (office) or confirm (leader) the ticked entries, all or none."""
    user = user_of(request)
    action = request.POST.get("action", "")
    ids = [n for i in request.POST.getlist("entry") if (n := int_or_none(i)) is not None]
    allowed = {Act.APPROVE, Act.RETURN} if user.has_role(Role.OFFICE) else {Act.CONFIRM}
    # Back to the queue as it was filtered: the office works through one period or one
    # department at a time, and a batch must not drop it back into the whole list.
    kept = {k: v for k in ("period", "department") if (v := int_or_none(request.POST.get(k)))}
    back = reverse(
        "collection:review_queue" if user.has_role(Role.OFFICE) else "collection:confirm_queue"
    ) + (f"?{urlencode(kept)}" if kept else "")
    if action not in allowed:
        messages.error(request, _("无效的操作。"))
        return redirect(back)
    entries = list(entries_visible_to(user).filter(pk__in=ids))
    if len(entries) != len(set(ids)) or not entries:
        messages.error(request, _("请勾选要处理的数据。"))
        return redirect(back)
    try:
        done = EntryTransition(action, user, reason=request.POST.get("reason", "")).execute(entries)
    except TransitionRefused as error:
        flash_errors(request, error.messages[:10])
    else:
        messages.success(
            request, _("已%(a)s %(n)d 条。") % {"a": Act(action).label, "n": len(done)}
        )
    return redirect(back)


@role_required(Role.DEPARTMENT)
def confirm_queue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    qs = (
        entries_visible_to(user)
        .filter(status__in=[EntryStatus.AWAITING_CONFIRMATION, EntryStatus.RECHECK_CONFIRMATION])
        .select_related(*ENTRY_RELATED, "reviewed_by")
        .order_by(*PERIOD_ORDER, *INDICATOR_ORDER, *UNIT_ORDER)
    )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "collection/confirm_queue.html",
        {
            "page": page,
            "rows": _rows(list(page.object_list)),
            "is_leader": user.is_org_leader,
        },
    )


@role_required(Role.DEPARTMENT)
def recheck_queue(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    requests = (
        RecheckRequest.objects.filter(entry__department_id=user.organization_id)
        .select_related("entry__indicator", "entry__period", "unit", "filed_by")
        .order_by("status", "-filed_at")[:200]
    )
    return render(request, "collection/recheck_queue.html", {"requests": requests})


@role_required(Role.UNIT)
def unit_entries(request: HttpRequest) -> HttpResponse:
    """The assessed unit's own published data, never another unit's."""
    user = user_of(request)
    periods = list(periods_visible_to(user))
    period_id = int_or_none(request.GET.get("period"))
    qs = (
        entries_visible_to(user)
        .select_related(*ENTRY_RELATED)
        .order_by(*PERIOD_ORDER, *INDICATOR_ORDER)
    )
    period: CollectionPeriod | None = None
    if period_id:
        period = next((p for p in periods if p.pk == period_id), None)
        qs = qs.filter(period_id=period_id)
    entries = list(qs[:500])
    rows = [(e, cells, recheck_deadline(e)) for e, cells in _rows(entries)]
    rechecks = (
        RecheckRequest.objects.filter(unit_id=user.organization_id)
        .select_related("entry__indicator", "entry__period", "answered_by")
        .order_by("-filed_at")[:100]
    )
    bonus = events_visible_to(user).order_by("-occurred_on")[:100]
    return render(
        request,
        "collection/unit_entries.html",
        {
            "rows": rows,
            "periods": periods,
            "period": period,
            "rechecks": rechecks,
            "bonus": bonus,
        },
    )
