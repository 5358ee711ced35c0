"""The 群众反映 queue of the office and the 督查室: search, quarantine review, triage."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.audit.render import render as render_audit
from jixiao.collection.workflow import TransitionRefused
from jixiao.complaints import actions, hooks
from jixiao.complaints.models import Complaint, ComplaintStatus
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int, text_problem

ROLES = actions.TRIAGE_ROLES


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def access_complaint(user: User, pk: int) -> Complaint:
    """Only the triage roles see messages (the view's decorator); 404 for no such row."""
    found = (
        Complaint.objects.select_related("unit", "handled_by", "merged_into").filter(pk=pk).first()
    )
    if found is None or user.role not in ROLES:
        raise Http404
    return found


@role_required(*ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    rows = Complaint.objects.select_related("unit")
    status = request.GET.get("status", "open")
    if status == "open":
        rows = rows.open()
    elif status in ComplaintStatus.values:
        rows = rows.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        rows = rows.filter(
            Q(problem__icontains=q)
            | Q(window__icontains=q)
            | Q(place_time__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(receipt=q.upper())
        )
    unit_id = int_param(request.GET, "unit")
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    counts = dict(Complaint.objects.values_list("status").annotate(n=Count("pk")).order_by())
    page = Paginator(rows, 50).get_page(strict_int(request.GET.get("page")))
    return render(
        request,
        "complaints/queue.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "counts": counts,
            "statuses": ComplaintStatus.choices,
            "open_count": counts.get(ComplaintStatus.NEW, 0)
            + counts.get(ComplaintStatus.QUARANTINED, 0),
        },
    )


@role_required(*ROLES)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    complaint = access_complaint(user, pk)
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "acts": [(a, actions.ACTS[a]) for a in actions.available(user, complaint)],
            "duplicates": complaint.duplicates.order_by("created_at"),
            "handed_to": hooks.where_handed(complaint),
            "history": render_audit(AuditEvent.objects.for_object(complaint)[:20]),
        },
    )


@require_POST
@role_required(*ROLES)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    complaint = access_complaint(user, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    if problem := text_problem(note):
        messages.error(request, problem)
        return redirect("complaints:detail", complaint.pk)
    try:
        if action == "release":
            actions.release_complaint(user, complaint, note)
        elif action == "accept":
            actions.accept_complaint(user, complaint, note)
        elif action == "reject":
            actions.reject_complaint(user, complaint, note)
        elif action == "merge":
            code = request.POST.get("into", "").strip().upper()[:20]
            into = Complaint.objects.filter(receipt=code).first() if code else None
            if into is None:
                raise TransitionRefused(_("请填写要合并到的反映的回执码。"))
            actions.merge_complaint(user, complaint, into, note)
        else:
            raise TransitionRefused(_("未知的操作。"))
    except TransitionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已%(act)s。") % {"act": actions.ACTS[action]})
    return redirect("complaints:detail", complaint.pk)


@require_POST
@role_required(*ROLES)
def bulk(request: HttpRequest) -> HttpResponse:
    """The quarantine review: release or reject the ticked messages together."""
    ids = [n for n in (strict_int(v) for v in request.POST.getlist("complaint")[:500]) if n]
    chosen = list(Complaint.objects.filter(pk__in=ids).order_by("pk"))
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    if not chosen:
        messages.error(request, _("请先勾选要处理的反映。"))
    elif problem := text_problem(note):
        messages.error(request, problem)
    else:
        try:
            n = actions.triage_quarantined(_user(request), chosen, action, note)
        except TransitionRefused as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("已%(act)s %(n)d 条。") % {"act": actions.ACTS[action], "n": n}
            )
    return redirect(reverse("complaints:queue") + "?status=quarantined")
