"""Collection periods and the office dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.audit.records import snapshot
from jixiao.collection import actions
from jixiao.collection.dashboard import Completion, department_completion, period_dashboard
from jixiao.collection.forms import ExceptionForm, PeriodForm
from jixiao.collection.models import CollectionPeriod, DeadlineException, Entry, EntryStatus
from jixiao.collection.scope import periods_visible_to
from jixiao.collection.views.common import flash_errors, int_or_none, user_of
from jixiao.collection.workflow import Act, EntryTransition, TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.org.models import Organization


@role_required(Role.OFFICE, Role.DEPARTMENT)
def period_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    periods = list(periods_visible_to(user).annotate(n_entries=Count("entries")))
    rows: list[tuple[CollectionPeriod, Completion | None]] = []
    for period in periods:
        completion = None
        if user.has_role(Role.DEPARTMENT):
            completion = department_completion(period, user.organization)
        rows.append((period, completion))
    return render(
        request,
        "collection/period_list.html",
        {"rows": rows, "is_office": user.has_role(Role.OFFICE), "now": timezone.now()},
    )


@role_required(Role.OFFICE)
def period_create(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        period = actions.create_period(form.save(commit=False))
        messages.success(request, _("已新建采集周期：%(n)s") % {"n": period.name})
        return redirect("collection:period_detail", pk=period.pk)
    return render(request, "collection/period_form.html", {"form": form})


@role_required(Role.OFFICE)
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(CollectionPeriod, pk=pk)
    before = snapshot(period, actions.PERIOD_FIELDS)
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_period(
                form.save(commit=False), form.cleaned_data["version"] or 0, before
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("已保存。"))
            return redirect("collection:period_detail", pk=pk)
    return render(request, "collection/period_form.html", {"form": form, "period": period})


@role_required(Role.OFFICE)
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(CollectionPeriod.objects.select_related("scheme__year"), pk=pk)
    board = period_dashboard(period)
    return render(
        request,
        "collection/period_detail.html",
        {
            "period": period,
            "board": board,
            "exceptions": DeadlineException.objects.filter(period=period).select_related(
                "department", "granted_by"
            ),
            "exception_form": ExceptionForm(),
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def period_status(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(CollectionPeriod, pk=pk)
    try:
        actions.set_period_status(
            period,
            request.POST.get("status", ""),
            user_of(request),
            int_or_none(request.POST.get("version")) or 0,
        )
    except (TransitionRefused, EditConflict, ValueError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("周期状态已改为“%(s)s”。") % {"s": period.get_status_display()})
    return redirect("collection:period_detail", pk=pk)


@require_POST
@role_required(Role.OFFICE)
def exception_create(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(CollectionPeriod, pk=pk)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            actions.grant_exception(
                period,
                form.cleaned_data["department"],
                form.cleaned_data["until"],
                form.cleaned_data["reason"],
                user_of(request),
            )
        except TransitionRefused as error:
            flash_errors(request, error.messages)
        else:
            messages.success(request, _("已同意延期填报。"))
    else:
        flash_errors(request, [f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()])
    return redirect("collection:period_detail", pk=pk)


@require_POST
@role_required(Role.OFFICE)
def remind(request: HttpRequest, pk: int, department_pk: int) -> HttpResponse:
    period = get_object_or_404(CollectionPeriod, pk=pk)
    department = get_object_or_404(Organization.objects.departments(), pk=department_pk)
    try:
        n = actions.remind_department(user_of(request), period, department)
    except TransitionRefused as error:
        flash_errors(request, error.messages)
    else:
        messages.success(request, _("已提醒%(d)s（%(n)d 人）。") % {"d": department.name, "n": n})
    return redirect("collection:period_detail", pk=pk)


@require_POST
@role_required(Role.OFFICE)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the approved, or finalize the published entries of one department."""
    period = get_object_or_404(CollectionPeriod, pk=pk)
    action = request.POST.get("action")
    sources: dict[str, str] = {
        Act.PUBLISH: EntryStatus.APPROVED,
        Act.FINALIZE: EntryStatus.PUBLISHED,
    }
    source = sources.get(action or "")
    department_id = int_or_none(request.POST.get("department"))
    if source is None or department_id is None:
        messages.error(request, _("无效的操作。"))
        return redirect("collection:period_detail", pk=pk)
    entries = list(Entry.objects.filter(period=period, department_id=department_id, status=source))
    try:
        done = EntryTransition(str(action), user_of(request)).execute(entries)
    except TransitionRefused as error:
        flash_errors(request, error.messages[:10])
    else:
        messages.success(
            request,
            _("已%(a)s %(n)d 条数据。") % {"a": Act(str(action)).label, "n": len(done)},
        )
    return redirect("collection:period_detail", pk=pk)
