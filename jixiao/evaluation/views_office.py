"""The office's pages: rounds, their setup, turnout, aggregates, lifecycle and slips.

Turnout is per group and aggregates per unit; no page lists a ballot or says who cast
what (docs/evaluation.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.records import snapshot
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import parse_decimal
from jixiao.core.permissions import role_required
from jixiao.evaluation import actions, marks
from jixiao.evaluation.actions import RoundError
from jixiao.evaluation.forms import (
    CodesForm,
    GroupForm,
    IndicatorChoiceForm,
    ReviewerAccountsForm,
    RoundForm,
    parse_items,
)
from jixiao.evaluation.models import DistributionBreach, DistributionMark, Round, RoundStatus
from jixiao.evaluation.results import ratings
from jixiao.evaluation.scope import access_round, rounds_visible_to
from jixiao.org.models import AssessmentYear
from jixiao.scheme.models import Scheme


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@role_required(Role.OFFICE, Role.LEADER)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = (
        rounds_visible_to(_user(request))
        .select_related("year", "scheme")
        .annotate(
            n_reviewers=Count("reviewers", distinct=True),
            n_cast=Count("reviewers", filter=Q(reviewers__cast_at__isnull=False), distinct=True),
            n_indicators=Count("indicators", distinct=True),
        )
    )
    return render(
        request,
        "evaluation/round_list.html",
        {"rounds": rounds, "is_office": _user(request).has_role(Role.OFFICE)},
    )


@role_required(Role.OFFICE)
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = actions.create_round(form.save(commit=False), _user(request))
        messages.success(request, _("已新建评议轮次，请选择评议指标、设置评议组和权重。"))
        return redirect("evaluation:round_detail", pk=round_.pk)
    return render(request, "evaluation/round_form.html", {"form": form})


@role_required(Role.OFFICE)
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(_user(request), pk)
    before = snapshot(round_, actions.ROUND_FIELDS)
    form = RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_round(form.save(commit=False), form.cleaned_data["version"] or 0, before)
        except (RoundError, EditConflict) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("evaluation:round_detail", pk=pk)
    return render(request, "evaluation/round_form.html", {"form": form, "round": round_})


@role_required(Role.OFFICE, Role.LEADER)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(_user(request), pk)
    indicators = list(
        round_.indicators.select_related("indicator").prefetch_related("items", "weights__group")
    )
    groups = list(round_.groups.prefetch_related("categories", "units"))
    weights = {
        (w.round_indicator_id, w.group_id): w.weight for ri in indicators for w in ri.weights.all()
    }
    matrix = [(ri, [(g, weights.get((ri.pk, g.pk))) for g in groups]) for ri in indicators]
    is_office = _user(request).has_role(Role.OFFICE)
    context = {
        "round": round_,
        "matrix": matrix,
        "groups": groups,
        "turnout": actions.turnout(round_),
        "warnings": actions.ballot_warnings(round_) if round_.status == RoundStatus.OPEN else [],
        "problems": actions.setup_problems(round_) if round_.status == RoundStatus.DRAFT else [],
        "results": ratings(round_) if round_.status != RoundStatus.DRAFT else [],
        "is_office": is_office,
        "editable": is_office and round_.status == RoundStatus.DRAFT,
        "codes": round_.reviewers.with_codes().count(),
    }
    if context["editable"]:
        context |= {
            "indicator_form": IndicatorChoiceForm(round_),
            "group_form": GroupForm(round_),
        }
    if is_office:
        context |= {"accounts_form": ReviewerAccountsForm(round_), "codes_form": CodesForm(round_)}
    return render(request, "evaluation/round_detail.html", context)


def _done(request: HttpRequest, round_: Round, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("evaluation:round_detail", pk=round_.pk)


def _refused(request: HttpRequest, round_: Round, error: Exception) -> HttpResponse:
    messages.error(request, str(error))
    return redirect("evaluation:round_detail", pk=round_.pk)


@require_POST
@role_required(Role.OFFICE)
def round_setup(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """The setup forms of the detail page: indicator, group, weights, items, reviewers."""
    round_ = access_round(_user(request), pk)
    try:
        if part == "indicator":
            form = IndicatorChoiceForm(round_, request.POST)
            if not form.is_valid():
                raise RoundError(_("请选择评议指标。"))
            actions.add_indicator(round_, form.cleaned_data["indicator"])
        elif part == "group":
            group_form = GroupForm(round_, request.POST)
            if not group_form.is_valid():
                raise RoundError(_("请填写评议组名称并选择评议类别。"))
            data = group_form.cleaned_data
            actions.add_group(round_, data["name"], data["categories"], data["units"])
        elif part == "weights":
            ri = round_.indicators.get(pk=request.POST.get("round_indicator") or 0)
            weights = {}
            for group in round_.groups.all():
                value = parse_decimal(request.POST.get(f"w-{group.pk}", ""), percent=True)
                if value:
                    weights[group] = value
            actions.set_weights(ri, weights)
            actions.set_items(ri, parse_items(request.POST.get("items", "")))
        elif part == "accounts":
            accounts = ReviewerAccountsForm(round_, request.POST)
            if not accounts.is_valid():
                raise RoundError(_("请选择评议组和评议人账号。"))
            added = actions.add_reviewer_accounts(
                round_, accounts.cleaned_data["group"], accounts.cleaned_data["users"]
            )
            return _done(request, round_, _("已添加 %(n)s 名评议人。") % {"n": len(added)})
        elif part == "codes":
            codes = CodesForm(round_, request.POST)
            if not codes.is_valid():
                raise RoundError(_("请选择评议组并填写 1 至 2000 的数量。"))
            made = actions.issue_codes(
                round_, codes.cleaned_data["group"], codes.cleaned_data["count"]
            )
            return _done(
                request, round_, _("已生成 %(n)s 个评议码，可打印评议票。") % {"n": len(made)}
            )
        else:
            raise RoundError(_("未知操作。"))
    except (RoundError, ValueError) as error:
        return _refused(request, round_, error)
    except ObjectDoesNotExist:  # a stale page names an indicator no longer in the round
        return _refused(request, round_, RoundError(_("该指标已不在本轮次中，请刷新页面。")))
    return _done(request, round_, _("已保存。"))


@require_POST
@role_required(Role.OFFICE)
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(_user(request), pk)
    to = request.POST.get("to", "")
    try:
        if to == RoundStatus.OPEN and round_.status == RoundStatus.DRAFT:
            actions.open_round(round_)
            message = _("评议已开始。")
        elif to == RoundStatus.OPEN:
            actions.reopen_round(round_, request.POST.get("reason", ""))
            message = _("评议已重新开放。")
        elif to == RoundStatus.CLOSED:
            actions.close_round(round_, acknowledge=request.POST.get("acknowledge") == "1")
            message = _("评议已结束。")
        elif to == RoundStatus.PUBLISHED:
            n = actions.publish_round(round_)
            message = _("已发布：%(n)s 条评议得分写入考核数据，参与计分。") % {"n": n}
        else:
            raise RoundError(_("未知操作。"))
    except RoundError as error:
        return _refused(request, round_, error)
    return _done(request, round_, message)


@role_required(Role.OFFICE)
def slips_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from jixiao.evaluation.slips import slips_response

    round_ = access_round(_user(request), pk)
    base = request.build_absolute_uri("/")[:-1]
    return slips_response(round_, base)


@role_required(Role.OFFICE, Role.LEADER)
def breaches(request: HttpRequest) -> HttpResponse:
    """Departments whose qualitative scores broke the distribution, this year and last:
    last year's list is the one this year's scheme acts on (lower weight or revoke)."""
    year = AssessmentYear.current()
    rows = DistributionBreach.objects.select_related(
        "scheme__year", "department", "indicator", "category", "event", "period"
    )
    this_year = list(rows.filter(scheme__year=year)) if year else []
    last_year = list(rows.filter(scheme__year__year=year.year - 1)) if year else []
    schemes = _this_and_last_scheme(year)
    carried = (
        set(DistributionMark.objects.filter(scheme=schemes[0]).values_list("breach_id", flat=True))
        if schemes
        else set()
    )
    return render(
        request,
        "evaluation/breaches.html",
        {
            "year": year,
            "this_year": this_year,
            "last_year": last_year,
            "scheme": schemes[0] if schemes else None,
            "carried": carried,
            "to_carry": sum(1 for b in last_year if b.pk not in carried) if schemes else 0,
            "is_office": _user(request).has_role(Role.OFFICE),
        },
    )


def _this_and_last_scheme(year: AssessmentYear | None) -> tuple[Scheme, Scheme] | None:
    if year is None:
        return None
    this = Scheme.objects.filter(year=year).first()
    last = Scheme.objects.filter(year__year=year.year - 1).first()
    return (this, last) if this and last else None


@role_required(Role.OFFICE)
@require_POST
def breaches_carry(request: HttpRequest) -> HttpResponse:
    """Carry last year's breaches recorded after the scheme was copied (the copy carries
    those it finds) into this year's scheme: beside the indicator concerned."""
    schemes = _this_and_last_scheme(AssessmentYear.current())
    if schemes is None:
        messages.error(request, _("本年度或上年度还没有考核方案，无法带入。"))
    else:
        made = marks.carry_marks(*schemes)
        messages.success(request, _("已将 %(n)s 条上年度违规标记带入本年度方案。") % {"n": made})
    return redirect("evaluation:breaches")
