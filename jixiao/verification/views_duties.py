"""Pages of the 三定 duties check (office) and the negative list (office, departments)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection import ledger
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
from jixiao.core.values import int_param, strict_int
from jixiao.org.models import AssessmentYear, Organization, UnitEnrollment
from jixiao.scheme.models import Scheme
from jixiao.verification import actions, duties
from jixiao.verification.forms import DutyImportForm, NegativeEventForm, NegativeItemForm
from jixiao.verification.models import Duty, NegativeItem


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _year(request: HttpRequest) -> AssessmentYear | None:
    wanted = int_param(request.GET, "year")
    year = AssessmentYear.objects.filter(year=wanted).first() if wanted is not None else None
    return year or AssessmentYear.current()


def _nothing_yet(request: HttpRequest, title: str, text: str) -> HttpResponse:
    """A menu page opened before there is a year (or a scheme) to show."""
    return render(request, "verification/nothing_yet.html", {"title": title, "text": text})


# -- 三定 duties ---------------------------------------------------------------------------


@role_required(Role.OFFICE)
def duties_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    if year is None:
        return _nothing_yet(request, _("三定职责对应"), _("还没有考核年度。"))
    if request.GET.get("format") == "xlsx":
        workbook = duties.coverage_workbook(year)
        record(AuditAction.EXPORT, None, after={"format": "xlsx", "what": _("三定职责覆盖情况")})
        name = _("%(y)s年三定职责覆盖情况") % {"y": year.year}
        response = HttpResponse(workbook_response_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name + '.xlsx')}"
        return response
    form = DutyImportForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            table = read_upload(form.cleaned_data["file"], duties.REQUIRED, duties.COLUMNS)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
        else:
            rows, errors = duties.parse_table(table, year)
            if not errors:
                counts = actions.import_duties(_user(request), year, rows)
                messages.success(
                    request,
                    _(
                        "导入完成：新增 %(created)d 条，修改 %(updated)d 条，"
                        "未变化 %(unchanged)d 条，删除 %(deleted)d 条。"
                    )
                    % counts,
                )
                return redirect(f"{reverse('verification:duties')}?year={year.year}")
    units, categories = duties.coverage(year)
    return render(
        request,
        "verification/duties.html",
        {
            "year": year,
            "years": AssessmentYear.objects.order_by("-year"),
            "units": units,
            "categories": categories,
            "form": form,
            "errors": errors,
        },
    )


@role_required(Role.OFFICE)
def duty_unit(request: HttpRequest, unit_pk: int) -> HttpResponse:
    year = _year(request)
    if year is None:
        raise Http404
    unit = get_object_or_404(
        Organization,
        pk=unit_pk,
        pk__in=UnitEnrollment.objects.filter(year=year).values("unit_id"),
    )
    units, _categories = duties.coverage(year, unit)
    cov = units[0]
    through = Duty.indicators.through.objects.filter(duty__in=cov.duties)
    chosen: dict[int, set[int]] = {}
    for duty_id, indicator_id in through.values_list("duty_id", "indicator_id"):
        chosen.setdefault(duty_id, set()).add(indicator_id)
    return render(
        request,
        "verification/duty_unit.html",
        {
            "year": year,
            "cov": cov,
            "rows": [(d, cov.linked.get(d.pk, []), chosen.get(d.pk, set())) for d in cov.duties],
            "linkable": duties.linkable(year, unit),
        },
    )


@role_required(Role.OFFICE)
@require_POST
def duty_link(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(Duty.objects.select_related("year", "unit"), pk=pk)
    ids = [strict_int(v) for v in request.POST.getlist("indicator")]
    version = strict_int(request.POST.get("version"))
    if None in ids or version is None:
        raise Http404
    try:
        actions.link_duty(_user(request), duty, [i for i in ids if i is not None], version)
    except (TransitionRefused, EditConflict) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, _("已保存第 %(n)d 项职责的对应指标。") % {"n": duty.number})
    url = reverse("verification:duty_unit", args=[duty.unit_id])
    return redirect(f"{url}?year={duty.year.year}#duty-{duty.pk}")


# -- the negative list ----------------------------------------------------------------------


def _items_for(user: User, scheme: Scheme) -> QuerySet[NegativeItem]:
    items = NegativeItem.objects.filter(scheme=scheme).select_related("indicator__owner")
    if user.role == Role.DEPARTMENT:
        items = items.filter(indicator__owner_id=user.organization_id, is_active=True)
    return items


@role_required(Role.OFFICE, Role.DEPARTMENT)
def negative_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year = _year(request)
    scheme = Scheme.objects.filter(year=year).first() if year is not None else None
    if year is None or scheme is None:
        return _nothing_yet(request, _("负面清单"), _("本年度还没有考核方案。"))
    edit = None
    if (pk := int_param(request.GET, "edit")) is not None and user.role == Role.OFFICE:
        edit = get_object_or_404(NegativeItem, pk=pk, scheme=scheme)
    form = None
    if user.role == Role.OFFICE:
        form = NegativeItemForm(
            request.POST or None, instance=edit or NegativeItem(scheme=scheme), scheme=scheme
        )
        if request.method == "POST" and form.is_valid():
            # The form has already written its values on `edit`: audit against the row.
            item = NegativeItem.objects.get(pk=edit.pk) if edit else NegativeItem(scheme=scheme)
            try:
                actions.save_negative_item(
                    user, item, form.cleaned_data, strict_int(request.POST.get("version"))
                )
            except (TransitionRefused, EditConflict) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存负面清单事项“%(n)s”。") % {"n": item.name})
                return redirect(f"{reverse('verification:negative')}?year={year.year}")
    elif request.method == "POST":
        return HttpResponse(status=403)
    return render(
        request,
        "verification/negative.html",
        {
            "year": year,
            "items": _items_for(user, scheme),
            "form": form,
            "edit": edit,
            "record_form": NegativeEventForm(units=ledger.units_of(scheme))
            if user.role == Role.DEPARTMENT
            else None,
        },
    )


@role_required(Role.DEPARTMENT)
@require_POST
def negative_record(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = get_object_or_404(
        NegativeItem.objects.select_related("scheme__year", "indicator"),
        pk=pk,
        indicator__owner_id=user.organization_id,
    )
    form = NegativeEventForm(request.POST, request.FILES, units=ledger.units_of(item.scheme))
    back = f"{reverse('verification:negative')}?year={item.scheme.year.year}"
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in problems:
                messages.error(request, f"{label}：{problem}" if label else str(problem))
        return redirect(back)
    data = form.cleaned_data
    try:
        event = actions.record_negative_event(
            user,
            item,
            unit=data["unit"],
            occurred_on=data["occurred_on"],
            description=data["description"],
            document_number=data["document_number"],
            files=[data["file"]] if data.get("file") else [],
        )
    except TransitionRefused as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("已登记为加扣分事项（草稿），请核对后提交审核。"))
    for warning in ledger.cap_warnings(event):
        messages.warning(request, warning)
    return redirect("collection:bonus_detail", event.pk)
