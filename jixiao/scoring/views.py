"""Results pages: runs and versions, rankings, report cards (成绩单), explanations,
statistics, a department's leaf scores, and the actions' forms. Every object is fetched
through `jixiao.scoring.access`, which 404s what the user may not see."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.core.actions import start_job
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int, text_problem
from jixiao.org.models import AssessmentYear
from jixiao.scoring import actions, exports, jobs
from jixiao.scoring.access import (
    RESULT_ROLES,
    access_result,
    access_run,
    can_see_cards,
    can_see_department_scores,
    can_see_rankings,
    own_category_id,
    visible_runs,
)
from jixiao.scoring.card_html import lines_html
from jixiao.scoring.gaps import Gap, run_gaps
from jixiao.scoring.models import (
    GapAcknowledgement,
    RankingsAudience,
    RunCategory,
    RunStatus,
    ScoreRun,
    UnitResult,
)
from jixiao.scoring.outcomes import Payout, payouts
from jixiao.scoring.payouts import category_payouts, result_payout
from jixiao.scoring.quarterly import card_quarters
from jixiao.scoring.versions import version_of, versions
from jixiao.scoring.views_support import (
    card_for,
    explain_result,
    gap_notes,
    owned_leaf_scores,
    run_diff,
)
from jixiao.scoring.views_support import statistics as run_statistics

SORTS = {
    "rank": ("position",),
    "total": ("total", "-position"),
    "code": ("unit__code",),
    "change": ("last_rank", "position"),
}


def _year(request: HttpRequest) -> AssessmentYear | None:
    wanted = int_param(request.GET, "year")
    if wanted is not None:
        return AssessmentYear.objects.filter(year=wanted).first()
    return AssessmentYear.current()


def _user(request: HttpRequest) -> Any:
    return request.user


@role_required(*RESULT_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it may read: the office on the versions, the others on
    the published run of the year."""
    user = _user(request)
    year = _year(request)
    runs = visible_runs(user).filter(year=year) if year else ScoreRun.objects.none()
    if user.role == Role.OFFICE:
        return render(
            request,
            "scoring/run_list.html",
            {
                "year": year,
                "years": AssessmentYear.objects.all(),
                "versions": versions(runs.select_related("created_by", "published_by")),
            },
        )
    run = runs.first()
    if run is not None:
        if user.role == Role.UNIT:
            if UnitResult.objects.filter(run=run, unit_id=user.organization_id).exists():
                return redirect("scoring:card", run.pk, user.organization_id)
        elif user.role == Role.DEPARTMENT:
            return redirect("scoring:department", run.pk)
        else:
            return redirect("scoring:run", run.pk)
    return render(request, "scoring/empty.html", {"year": year})


@role_required(Role.OFFICE)
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    """A recompute is a long job: the office watches it on the job page (done on
    return when embedded), which links to the new run."""
    wanted = int_param(request.POST, "year")
    year = AssessmentYear.objects.filter(pk=wanted).first() if wanted is not None else None
    if year is None:
        raise Http404
    note = request.POST.get("note", "").strip()
    if problem := text_problem(note):
        messages.error(request, _("备注%(e)s") % {"e": problem})
        return redirect(f"{_url('scoring:index')}?year={year.year}")
    title = _("计算 %(year)s 考核结果") % {"year": year.name}
    job = start_job(_user(request), jobs.COMPUTE, title, {"year": year.pk, "note": note})
    return redirect("core:job", job.pk)


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


@role_required(Role.OFFICE, Role.LEADER)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    run = access_run(user, pk)
    categories = list(
        RunCategory.objects.filter(run=run).select_related("category").defer("data", "layout")
    )
    diff = []
    if user.role == Role.OFFICE and run.compared_with_id:
        compared = ScoreRun.objects.get(pk=run.compared_with_id)
        diff = run_diff(compared, run)[:200]
    history = []
    gaps: list[Gap] = []
    if user.role == Role.OFFICE:
        from jixiao.audit.models import AuditEvent
        from jixiao.audit.render import render as render_audit

        history = render_audit(AuditEvent.objects.for_object(run)[:20])
        gaps = run_gaps(run) if run.status == RunStatus.COMPUTED else []
    return render(
        request,
        "scoring/run_detail.html",
        {
            "run": run,
            "version": version_of(run),
            "categories": categories,
            "diff": diff,
            "history": history,
            "gaps": gaps,
            "open_gaps": sum(1 for g in gaps if g.acknowledged is None),
            "acks": GapAcknowledgement.objects.filter(run=run)
            .select_related("unit", "acknowledged_by")
            .order_by("unit__code", "indicator_code")
            if run.is_frozen
            else [],
            "audiences": RankingsAudience.choices,
            "is_office": user.role == Role.OFFICE,
            "is_newest": run.number
            == ScoreRun.objects.filter(year_id=run.year_id)
            .order_by("-number")
            .values_list("number", flat=True)[0],
        },
    )


@role_required(Role.OFFICE)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    try:
        actions.publish_run(
            run,
            user=_user(request),
            audience=request.POST.get("audience", RankingsAudience.LEADERS),
            reason=request.POST.get("reason", ""),
        )
    except actions.ResultActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已发布 %(run)s，结果已冻结。") % {"run": run})
    return redirect("scoring:run", run.pk)


@role_required(Role.OFFICE)
@require_POST
def acknowledge_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    """The office ticks the gaps it has seen and says why it publishes anyway."""
    run = access_run(_user(request), pk)
    try:
        count = actions.acknowledge_gaps(
            run,
            user=_user(request),
            keys=request.POST.getlist("gap"),
            reason=request.POST.get("reason", ""),
        )
    except actions.ResultActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("已确认 %(n)d 项，原因将显示在相关单位的成绩单上。") % {"n": count}
        )
    return redirect(f"{_url('scoring:run', run.pk)}#gaps")


@role_required(Role.OFFICE)
@require_POST
def audience(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    version = strict_int(request.POST.get("version"))
    try:
        actions.set_rankings_audience(
            run,
            audience=request.POST.get("audience", ""),
            expected_version=version if version is not None else -1,
            reason=request.POST.get("reason", ""),
        )
    except actions.ResultActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已更新排名公布范围。"))
    return redirect("scoring:run", run.pk)


@role_required(Role.OFFICE, Role.LEADER, Role.UNIT)
def rankings(request: HttpRequest, pk: int, category_id: int | None = None) -> HttpResponse:
    user = _user(request)
    run = access_run(user, pk)
    tabs = list(
        RunCategory.objects.filter(run=run)
        .order_by("category__sort_order", "category__code")
        .values_list("category_id", "category__name", "scale", "unit_count", "pk", "rules")
    )
    if category_id is None:
        if user.role == Role.UNIT:
            category_id = own_category_id(user, run)
        elif tabs:
            category_id = tabs[0][0]
    if category_id is None or not can_see_rankings(user, run, category_id):
        raise Http404
    current = next((t for t in tabs if t[0] == category_id), None)
    if current is None:
        raise Http404
    if user.role == Role.UNIT:
        tabs = [current]
    tabs = [t[:4] for t in tabs]
    sort = request.GET.get("sort", "rank")
    q = request.GET.get("q", "").strip()
    grade = request.GET.get("grade", "")
    rows = UnitResult.objects.filter(run=run, run_category__category_id=category_id)
    if q:
        rows = rows.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    if grade:
        rows = rows.filter(grade=grade)
    ordered = list(
        rows.order_by(*SORTS.get(sort, SORTS["rank"])).values(
            "unit_id",
            "unit__code",
            "unit__name",
            "total",
            "rank",
            "grade",
            "awards",
            "warnings",
            "last_total",
            "last_rank",
            "units_in_category",
        )
    )
    for row in ordered:
        last = row["last_rank"]
        row["rise"] = None if last is None else last - row["rank"]
        row["tied"] = False
    counts: dict[int, int] = {}
    for row in ordered:
        counts[row["rank"]] = counts.get(row["rank"], 0) + 1
    for row in ordered:
        row["tied"] = counts[row["rank"]] > 1
    chart = sorted(ordered, key=lambda r: (r["rank"], r["unit__code"]))
    # 考核系数 and award amounts: over the whole category (a filtered list reads it).
    rules = current[5]
    amounts: dict[str, Payout] = {}
    if rules.get("award_base") is not None:
        if q or grade:
            amounts = category_payouts(current[4], rules)
        else:
            amounts = payouts(rules, [(r["unit__code"], r["grade"], r["rank"]) for r in ordered])
    for row in ordered:
        row["payout"] = amounts.get(row["unit__code"])
    return render(
        request,
        "scoring/rankings.html",
        {
            "run": run,
            "tabs": tabs,
            "current": current,
            "rows": ordered,
            "sort": sort,
            "q": q,
            "grade": grade,
            "grades": sorted({r["grade"] for r in chart}),
            "chart": {
                "names": [r["unit__name"] for r in chart],
                "totals": [str(r["total"]) for r in chart],
            },
            "has_amounts": bool(amounts),
            "can_open_cards": can_see_cards(user, run),
            "own_unit": user.organization_id if user.role == Role.UNIT else None,
        },
    )


@role_required(Role.OFFICE, Role.LEADER, Role.UNIT)
def card(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    result = access_result(_user(request), run, unit_id)
    report = card_for(result)
    return render(
        request,
        "scoring/card.html",
        {
            "run": run,
            "card": report,
            "lines_html": lines_html(report.lines),
            "payout": result_payout(result),
            "quarters": card_quarters(result.run_category.layout, result.unit.code),
        },
    )


@role_required(Role.OFFICE, Role.LEADER, Role.UNIT)
def explanation(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    result = access_result(_user(request), run, unit_id)
    explained = explain_result(result)
    return render(
        request,
        "scoring/explanation.html",
        {
            "run": run,
            "result": result,
            "explained": explained,
            "rows": explained.rows(),
            "notes": gap_notes(result),
            "evidence_url": _evidence_url(),
        },
    )


def _evidence_url() -> str | None:
    """Where an entry and its evidence are shown, if the collection app has that page."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("collection:entry_detail", args=[0])[: -len("0/")]
    except NoReverseMatch:
        return None


@role_required(Role.OFFICE, Role.LEADER)
def statistics(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    stats = run_statistics(run)
    labels = sorted({g for s in stats for g, _ in s.grades})
    chart = {
        "categories": [s.name for s in stats],
        "series": [{"name": g, "data": [dict(s.grades).get(g, 0) for s in stats]} for g in labels],
    }
    return render(request, "scoring/statistics.html", {"run": run, "stats": stats, "chart": chart})


@role_required(Role.DEPARTMENT)
def department(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    run = access_run(user, pk)
    if not can_see_department_scores(user, run):
        raise Http404
    return render(
        request,
        "scoring/department.html",
        {"run": run, "indicators": owned_leaf_scores(run, user.organization_id)},
    )


# Exports -------------------------------------------------------------------------------


@role_required(Role.OFFICE, Role.LEADER)
@require_POST
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    if not can_see_cards(_user(request), run):
        raise Http404
    title = _("导出考核结果 Excel（%(run)s）") % {"run": run}
    job = start_job(_user(request), jobs.RESULTS_XLSX, title, {"run": run.pk})
    return redirect("core:job", job.pk)


@role_required(Role.OFFICE, Role.LEADER, Role.UNIT)
def card_pdf(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    run = access_run(_user(request), pk)
    result = access_result(_user(request), run, unit_id)
    return exports.cards_pdf_response(run, [result], f"成绩单-{result.unit.code}")


@role_required(Role.OFFICE, Role.LEADER)
@require_POST
def cards_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Every card (or one category's) as one PDF: 60 cards take several seconds, so it
    is a long job with a progress bar and a download link."""
    run = access_run(_user(request), pk)
    if not can_see_cards(_user(request), run):
        raise Http404
    params: dict[str, int] = {"run": run.pk}
    category = int_param(request.POST, "category")
    if category is not None:
        params["category"] = category
    title = _("全部成绩单 PDF（%(run)s）") % {"run": run}
    job = start_job(_user(request), jobs.CARDS_PDF, title, params)
    return redirect("core:job", job.pk)
