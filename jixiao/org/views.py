"""The organization directory: system admin edits it, the performance office reads it."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditEvent
from jixiao.audit.render import render as render_audit
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import (
    XLSX_CONTENT_TYPE,
    SpreadsheetError,
    read_upload,
    workbook_response_bytes,
)
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, text_problem
from jixiao.org import actions, importing
from jixiao.org.forms import CategoryForm, EnrollmentForm, ImportForm, OrganizationForm, YearForm
from jixiao.org.models import (
    AssessmentYear,
    Organization,
    OrganizationKind,
    UnitCategory,
    UnitEnrollment,
)

READERS = (Role.SYSTEM_ADMIN, Role.OFFICE)


def _year(request: HttpRequest) -> AssessmentYear | None:
    wanted = int_param(request.GET, "year")
    if wanted is not None:
        return AssessmentYear.objects.filter(year=wanted).first() or AssessmentYear.current()
    return AssessmentYear.current()


@role_required(*READERS)
def organization_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    orgs = Organization.objects.all()
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    part = request.GET.get("part", "")
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q))
    if kind:
        orgs = orgs.filter(kind=kind)
    if part == "department":
        orgs = orgs.filter(is_department=True)
    elif part == "unit":
        orgs = orgs.filter(is_assessed_unit=True)
    enrollments = (
        {e.unit_id: e for e in UnitEnrollment.objects.filter(year=year).select_related("category")}
        if year
        else {}
    )
    orgs = orgs.annotate(user_count=Count("users")).order_by("sort_order", "code")
    rows = [(org, enrollments.get(org.pk)) for org in orgs]
    stats = Organization.objects.aggregate(
        total=Count("pk"),
        departments=Count("pk", filter=Q(is_department=True)),
        units=Count("pk", filter=Q(is_assessed_unit=True)),
    )
    return render(
        request,
        "org/organization_list.html",
        {
            "rows": rows,
            "q": q,
            "kind": kind,
            "part": part,
            "kinds": OrganizationKind.choices,
            "year": year,
            "years": AssessmentYear.objects.all(),
            "stats": stats,
            "categories": UnitCategory.objects.filter(year=year).annotate(n=Count("enrollments"))
            if year
            else [],
            "can_edit": request.user.has_role(Role.SYSTEM_ADMIN),  # type: ignore[union-attr]
        },
    )


@role_required(Role.SYSTEM_ADMIN)
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = actions.create_organization(form.save(commit=False))
        messages.success(request, _("已新增单位：%(n)s") % {"n": org.name})
        return redirect("org:organization_list")
    return render(request, "org/organization_form.html", {"form": form})


@role_required(*READERS)
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    can_edit = request.user.has_role(Role.SYSTEM_ADMIN)  # type: ignore[union-attr]
    form = OrganizationForm(request.POST or None, instance=org) if can_edit else None
    if request.method == "POST":
        if not can_edit or form is None:
            return HttpResponse(status=403)
        before = actions.org_snapshot(Organization.objects.get(pk=pk))
        if problem := text_problem(request.POST.get("reason", "")):
            form.add_error(None, _("变更原因%(e)s") % {"e": problem})
        if form.is_valid():
            try:
                actions.update_organization(
                    form.save(commit=False),
                    form.cleaned_data["version"] or 0,
                    before,
                    reason=request.POST.get("reason", ""),
                )
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            else:
                messages.success(request, _("已保存。"))
                return redirect("org:organization_detail", pk=pk)
    return render(
        request,
        "org/organization_detail.html",
        {
            "org": org,
            "form": form,
            "can_edit": can_edit,
            "enrollments": org.enrollments.select_related("year", "category").order_by(
                "-year__year"
            ),
            "users": org.users.order_by("username") if can_edit else [],
            "history": render_audit(AuditEvent.objects.for_object(org)[:20]),
        },
    )


@role_required(Role.SYSTEM_ADMIN)
def organization_import(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[importing.RowError] = []
    if problem := text_problem(request.POST.get("reason", "")):
        form.add_error(None, _("导入原因%(e)s") % {"e": problem})
    if request.method == "POST" and form.is_valid() and year is not None:
        try:
            table = read_upload(form.cleaned_data["file"], importing.REQUIRED, importing.COLUMNS)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            result, errors = importing.import_table(
                table, year, reason=request.POST.get("reason", "")
            )
            if not errors:
                messages.success(
                    request,
                    _(
                        "导入完成：新增 %(c)d 个，更新 %(u)d 个，未变化 %(n)d 个，"
                        "类别归属变更 %(e)d 个。"
                    )
                    % {
                        "c": result.created,
                        "u": result.updated,
                        "n": result.unchanged,
                        "e": result.enrolled,
                    },
                )
                return redirect("org:organization_list")
    return render(
        request, "org/organization_import.html", {"form": form, "errors": errors, "year": year}
    )


@role_required(*READERS)
def organization_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if year is None:
        messages.error(request, _("请先设置考核年度。"))
        return redirect("org:organization_list")
    response = HttpResponse(
        workbook_response_bytes(importing.export_workbook(year)), content_type=XLSX_CONTENT_TYPE
    )
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="organizations-{year.year}-{stamp}.xlsx"'
    )
    return response


@role_required(*READERS)
def year_list(request: HttpRequest) -> HttpResponse:
    can_edit = request.user.has_role(Role.SYSTEM_ADMIN)  # type: ignore[union-attr]
    form = YearForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            actions.create_year(form.save(commit=False))
            messages.success(request, _("已新增考核年度。"))
            return redirect("org:year_list")
    years = AssessmentYear.objects.annotate(
        n_categories=Count("categories", distinct=True), n_units=Count("enrollments", distinct=True)
    )
    return render(
        request, "org/year_list.html", {"years": years, "form": form, "can_edit": can_edit}
    )


@require_POST
@role_required(Role.SYSTEM_ADMIN)
def year_make_current(request: HttpRequest, pk: int) -> HttpResponse:
    actions.set_current_year(get_object_or_404(AssessmentYear, pk=pk))
    messages.success(request, _("已切换当前年度。"))
    return redirect("org:year_list")


@role_required(*READERS)
def year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(AssessmentYear, pk=pk)
    can_edit = request.user.has_role(Role.SYSTEM_ADMIN)  # type: ignore[union-attr]
    category_form = (
        CategoryForm(request.POST or None, year=year, prefix="cat") if can_edit else None
    )
    if request.method == "POST":
        if category_form is None:
            return HttpResponse(status=403)
        if category_form.is_valid():
            actions.save_category(category_form.save(commit=False), None)
            messages.success(request, _("已新增类别。"))
            return redirect("org:year_detail", pk=pk)
    categories = year.categories.annotate(n=Count("enrollments"))
    enrollments = UnitEnrollment.objects.filter(year=year).select_related("unit", "category")
    return render(
        request,
        "org/year_detail.html",
        {
            "year": year,
            "categories": categories,
            "enrollments": enrollments,
            "category_form": category_form,
            "can_edit": can_edit,
        },
    )


@role_required(Role.SYSTEM_ADMIN)
def enrollment_edit(request: HttpRequest, year_pk: int, pk: int | None = None) -> HttpResponse:
    year = get_object_or_404(AssessmentYear, pk=year_pk)
    enrollment = get_object_or_404(UnitEnrollment, pk=pk, year=year) if pk else None
    before = (
        {"category_id": enrollment.category_id, "staffing": enrollment.staffing}
        if enrollment
        else None
    )
    form = EnrollmentForm(request.POST or None, instance=enrollment, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            actions.enroll_unit(form.save(commit=False), before, form.cleaned_data.get("version"))
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("已保存。"))
            return redirect("org:year_detail", pk=year.pk)
    return render(
        request, "org/enrollment_form.html", {"form": form, "year": year, "enrollment": enrollment}
    )
