"""Analysis pages for the office: the quality report of a run (indicators and rank
fragility, with charts and an Excel export), the summary block on the run page, and
what-if scenarios (saved, re-ranked live with htmx, compared with each other)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.analysis import actions, exports
from jixiao.analysis.access import access_scenario
from jixiao.analysis.drafting import rule_changes
from jixiao.analysis.loading import CategoryState, run_states
from jixiao.analysis.models import Scenario
from jixiao.analysis.report import category_report, run_summary
from jixiao.analysis.scenarios import RULE_DEFAULTS, changes_from_form, evaluate_category
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.core.values import strict_int
from jixiao.scoring.access import access_run, visible_runs
from jixiao.scoring.engine import METHODS
from jixiao.scoring.engine.fragility import DECISION_LABELS, HINGE_POINTS
from jixiao.scoring.engine.results import WARNING_BOTTOM, WARNING_BOTTOM_TWICE


def _hinge(margin: Decimal | None) -> bool:
    return margin is not None and margin < HINGE_POINTS


def _pick(states: list[CategoryState], code: str) -> CategoryState:
    if not states:
        raise Http404
    return next((s for s in states if s.code == code), states[0])


@role_required(Role.OFFICE)
def index(request: HttpRequest) -> HttpResponse:
    runs = list(visible_runs(request.user).order_by("-year__year", "-number")[:20])
    recent = Scenario.objects.select_related("run__year")[:20]
    return render(request, "analysis/index.html", {"runs": runs, "scenarios": recent})


@role_required(Role.OFFICE)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(request.user, pk)
    states = run_states(run)
    state = _pick(states, request.GET.get("category", ""))
    rep = category_report(state)
    names = state.unit_names
    units: list[dict[str, Any]] = []
    for unit in rep.units:
        units.append(
            {
                "code": unit.unit_code,
                "name": names.get(unit.unit_code, unit.unit_code),
                "total": unit.total,
                "rank": unit.rank,
                "grade": unit.grade,
                "margins": [
                    (DECISION_LABELS[k], *unit.margins[k], *(_hinge(m) for m in unit.margins[k]))
                    for k in unit.margins
                ],
                "interval": rep.interval(unit.unit_code),
            }
        )
    chart = {
        "indicators": [f"{i.code} {i.name}" for i in rep.quality.indicators],
        "full": [round(i.full_share * 100, 1) for i in rep.quality.indicators],
        "threshold": rep.quality.flat_threshold * 100,
        "units": [u["name"] for u in units],
        "low": [u["interval"][0] if u["interval"] else None for u in units],
        "high": [u["interval"][1] if u["interval"] else None for u in units],
        "rank": [u["rank"] for u in units],
    }
    return render(
        request,
        "analysis/report.html",
        {
            "run": run,
            "states": states,
            "state": state,
            "report": rep,
            "units": units,
            "hinges": [
                (h, names.get(h.unit_code, h.unit_code), DECISION_LABELS[h.decision])
                for h in rep.hinges
            ],
            "chart": chart,
        },
    )


@role_required(Role.OFFICE)
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(request.user, pk)
    return exports.quality_response(run, run_states(run))


@role_required(Role.OFFICE)
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(request.user, pk)
    return render(
        request, "analysis/_summary.html", {"run": run, "summary": run_summary(run_states(run))}
    )


@role_required(Role.OFFICE)
def scenarios(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(request.user, pk)
    existing = list(Scenario.objects.filter(run=run))
    if request.method == "POST":
        copy_of = next((s for s in existing if str(s.pk) == request.POST.get("copy")), None)
        try:
            scenario = actions.create_scenario(
                run,
                name=request.POST.get("name", ""),
                note=request.POST.get("note", ""),
                user=request.user,
                copy_of=copy_of,
            )
        except actions.ScenarioError as error:
            messages.error(request, str(error))
        else:
            return redirect("analysis:scenario", scenario.pk)
    return render(request, "analysis/scenarios.html", {"run": run, "scenarios": existing})


def _warnings(kinds: tuple[str, ...]) -> str:
    labels = {WARNING_BOTTOM: _("后列"), WARNING_BOTTOM_TWICE: _("连续两年后列")}
    return "、".join(labels.get(k, k) for k in kinds)


def _scenario_context(scenario: Scenario, state: CategoryState, outcome: Any) -> dict[str, Any]:
    rules = {**RULE_DEFAULTS, **state.rules, **(outcome.changes.get("rules") or {})}
    changes = outcome.changes
    points = outcome.points
    nodes = [
        {
            "node": n,
            "value": (changes.get("points") or {}).get(n.code, ""),
            "dropped": n.code in (changes.get("drop") or []),
            "now": points.get(n.code),
            "leaf": i in state.compiled.scored_leaves,
            "methods": [
                (code, spec.label)
                for code, spec in METHODS.items()
                if n.method and spec.field_names() == METHODS[n.method].field_names()
            ],
            "method": (changes.get("methods") or {}).get(n.code, n.method),
        }
        for i, n in enumerate(state.compiled.nodes)
        if n.kind != "bonus_penalty"
    ]
    names = state.unit_names
    rows = [
        {
            "move": m,
            "name": names.get(m.unit_code, m.unit_code),
            "drop": -m.rank_change,
            "warn_before": _warnings(m.before.warnings),
            "warn_after": _warnings(m.after.warnings),
        }
        for m in outcome.moves
    ]
    changed_points = [
        (n.code, n.name, n.points, points.get(n.code))
        for n in state.compiled.nodes
        if n.kind != "bonus_penalty" and points.get(n.code) != n.points
    ]
    return {
        "rows": rows,
        "changed_points": changed_points,
        "scenario": scenario,
        "run": scenario.run,
        "state": state,
        "outcome": outcome,
        "nodes": nodes,
        "rules": rules,
        "names": state.unit_names,
    }


@role_required(Role.OFFICE)
def scenario(request: HttpRequest, sid: int) -> HttpResponse:
    scenario = access_scenario(request.user, sid)
    states = run_states(scenario.run)
    state = _pick(states, request.GET.get("category", ""))
    outcome = evaluate_category(state, scenario.changes.get(state.code, {}))
    overview = [_overview(s, scenario) for s in states]
    others = Scenario.objects.filter(run=scenario.run).exclude(pk=scenario.pk)
    context = _scenario_context(scenario, state, outcome)
    context.update(
        {
            "states": states,
            "overview": overview,
            "others": others,
            "drafts": actions.scenario_drafts(scenario),
            "next_year": scenario.run.year.year + 1,
        }
    )
    return render(request, "analysis/scenario.html", context)


def _overview(state: CategoryState, scenario: Scenario) -> dict[str, Any]:
    if state.code not in scenario.changes:
        return {"state": state, "adjusted": False}
    outcome = evaluate_category(state, scenario.changes[state.code])
    counts = {k: outcome.count(k) for k in ("rank", "grade", "awards", "warnings")}
    return {"state": state, "adjusted": True, "problems": outcome.problems, **counts}


def _posted(
    request: HttpRequest, scenario: Scenario
) -> tuple[CategoryState, dict[str, Any], list[str]]:
    states = run_states(scenario.run, request.POST.get("category", ""))
    if not states:
        raise Http404
    changes, problems = changes_from_form(states[0], request.POST)
    return states[0], changes, problems


@role_required(Role.OFFICE)
@require_POST
def preview(request: HttpRequest, sid: int) -> HttpResponse:
    """Re-rank with what the form holds now, without saving (htmx)."""
    scenario = access_scenario(request.user, sid)
    state, changes, problems = _posted(request, scenario)
    outcome = evaluate_category(state, changes)
    outcome.problems = (*problems, *outcome.problems)
    return render(request, "analysis/_comparison.html", _scenario_context(scenario, state, outcome))


@role_required(Role.OFFICE)
@require_POST
def save(request: HttpRequest, sid: int) -> HttpResponse:
    scenario = access_scenario(request.user, sid)
    state, changes, problems = _posted(request, scenario)
    problems.extend(evaluate_category(state, changes).problems)
    version = request.POST.get("version", "")
    if problems:
        for problem in problems:
            messages.error(request, problem)
    else:
        try:
            actions.save_category_changes(
                scenario,
                state.code,
                changes,
                expected_version=-1 if (v := strict_int(version)) is None else v,
                reason=request.POST.get("reason", ""),
            )
        except EditConflict as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已保存情景“%(n)s”的调整。") % {"n": scenario.name})
    response = redirect("analysis:scenario", scenario.pk)
    response["Location"] += f"?category={state.code}"
    return response


@role_required(Role.OFFICE)
@require_POST
def draft(request: HttpRequest, sid: int) -> HttpResponse:
    """Carry the saved scenario into next year's scheme draft (a recorded revision)."""
    scenario = access_scenario(request.user, sid)
    try:
        revision = actions.draft_next_scheme(
            scenario, reason=request.POST.get("reason", ""), user=request.user
        )
    except actions.ScenarioError as error:
        messages.error(request, str(error))
        return redirect("analysis:scenario", scenario.pk)
    messages.success(
        request,
        _("已将情景“%(n)s”写入“%(s)s”（第 %(r)d 次修订）。")
        % {"n": scenario.name, "s": revision.scheme.name, "r": revision.number},
    )
    if rule_changes(scenario.changes):
        messages.info(
            request, _("结果运用规则的调整不属于方案，请在下一年度的结果运用规则中设置。")
        )
    return redirect("scheme:scheme_detail", revision.scheme.pk)


@role_required(Role.OFFICE)
@require_POST
def delete(request: HttpRequest, sid: int) -> HttpResponse:
    scenario = access_scenario(request.user, sid)
    run = scenario.run
    actions.delete_scenario(scenario)
    messages.success(request, _("已删除情景“%(n)s”。") % {"n": scenario.name})
    return redirect("analysis:scenarios", run.pk)


@role_required(Role.OFFICE)
def compare_view(request: HttpRequest) -> HttpResponse:
    first_id, second_id = strict_int(request.GET.get("a")), strict_int(request.GET.get("b"))
    if first_id is None or second_id is None:
        raise Http404
    first = access_scenario(request.user, first_id)
    second = access_scenario(request.user, second_id)
    if first.run_id != second.run_id:
        messages.error(request, _("只能比较同一计分版本下的情景。"))
        return redirect("analysis:scenario", first.pk)
    categories = []
    for state in run_states(first.run):
        a = evaluate_category(state, first.changes.get(state.code, {}))
        b = evaluate_category(state, second.changes.get(state.code, {}))
        rows = []
        if not (a.problems or b.problems):
            after_b = {m.unit_code: m.after for m in b.moves}
            for move in a.moves:
                other = after_b[move.unit_code]
                if move.after != move.before or other != move.before:
                    rows.append(
                        (state.unit_names.get(move.unit_code), move.before, move.after, other)
                    )
        categories.append({"state": state, "a": a, "b": b, "rows": rows})
    return render(
        request,
        "analysis/compare.html",
        {"first": first, "second": second, "run": first.run, "categories": categories},
    )
