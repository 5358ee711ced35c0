"""Pages of the inspection plan registry: departments register, the office approves and
keeps the calendar and the rules, units see who will visit them, the 督查室 watches."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditEvent
from jixiao.audit.render import render as render_audit
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import (
    XLSX_CONTENT_TYPE,
    RowError,
    SpreadsheetError,
    read_upload,
    workbook_response_bytes,
)
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int, text_problem
from jixiao.inspections import actions, importing, workdays
from jixiao.inspections.forms import (
    CalendarDayForm,
    InspectionForm,
    SettingsForm,
    UnregisteredForm,
    UploadForm,
)
from jixiao.inspections.models import CalendarDay, InspectionStatus, RegistrySettings, Violation
from jixiao.inspections.scope import (
    OVERSEERS,
    access_inspection,
    inspections_visible_to,
    merge_flags,
)
from jixiao.org.models import AssessmentYear

READERS = (*OVERSEERS, Role.DEPARTMENT, Role.UNIT)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _year(request: HttpRequest) -> AssessmentYear:
    number = int_param(request.GET, "year")
    year = (
        AssessmentYear.objects.filter(year=number).first()
        if number is not None
        else AssessmentYear.current()
    )
    if year is None:
        raise Http404(_("还没有考核年度。"))
    return year


def _refused(request: HttpRequest, error: TransitionRefused) -> None:
    for message in error.messages:
        messages.error(request, message)


def _xlsx(book: Any, name: str) -> HttpResponse:
    response = HttpResponse(workbook_response_bytes(book), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _no_year(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/no_year.html", status=200)


@role_required(*READERS)
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if int_param(request.GET, "year") is None and AssessmentYear.current() is None:
        return _no_year(request)
    year = _year(request)
    rows = inspections_visible_to(user).filter(year=year).prefetch_related("units")
    status = request.GET.get("status", "")
    if status in InspectionStatus.values:
        rows = rows.filter(status=status)
    flags = merge_flags(
        year,
        department_id=user.organization_id if user.role == Role.DEPARTMENT else None,
        unit_id=user.organization_id if user.role == Role.UNIT else None,
    )
    page = Paginator(rows.order_by("start", "pk"), 50).get_page(strict_int(request.GET.get("page")))
    for inspection in page:
        inspection.acts = actions.available(user, inspection)  # type: ignore[attr-defined]
    return render(
        request,
        "inspections/index.html",
        {
            "year": year,
            "years": AssessmentYear.objects.all(),
            "page": page,
            "flags": flags,
            # A department may open only its own inspections; the others are named.
            "own_only": user.organization_id if user.role == Role.DEPARTMENT else None,
            "status": status,
            "statuses": InspectionStatus.choices,
            "rules": RegistrySettings.current(),
            "acts": actions.ACTS,
        },
    )


@role_required(*READERS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    inspection = access_inspection(user, pk)
    rules = RegistrySettings.current()
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "units": inspection.units.order_by("code"),
            "acts": [(a, actions.ACTS[a]) for a in actions.available(user, inspection)],
            "latest": workdays.latest_registration(
                inspection.start, rules.lead_working_days, actions.overrides()
            ),
            "rules": rules,
            "violations": inspection.violations.all(),
            "history": render_audit(AuditEvent.objects.for_object(inspection)[:20])
            if user.role != Role.UNIT
            else [],
        },
    )


@role_required(Role.DEPARTMENT)
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = _user(request)
    inspection = access_inspection(user, pk) if pk is not None else None
    year = inspection.year if inspection else _year(request)
    initial: dict[str, Any] = {}
    if inspection is not None:
        initial = {
            "name": inspection.name,
            "content": inspection.content,
            "target_kind": inspection.target_kind,
            "category": inspection.category,
            "units": list(inspection.units.all()),
            "start": inspection.start,
            "end": inspection.end,
            "version": inspection.version,
        }
    form = InspectionForm(request.POST or None, initial=initial, year=year)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = actions.PlanData(
            name=data["name"],
            content=data["content"],
            start=data["start"],
            end=data["end"],
            target_kind=data["target_kind"],
            category=data["category"],
            units=tuple(data["units"]),
        )
        try:
            saved = actions.save_inspection(
                user, plan, year=year, inspection=inspection, version=data.get("version")
            )
        except (EditConflict, TransitionRefused) as error:
            for message in getattr(error, "messages", [str(error)]):
                form.add_error(None, message)
        else:
            if "submit" not in request.POST:
                messages.success(request, _("检查计划已保存为草稿。"))
                return redirect("inspections:detail", saved.pk)
            try:
                actions.transition(user, saved, "submit")
            except TransitionRefused as error:
                # Saved as a draft; the refusal (a late registration) is shown on its page.
                _refused(request, error)
            else:
                messages.success(request, _("检查计划已提交登记，等待绩效办审核。"))
            return redirect("inspections:detail", saved.pk)
    rules = RegistrySettings.current()
    today = timezone.localdate()
    return render(
        request,
        "inspections/edit.html",
        {
            "form": form,
            "inspection": inspection,
            "year": year,
            "rules": rules,
            "earliest": workdays.add_working_days(
                today, rules.lead_working_days, actions.overrides()
            ),
        },
    )


@require_POST
@role_required(Role.DEPARTMENT, Role.OFFICE)
def act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    inspection = access_inspection(user, pk)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    if problem := text_problem(reason):
        messages.error(request, problem)
    else:
        try:
            actions.transition(user, inspection, action, reason=reason)
        except TransitionRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("已%(act)s。") % {"act": actions.ACTS.get(action, "")})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("inspections:detail", inspection.pk)


@role_required(Role.DEPARTMENT)
def plan_import(request: HttpRequest) -> HttpResponse:
    user, year = _user(request), _year(request)
    if request.GET.get("template"):
        return _xlsx(importing.plan_template(), f"inspection-plan-{year.year}")
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            table = read_upload(
                form.cleaned_data["file"], importing.PLAN_REQUIRED, importing.PLAN_OPTIONAL
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            plans, errors = importing.plan_rows(table, year, today=timezone.localdate())
            if not errors:
                try:
                    made = actions.import_plan(user, year, plans)
                except TransitionRefused as error:
                    errors = [RowError(0, "", m) for m in error.messages]
                else:
                    messages.success(
                        request, _("已导入并提交登记 %(n)d 项检查计划。") % {"n": len(made)}
                    )
                    return redirect(f"{reverse('inspections:index')}?year={year.year}")
    return render(
        request, "inspections/import.html", {"form": form, "errors": errors, "year": year}
    )


@role_required(*OVERSEERS)
def violations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if int_param(request.GET, "year") is None and AssessmentYear.current() is None:
        return _no_year(request)
    year = _year(request)
    if request.GET.get("format") == "xlsx":
        return _xlsx(importing.violations_workbook(year), f"inspection-violations-{year.year}")
    form = UnregisteredForm(request.POST or None) if user.role == Role.OFFICE else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            actions.record_unregistered(
                user,
                year=year,
                department=data["department"],
                name=data["name"],
                start=data["start"],
                note=data["note"],
            )
            messages.success(request, _("已记录未登记开展的检查。"))
            return redirect(f"{reverse('inspections:violations')}?year={year.year}")
    rows = Violation.objects.filter(year=year).select_related("department", "inspection")
    page = Paginator(rows, 100).get_page(strict_int(request.GET.get("page")))
    return render(
        request,
        "inspections/violations.html",
        {"year": year, "page": page, "form": form, "rules": RegistrySettings.current()},
    )


@role_required(*OVERSEERS)
def calendar(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.GET.get("format") == "xlsx":
        return _xlsx(importing.calendar_workbook(), "working-day-calendar")
    can_edit = user.role == Role.OFFICE
    form = CalendarDayForm(request.POST or None) if can_edit else None
    upload = UploadForm() if can_edit else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            actions.set_calendar_day(user, data["day"], data["is_workday"], data["note"])
            messages.success(request, _("已保存。"))
            return redirect("inspections:calendar")
    today = timezone.localdate()
    years = sorted({today.year, today.year + 1})
    return render(
        request,
        "inspections/calendar.html",
        {
            "days": CalendarDay.objects.order_by("-day")[:400],
            "form": form,
            "upload": upload,
            "uncovered": [y for y in years if not workdays.covered(y)],
        },
    )


@require_POST
@role_required(Role.OFFICE)
def calendar_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = CalendarDay.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    actions.remove_calendar_day(_user(request), row)
    messages.success(request, _("已删除。"))
    return redirect("inspections:calendar")


@role_required(Role.OFFICE)
def calendar_import(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            table = read_upload(
                form.cleaned_data["file"], importing.CALENDAR_REQUIRED, importing.CALENDAR_OPTIONAL
            )
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            days, errors = importing.calendar_rows(table)
            if not errors:
                n = actions.import_calendar(_user(request), days)
                messages.success(request, _("已导入 %(n)d 天。") % {"n": n})
                return redirect("inspections:calendar")
    return render(request, "inspections/calendar_import.html", {"form": form, "errors": errors})


@role_required(Role.OFFICE)
def registry_settings(request: HttpRequest) -> HttpResponse:
    row = RegistrySettings.current()
    initial = {
        "lead_working_days": row.lead_working_days,
        "late_policy": row.late_policy,
        "version": row.version,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_settings(
                _user(request),
                lead_working_days=data["lead_working_days"],
                late_policy=data["late_policy"],
                version=data["version"],
            )
        except (EditConflict, TransitionRefused) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("计划登记设置已保存。"))
            return redirect("inspections:settings")
    return render(request, "inspections/settings.html", {"form": form})
