"""One entry: its values, evidence, recheck requests, history and workflow actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import record
from jixiao.audit.render import compare
from jixiao.audit.render import render as render_audit
from jixiao.collection import actions, hooks, leaf
from jixiao.collection.basis import score_basis
from jixiao.collection.evidence import EvidenceRejected, attach
from jixiao.collection.forms import AnswerForm, EvidenceForm, RecheckForm
from jixiao.collection.ledger import events_visible_to
from jixiao.collection.models import EntryStatus, EvidenceFile
from jixiao.collection.scope import access_entry, entries_visible_to, points_of
from jixiao.collection.views.common import ENTRY_ROLES, flash_errors, int_or_none, user_of
from jixiao.collection.views.workspace import fmt
from jixiao.collection.workflow import (
    Act,
    Actor,
    TransitionRefused,
    actors_of,
    available_actions,
    recheck_deadline,
)
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.org.models import UnitEnrollment


@role_required(*ENTRY_ROLES)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    entry = access_entry(user, pk)
    points, staffing = points_of([entry]).get(entry.pk, (None, None))
    # The stored score with the method, parameters and points it was computed with,
    # even if the scheme was revised since.
    category_code = (
        UnitEnrollment.objects.filter(year_id=entry.period.scheme.year_id, unit_id=entry.unit_id)
        .values_list("category__code", flat=True)
        .first()
    )
    basis = score_basis(entry, points, category_code)
    outcome = leaf.evaluate(
        basis.indicator,
        basis.points,
        staffing,
        {"value": entry.value, "reference": entry.reference, "grade": entry.grade},
        heavy_share=entry.period.scheme.heavy_deduction_share,
        reason=entry.reason,
    )
    fields = [(f.label, fmt(getattr(entry, f.column))) for f in leaf.input_fields(entry.indicator)]
    actors = actors_of(user, entry.department_id, entry.unit_id)
    history = render_audit(AuditEvent.objects.for_object(entry).order_by("at", "id"))
    rechecks = list(
        entry.rechecks.select_related("filed_by", "answered_by", "confirmed_by").prefetch_related(
            "evidence"
        )
    )
    for r in rechecks:
        r.changes = compare("collection.entry", r.before, r.after)  # type: ignore[attr-defined]
    can_attach = (Actor.DEPARTMENT in actors and entry.status in actions.EDITABLE) or (
        Actor.DEPARTMENT in actors and entry.status == EntryStatus.RECHECK_REQUESTED
    )
    return render(
        request,
        "collection/entry_detail.html",
        {
            "entry": entry,
            "notes": hooks.notes([entry.pk]).get(entry.pk, []),
            "points": basis.points,
            "outcome": outcome,
            "basis": basis,
            "fields": fields,
            "input_fields": leaf.input_fields(entry.indicator),
            "actions": available_actions(user, entry),
            "history": history,
            "evidence": entry.evidence.select_related("uploaded_by"),
            "rechecks": rechecks,
            "recheck_deadline": recheck_deadline(entry),
            "can_attach": can_attach,
            "evidence_form": EvidenceForm(),
            "recheck_form": RecheckForm(),
            "answer_form": AnswerForm(),
            "needs_confirmation": leaf.needs_confirmation(
                entry.score, points, entry.period.scheme.heavy_deduction_share
            ),
            "Act": {a.name: a.value for a in Act},
        },
    )


@require_POST
@role_required(*ENTRY_ROLES)
def entry_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    entry = access_entry(user, pk)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    expected = int_or_none(request.POST.get("version"))
    try:
        if expected is not None and expected != entry.version:
            raise EditConflict(entry)
        if action == Act.REQUEST_RECHECK:
            form = RecheckForm(request.POST, request.FILES)
            if not form.is_valid():
                raise TransitionRefused(_("请填写复核理由。"))
            upload = form.cleaned_data.get("file")
            actions.perform(
                user,
                entry,
                action,
                reason=form.cleaned_data["reason"],
                files=[upload] if upload else [],
            )
        elif action == Act.ANSWER_RECHECK:
            answer = AnswerForm(request.POST)
            if not answer.is_valid():
                raise TransitionRefused(_("请选择答复结果并填写答复意见。"))
            data = answer.cleaned_data
            actions.perform(
                user,
                entry,
                action,
                reason=data["answer"],
                outcome=data["outcome"],
                raw={k: data.get(k, "") for k in ("value", "reference", "grade")},
                new_reason=data.get("new_reason", ""),
            )
        elif action in Act.values:
            actions.perform(user, entry, action, reason=reason)
        else:
            raise TransitionRefused(_("未知的操作。"))
    except (TransitionRefused, EditConflict, EvidenceRejected) as error:
        flash_errors(request, getattr(error, "messages", [str(error)]))
    else:
        messages.success(request, _("已%(a)s。") % {"a": Act(action).label})
    return redirect("collection:entry_detail", pk=pk)


@require_POST
@role_required(*ENTRY_ROLES)
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    entry = access_entry(user, pk)
    actors = actors_of(user, entry.department_id, entry.unit_id)
    allowed = Actor.DEPARTMENT in actors and entry.status in (
        *actions.EDITABLE,
        EntryStatus.RECHECK_REQUESTED,
    )
    if not allowed:
        messages.error(request, _("当前状态下不能上传佐证材料。"))
        return redirect("collection:entry_detail", pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("collection:entry_detail", pk=pk)
    try:
        attach(form.cleaned_data["file"], user, entry=entry)
    except EvidenceRejected as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已上传佐证材料。"))
    return redirect("collection:entry_detail", pk=pk)


@role_required(*ENTRY_ROLES)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Served only to who may see the owning entry, event or recheck request."""
    user = user_of(request)
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    if evidence.entry_id is not None:
        visible = entries_visible_to(user).filter(pk=evidence.entry_id).exists()
    elif evidence.recheck_id is not None:
        visible = entries_visible_to(user).filter(rechecks__pk=evidence.recheck_id).exists()
    else:
        visible = events_visible_to(user).filter(pk=evidence.bonus_event_id or 0).exists()
    if not visible:
        raise Http404
    record(AuditAction.EXPORT, evidence, after={"name": evidence.original_name})
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]
