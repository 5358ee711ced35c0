"""The tree editor of the performance office: add, edit, move, reorder, remove nodes and
edit points inline (htmx). Every view re-checks the role and the scheme's lock."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import parse_decimal
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int
from jixiao.org.models import UnitCategory
from jixiao.scheme import actions
from jixiao.scheme.access import access_indicator, access_scheme
from jixiao.scheme.editing import tree_view
from jixiao.scheme.forms import IndicatorForm, MoveForm
from jixiao.scheme.models import Indicator, Scheme
from jixiao.scheme.validation import POINT_DIGITS, decimal_places

OFFICE = Role.OFFICE


def _editor_url(scheme: Scheme, code: str | None = None) -> str:
    url = reverse("scheme:scheme_detail", args=[scheme.pk])
    return f"{url}#row-{code}" if code else url


def _tree_response(request: HttpRequest, scheme: Scheme, error: str = "") -> HttpResponse:
    """htmx gets the re-rendered tree; a plain form post goes back to the editor."""
    if request.htmx:  # type: ignore[attr-defined]
        response = render(
            request, "scheme/_tree.html", {"view": tree_view(scheme), "tree_error": error}
        )
        return response
    if error:
        messages.error(request, error)
    return redirect(_editor_url(scheme))


def _input(form: IndicatorForm) -> actions.IndicatorInput:
    data = form.cleaned_data
    return actions.IndicatorInput(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        is_qualitative=data["is_qualitative"],
        description=data["description"],
        standard=data["standard"],
        owner=data["owner"],
        period=data["period"],
        method=data.get("method") or "",
        params=data["params"],
        bonus_cap=data["bonus_cap"],
        penalty_cap=data["penalty_cap"],
        points=data["points"],
        units=list(data["units"]),
        must_report=bool(data.get("must_report")),
    )


def _categories(scheme: Scheme) -> list[UnitCategory]:
    return list(UnitCategory.objects.filter(year=scheme.year))


@role_required(OFFICE)
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    parent = after = None
    if (parent_id := int_param(request.GET, "parent")) is not None:
        parent = access_indicator(scheme, parent_id)
    if (after_id := int_param(request.GET, "after")) is not None:
        after = access_indicator(scheme, after_id)
        parent = after.parent
    if not actions.is_editable(scheme):
        messages.error(request, _("方案已锁定，不能新增指标。"))
        return redirect(_editor_url(scheme))
    initial: dict[str, Any] = {}
    if parent is not None:
        initial = {"kind": parent.kind, "period": parent.period, "owner": parent.owner_id}
    form = IndicatorForm(
        request.POST or None,
        instance=Indicator(scheme=scheme),
        scheme=scheme,
        categories=_categories(scheme),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = actions.create_indicator(scheme, _input(form), parent, after)
        except actions.SchemeActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已新增指标 %(c)s。") % {"c": indicator.code})
            return redirect(_editor_url(scheme, indicator.code))
    return render(
        request,
        "scheme/indicator_form.html",
        {"scheme": scheme, "form": form, "parent": parent, "after": after, "indicator": None},
    )


@role_required(OFFICE)
def indicator_edit(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    indicator = access_indicator(scheme, indicator_pk)
    editable = actions.is_editable(scheme)
    form = IndicatorForm(
        request.POST if request.method == "POST" and editable else None,
        instance=indicator,
        scheme=scheme,
        categories=_categories(scheme),
    )
    if request.method == "POST":
        if not editable:
            return HttpResponse(_("方案已锁定。"), status=409)
        if form.is_valid():
            try:
                actions.update_indicator(indicator, form.cleaned_data["version"] or 0, _input(form))
            except (actions.SchemeActionError, EditConflict) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已保存 %(c)s。") % {"c": indicator.code})
                return redirect(_editor_url(scheme, indicator.code))
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "scheme/indicator_form.html",
        {
            "scheme": scheme,
            "form": form,
            "indicator": indicator,
            "parent": indicator.parent,
            "editable": editable,
        },
    )


@role_required(OFFICE)
def params_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The parameter fields of the method picked in the select (htmx)."""
    scheme = access_scheme(request.user, pk)
    instance = Indicator(scheme=scheme, method="")
    data = request.GET.copy()
    form = IndicatorForm(data, instance=instance, scheme=scheme, categories=[])
    return render(request, "scheme/_params.html", {"form": form, "fresh": True})


@require_POST
@role_required(OFFICE)
def indicator_points(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    indicator = access_indicator(scheme, indicator_pk)
    category = UnitCategory.objects.filter(
        year=scheme.year, code=request.POST.get("category", "")
    ).first()
    if category is None:
        return HttpResponse(_("类别不存在。"), status=400)
    try:
        points = parse_decimal(request.POST.get("points"), digits=12)
        if points is not None and (points < 0 or decimal_places(points) > POINT_DIGITS):
            raise ValueError(_("分值不能为负，且最多 4 位小数"))
        version = strict_int(request.POST.get("version", "0")) or 0
    except ValueError as error:
        return _tree_response(
            request, scheme, _("%(c)s：%(e)s") % {"c": indicator.code, "e": error}
        )
    try:
        actions.set_points(indicator, version, category, points)
    except (actions.SchemeActionError, EditConflict) as error:
        return _tree_response(request, scheme, str(error))
    return _tree_response(request, scheme)


@require_POST
@role_required(OFFICE)
def indicator_shift(
    request: HttpRequest, pk: int, indicator_pk: int, direction: str
) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    indicator = access_indicator(scheme, indicator_pk)
    try:
        actions.shift_indicator(indicator, -1 if direction == "up" else 1)
    except actions.SchemeActionError as error:
        return _tree_response(request, scheme, str(error))
    return _tree_response(request, scheme)


@require_POST
@role_required(OFFICE)
def indicator_delete(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    indicator = access_indicator(scheme, indicator_pk)
    try:
        count = actions.delete_indicator(
            indicator, strict_int(request.POST.get("version", "0")) or 0
        )
    except (actions.SchemeActionError, EditConflict, ValueError) as error:
        return _tree_response(request, scheme, str(error))
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, _("已删除 %(n)d 个指标。") % {"n": count})
    return _tree_response(request, scheme)


@role_required(OFFICE)
def indicator_move(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    indicator = access_indicator(scheme, indicator_pk)
    form = MoveForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["parent"]
        new_parent = access_indicator(scheme, target) if target else None
        try:
            actions.move_indicator(indicator, form.cleaned_data["version"], new_parent)
        except (actions.SchemeActionError, EditConflict) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已移动 %(c)s。") % {"c": indicator.code})
            return redirect(_editor_url(scheme, indicator.code))
    return render(
        request, "scheme/move_form.html", {"scheme": scheme, "indicator": indicator, "form": form}
    )
