"""Office (and unit) pages of the public rating: windows and QR sheet, dashboard,
quarantine review. A unit sees its own windows' figures and comments only."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.forms import StyledForm
from jixiao.core.permissions import role_required
from jixiao.core.values import strict_int
from jixiao.evaluation import satisfaction
from jixiao.evaluation.public_models import RatingStatus, ServiceWindow
from jixiao.org.models import AssessmentYear, Organization


class WindowForm(StyledForm):
    unit = forms.ModelChoiceField(
        queryset=Organization.objects.assessed_units(), label=gettext_lazy("单位")
    )
    name = forms.CharField(label=gettext_lazy("服务窗口名称"), max_length=100)
    items = forms.CharField(
        label=gettext_lazy("服务事项（每行一项，可不填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@role_required(Role.OFFICE)
def windows(request: HttpRequest) -> HttpResponse:
    form = WindowForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("do") == "units":
            year = AssessmentYear.current()
            n = satisfaction.ensure_unit_windows(year) if year else 0
            messages.success(request, _("已为 %(n)s 个单位生成评价码。") % {"n": n})
            return redirect("evaluation:windows")
        if form.is_valid():
            try:
                satisfaction.add_window(**form.cleaned_data)
            except satisfaction.WindowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已登记服务窗口。"))
                return redirect("evaluation:windows")
    rows = ServiceWindow.objects.select_related("unit")
    return render(request, "evaluation/windows.html", {"windows": rows, "form": form})


@role_required(Role.OFFICE)
def qr_sheet(request: HttpRequest) -> HttpResponse:
    rows = list(ServiceWindow.objects.filter(is_active=True).select_related("unit"))
    return satisfaction.sheet_response(rows, request.build_absolute_uri("/")[:-1])


@role_required(Role.OFFICE, Role.LEADER, Role.UNIT)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year_obj = AssessmentYear.current()
    year = year_obj.year if year_obj else date.today().year
    qs = satisfaction.ratings_visible_to(user)
    rows = satisfaction.window_rows(qs, date(year, 1, 1), date(year, 12, 31))
    q = request.GET.get("q", "").strip()[:50]
    comments = qs.exclude(comment="").select_related("window__unit").order_by("-created_at")
    if q:
        comments = comments.filter(comment__icontains=q)
    page = Paginator(comments, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "year": year,
            "lowest": rows[:10],
            "trend": satisfaction.monthly_trend(qs, year),
            "page": page,
            "q": q,
            "quarantined": qs.filter(status=RatingStatus.QUARANTINED).count(),
            "is_office": user.has_role(Role.OFFICE),
        },
    )


@role_required(Role.OFFICE)
def quarantine(request: HttpRequest) -> HttpResponse:
    qs = (
        satisfaction.ratings_visible_to(_user(request))
        .filter(status=RatingStatus.QUARANTINED)
        .select_related("window__unit")
        .order_by("address", "-created_at")
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "evaluation/quarantine.html", {"page": page})


@require_POST
@role_required(Role.OFFICE)
def quarantine_review(request: HttpRequest) -> HttpResponse:
    ids = [i for i in map(strict_int, request.POST.getlist("ids")) if i is not None]
    chosen = satisfaction.ratings_visible_to(_user(request)).filter(pk__in=ids)
    try:
        n = satisfaction.review_quarantined(
            list(chosen), request.POST.get("do") == "count", request.POST.get("reason", "")
        )
    except satisfaction.WindowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已核查 %(n)s 条评价。") % {"n": n})
    return redirect("evaluation:quarantine")
