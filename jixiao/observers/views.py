"""Pages of the observers workspace: observers on site (phone first), the office
(points, assignments, all observations, returns), units (what observers said about them,
once submitted) and the quarterly reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int
from jixiao.observers import actions, reports
from jixiao.observers.access import (
    access_observation,
    access_report_unit,
    assignments_of,
    observations_visible_to,
)
from jixiao.observers.forms import AssignmentForm, ObservationForm, PointForm, ReturnForm
from jixiao.observers.models import Assignment, ObservationPhoto, ObservationPoint

ROLES = (Role.OFFICE, Role.OBSERVER, Role.UNIT)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, error: TransitionRefused | EditConflict) -> None:
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


@role_required(*ROLES)
def index(request: HttpRequest) -> HttpResponse:
    """The observer's workspace, the office's list of every observation, a unit's own."""
    user = _user(request)
    observations = observations_visible_to(user)
    status = request.GET.get("status", "")
    if status in ("draft", "submitted", "returned") and user.role != Role.UNIT:
        observations = observations.filter(status=status)
    if (unit_id := int_param(request.GET, "unit")) is not None and user.role == Role.OFFICE:
        observations = observations.filter(unit_id=unit_id)
    page = Paginator(observations.prefetch_related("photos"), 50).get_page(
        strict_int(request.GET.get("page")) or 1
    )
    return render(
        request,
        "observers/index.html",
        {
            "page": page,
            "status": status,
            "assignments": assignments_of(user) if user.role == Role.OBSERVER else None,
            "year_quarter": reports.current_quarter(),
        },
    )


def _observation_form_page(
    request: HttpRequest, form: ObservationForm, observation: object | None
) -> HttpResponse:
    return render(request, "observers/edit.html", {"form": form, "observation": observation})


def _save(request: HttpRequest, pk: int | None) -> HttpResponse:
    user = _user(request)
    observation = access_observation(user, pk) if pk is not None else None
    if observation is not None and not observation.is_editable:
        messages.error(request, _("观察记录已提交，不能再修改。"))
        return redirect("observers:detail", observation.pk)
    if request.method != "POST":
        initial: dict[str, object] = {"observed_on": timezone.localdate()}
        if observation is not None:
            initial = {
                "unit": observation.unit_id,
                "point": observation.point_id,
                "observed_on": observation.observed_on,
                "rating": observation.rating,
                "text": observation.text,
                "version": observation.version,
            }
        return _observation_form_page(request, ObservationForm(user, initial=initial), observation)
    form = ObservationForm(user, request.POST)
    if not form.is_valid():
        return _observation_form_page(request, form, observation)
    data = form.cleaned_data
    try:
        saved = actions.save_observation(
            user,
            observation,
            unit=data["unit"],
            point=data["point"],
            observed_on=data["observed_on"],
            rating=data["rating"],
            text=data["text"],
            version=data.get("version"),
            files=request.FILES.getlist("photos"),
        )
        if request.POST.get("submit") == "1":
            actions.submit_observation(user, saved, saved.version)
            messages.success(request, _("观察记录已提交。"))
        else:
            messages.success(request, _("草稿已保存。"))
    except (TransitionRefused, EditConflict) as error:
        _refused(request, error)
        return _observation_form_page(request, form, observation)
    return redirect("observers:detail", saved.pk)


@role_required(Role.OBSERVER)
def new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@role_required(Role.OBSERVER)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, pk)


@role_required(*ROLES, Role.LEADER)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    observation = access_observation(user, pk)
    return render(
        request,
        "observers/detail.html",
        {
            "o": observation,
            "photos": observation.photos.all(),
            "can_edit": user.pk == observation.observer_id and observation.is_editable,
            "can_return": user.role == Role.OFFICE and observation.status == "submitted",
            "return_form": ReturnForm(),
        },
    )


@role_required(Role.OBSERVER)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    observation = access_observation(user, pk)
    try:
        actions.submit_observation(user, observation, strict_int(request.POST.get("version")) or 0)
    except (TransitionRefused, EditConflict) as error:
        _refused(request, error)
    else:
        messages.success(request, _("观察记录已提交。"))
    return redirect("observers:detail", observation.pk)


@role_required(Role.OFFICE)
@require_POST
def return_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    observation = access_observation(user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("observers:detail", observation.pk)
    try:
        actions.return_observation(user, observation, form.cleaned_data["reason"])
    except (TransitionRefused, EditConflict) as error:
        _refused(request, error)
    else:
        messages.success(request, _("已退回观察员。"))
    return redirect("observers:detail", observation.pk)


@role_required(*ROLES, Role.LEADER)
def photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    observation = access_observation(_user(request), pk)
    obj = get_object_or_404(ObservationPhoto, pk=photo_pk, observation=observation)
    record(AuditAction.EXPORT, obj, after={"name": obj.original_name})
    response = FileResponse(
        obj.file.open("rb"),
        as_attachment=True,
        filename=obj.original_name,
        content_type=obj.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@role_required(Role.OBSERVER)
@require_POST
def remove_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    user = _user(request)
    observation = access_observation(user, pk)
    obj = get_object_or_404(ObservationPhoto, pk=photo_pk, observation=observation)
    try:
        actions.remove_photo(user, obj)
    except TransitionRefused as error:
        _refused(request, error)
    return redirect("observers:edit", observation.pk)


# -- the office: points and assignments ------------------------------------------------


@role_required(Role.OFFICE)
def points(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.register_point(
                user, d["unit"], name=d["name"], address=d["address"], focus=d["focus"]
            )
        except TransitionRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("观测点已登记。"))
            return redirect("observers:points")
    rows = ObservationPoint.objects.select_related("unit")
    page = Paginator(rows, 100).get_page(strict_int(request.GET.get("page")) or 1)
    return render(request, "observers/points.html", {"form": form, "page": page})


@role_required(Role.OFFICE)
@require_POST
def point_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(ObservationPoint, pk=pk)
    actions.set_point_active(_user(request), point, not point.is_active)
    messages.success(request, _("已更新观测点。"))
    return redirect("observers:points")


@role_required(Role.OFFICE)
def assignments(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.assign_observer(user, d["observer"], d["unit"], d["point"])
        except TransitionRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("观察任务已分配。"))
            return redirect("observers:assignments")
    rows = Assignment.objects.select_related("observer", "unit", "point")
    page = Paginator(rows, 100).get_page(strict_int(request.GET.get("page")) or 1)
    return render(request, "observers/assignments.html", {"form": form, "page": page})


@role_required(Role.OFFICE)
@require_POST
def unassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("observer", "unit"), pk=pk)
    actions.unassign_observer(_user(request), assignment)
    messages.success(request, _("观察任务已取消。"))
    return redirect("observers:assignments")


# -- reports -------------------------------------------------------------------------


def _year_quarter(request: HttpRequest) -> tuple[int, int]:
    year, quarter = reports.current_quarter()
    y = int_param(request.GET, "year")
    q = int_param(request.GET, "quarter")
    if y is not None and 2000 <= y <= 2100:
        year = y
    if q is not None and 1 <= q <= 4:
        quarter = q
    return year, quarter


@role_required(Role.OFFICE, Role.LEADER, Role.UNIT)
def report(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = access_report_unit(_user(request), unit_pk)
    year, quarter = _year_quarter(request)
    data = reports.unit_report(unit, year, quarter)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return reports.report_xlsx(data)
    if fmt == "pdf":
        return reports.report_pdf(data)
    return render(request, "observers/report.html", {"r": data, "quarters": (1, 2, 3, 4)})


@role_required(Role.OFFICE, Role.LEADER)
def overview(request: HttpRequest) -> HttpResponse:
    year, quarter = _year_quarter(request)
    rows = reports.overview(year, quarter)
    if request.GET.get("format") == "xlsx":
        return reports.overview_xlsx(year, quarter, rows)
    return render(
        request,
        "observers/overview.html",
        {"rows": rows, "year": year, "quarter": quarter, "quarters": (1, 2, 3, 4)},
    )
