"""The bonus–penalty ledger (加扣分台账)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditEvent
from jixiao.audit.render import render as render_audit
from jixiao.collection import ledger
from jixiao.collection.evidence import EvidenceRejected, attach
from jixiao.collection.forms import BonusEventForm, EvidenceForm
from jixiao.collection.models import BonusPenaltyEvent, BonusPenaltyStatus
from jixiao.collection.views.common import ENTRY_ROLES, flash_errors, int_or_none, user_of
from jixiao.collection.workflow import (
    BONUS_TABLE,
    Act,
    BonusTransition,
    TransitionRefused,
    actors_of,
)
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.scheme.models import Scheme

EDITABLE = (BonusPenaltyStatus.DRAFT, BonusPenaltyStatus.RETURNED)


def _current_scheme() -> Scheme | None:
    return (
        Scheme.objects.select_related("year").order_by("-year__is_current", "-year__year").first()
    )


@role_required(*ENTRY_ROLES)
def bonus_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    qs = ledger.events_visible_to(user).select_related("entered_by").order_by("-occurred_on", "-pk")
    status = request.GET.get("status", "")
    if status in BonusPenaltyStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    scheme = _current_scheme()
    return render(
        request,
        "collection/bonus_list.html",
        {
            "page": page,
            "status": status,
            "statuses": BonusPenaltyStatus.choices,
            "can_create": user.has_role(Role.DEPARTMENT)
            and scheme is not None
            and ledger.bonus_indicators(scheme, user.organization).exists(),
        },
    )


def _form(request: HttpRequest, event: BonusPenaltyEvent) -> BonusEventForm:
    user = user_of(request)
    scheme = event.scheme if event.pk else _current_scheme()
    if scheme is None:
        raise Http404
    return BonusEventForm(
        request.POST or None,
        instance=event,
        indicators=ledger.bonus_indicators(scheme, user.organization),
        units=ledger.units_of(scheme).order_by("sort_order", "code"),
    )


@role_required(Role.DEPARTMENT)
def bonus_create(request: HttpRequest) -> HttpResponse:
    event = BonusPenaltyEvent()
    form = _form(request, event)
    if request.method == "POST" and form.is_valid():
        try:
            event = ledger.save_event(user_of(request), event, form.cleaned_data)
        except (ledger.LedgerError, TransitionRefused) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已登记加扣分事项（草稿），上传依据后请提交审核。"))
            for warning in ledger.cap_warnings(event):
                messages.warning(request, warning)
            return redirect("collection:bonus_detail", pk=event.pk)
    return render(request, "collection/bonus_form.html", {"form": form, "caps": _caps(form)})


def _caps(form: BonusEventForm) -> list[dict[str, object]]:
    """The caps of the department's bonus indicators, shown next to the form."""
    rows: list[dict[str, object]] = []
    for indicator in form.fields["indicator"].queryset:  # type: ignore[attr-defined]
        for node in ledger.cap_nodes(indicator):
            rows.append(
                {
                    "indicator": indicator,
                    "node": node,
                    "bonus": node.bonus_cap,
                    "penalty": node.penalty_cap,
                }
            )
    return rows


@role_required(*ENTRY_ROLES)
def bonus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    event = ledger.access_event(user, pk)
    actors = actors_of(user, event.department_id, None)
    editable = "department" in actors and event.status in EDITABLE
    form = _form(request, event) if editable else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                ledger.save_event(user, event, form.cleaned_data, form.cleaned_data["version"])
            except (ledger.LedgerError, TransitionRefused, EditConflict) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存。"))
                for warning in ledger.cap_warnings(event):
                    messages.warning(request, warning)
                return redirect("collection:bonus_detail", pk=pk)
    caps = ledger.cap_status(event.indicator, event.unit_id)
    acts = [act for (st, act, actor) in BONUS_TABLE if st == event.status and actor in actors]
    return render(
        request,
        "collection/bonus_detail.html",
        {
            "event": event,
            "form": form,
            "caps": caps,
            "actions": acts,
            "evidence": event.evidence.select_related("uploaded_by"),
            "evidence_form": EvidenceForm() if editable else None,
            "history": render_audit(AuditEvent.objects.for_object(event).order_by("at", "id")),
            "Act": {a.name: a.value for a in Act},
        },
    )


@require_POST
@role_required(Role.OFFICE, Role.DEPARTMENT)
def bonus_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    event = ledger.access_event(user, pk)
    action = request.POST.get("action", "")
    expected = int_or_none(request.POST.get("version"))
    try:
        if expected is not None and expected != event.version:
            raise EditConflict(event)
        if action not in Act.values:
            raise TransitionRefused(_("未知的操作。"))
        BonusTransition(action, user, reason=request.POST.get("reason", "")).execute(event)
    except (TransitionRefused, EditConflict) as error:
        flash_errors(request, getattr(error, "messages", [str(error)]))
    else:
        messages.success(request, _("已%(a)s。") % {"a": Act(action).label})
        if action in (Act.SUBMIT, Act.APPROVE):
            for warning in ledger.cap_warnings(event):
                messages.warning(request, warning)
    return redirect("collection:bonus_detail", pk=pk)


@require_POST
@role_required(Role.DEPARTMENT)
def bonus_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    event = ledger.access_event(user, pk)
    if event.status not in EDITABLE:
        messages.error(request, _("当前状态下不能上传佐证材料。"))
        return redirect("collection:bonus_detail", pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attach(form.cleaned_data["file"], user, bonus_event=event)
        except EvidenceRejected as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已上传佐证材料。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect("collection:bonus_detail", pk=pk)
