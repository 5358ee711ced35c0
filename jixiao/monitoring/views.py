"""Targets, nodes, light rules and monthly progress entry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.evidence import EvidenceRejected
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, parse_number, strict_int
from jixiao.monitoring import actions, excel, lights, status
from jixiao.monitoring.access import (
    access_node,
    access_target,
    month_of,
    nodes_visible_to,
    scheme_of_year,
    targets_visible_to,
)
from jixiao.monitoring.models import (
    Breakdown,
    LightRule,
    PlanStatus,
    Progress,
    ProgressEvidence,
    RuleScope,
    Target,
)
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Scheme, SchemeStatus

PLANNERS = (Role.OFFICE, Role.DEPARTMENT)
SHOWN = 500  # targets listed at once; the filters and the Excel export give the rest
ENTERERS = (Role.UNIT, Role.DEPARTMENT)
PROFILE_LABELS = {"back_loaded": _("前低后高"), "quarterly": _("按季度均衡")}


def _refused(request: HttpRequest, error: TransitionRefused | EditConflict) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)


def _scheme() -> Scheme | None:
    year = AssessmentYear.current()
    if year is None:
        return None
    return Scheme.objects.select_related("year").filter(year=year).first()


@role_required(Role.OFFICE, Role.LEADER, Role.DEPARTMENT, Role.UNIT)
def index(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    scheme = _scheme()
    if scheme is None:
        return render(request, "monitoring/empty.html")
    year = scheme.year.year
    if user.role in (Role.OFFICE, Role.LEADER):
        return redirect("monitoring:matrix", year)
    if user.role == Role.UNIT:
        return redirect("monitoring:unit_lights", year)
    return redirect("monitoring:targets")


@role_required(*PLANNERS, Role.LEADER)
def targets(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    scheme = _scheme()
    if scheme is None:
        return render(request, "monitoring/empty.html")
    indicators = actions.monitored_indicators(scheme)
    if user.role == Role.DEPARTMENT:
        indicators = indicators.filter(owner_id=user.organization_id)
    if request.method == "POST":
        _post_plan(request, user, scheme)
        return redirect("monitoring:targets")
    state = request.GET.get("status", "")
    rows = targets_visible_to(user).filter(scheme=scheme)
    nodes = nodes_visible_to(user).filter(scheme=scheme)
    if state in PlanStatus.values:
        rows, nodes = rows.filter(status=state), nodes.filter(status=state)
    indicator_id = int_param(request.GET, "indicator")
    if indicator_id is not None:
        rows, nodes = (
            rows.filter(indicator_id=indicator_id),
            nodes.filter(indicator_id=indicator_id),
        )
    units = Organization.objects.assessed_units().filter(enrollments__year=scheme.year)
    return render(
        request,
        "monitoring/targets.html",
        {
            "scheme": scheme,
            "indicators": list(indicators),
            "units": list(units.order_by("sort_order", "code")),
            "rows": list(rows[:SHOWN]),
            "row_count": rows.count(),
            "shown": SHOWN,
            "indicator_id": indicator_id,
            "nodes": list(nodes[:500]),
            "state": state,
            "states": PlanStatus.choices,
            "breakdowns": Breakdown.choices,
            "profiles": list(PROFILE_LABELS.items()),
            "can_plan": user.role in PLANNERS and scheme.status == SchemeStatus.PUBLISHED,
            "is_office": user.role == Role.OFFICE,
        },
    )


def _post_plan(request: HttpRequest, user: User, scheme: Scheme) -> None:
    if user.role not in PLANNERS:
        messages.error(request, _("您没有设定目标的权限。"))
        return
    indicator_id, unit_id = int_param(request.POST, "indicator"), int_param(request.POST, "unit")
    indicator = actions.monitored_indicators(scheme).filter(pk=indicator_id or 0).first()
    unit = Organization.objects.assessed_units().filter(pk=unit_id or 0).first()
    if indicator is None or unit is None:
        messages.error(request, _("请选择指标和单位。"))
        return
    try:
        if request.POST.get("kind") == "node":
            due = dt.date.fromisoformat(request.POST.get("due_on", ""))
            actions.add_node(
                user,
                indicator,
                request.POST.get("project", ""),
                request.POST.get("name", ""),
                unit,
                due,
            )
            messages.success(request, _("已添加项目节点。"))
            return
        annual = parse_number(request.POST.get("annual"))
        if annual is None:
            messages.error(request, _("请填写年度目标。"))
            return
        typed = [
            parse_number(x)
            for x in request.POST.get("typed", "").replace("，", ",").split(",")
            if x.strip()
        ]
        actions.set_target(
            user,
            indicator,
            unit,
            annual,
            breakdown=request.POST.get("breakdown", Breakdown.EVEN),
            profile=request.POST.get("profile", ""),
            typed=typed,
            version=strict_int(request.POST.get("version")),
        )
        messages.success(request, _("已保存年度目标及月度分解。"))
    except ValueError as error:
        messages.error(request, str(error) or _("日期格式应为 年-月-日。"))
    except (TransitionRefused, EditConflict) as error:
        _refused(request, error)


@require_POST
@role_required(*PLANNERS)
def targets_act(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "")
    target_ids = [i for i in (strict_int(x) for x in request.POST.getlist("target")) if i]
    node_ids = [i for i in (strict_int(x) for x in request.POST.getlist("node")) if i]
    try:
        n = 0
        if target_ids:
            n += actions.transition_plans(
                user,
                list(targets_visible_to(user).filter(pk__in=target_ids)),
                action,
                request.POST.get("reason", ""),
            )
        if node_ids:
            n += actions.transition_plans(
                user,
                list(nodes_visible_to(user).filter(pk__in=node_ids)),
                action,
                request.POST.get("reason", ""),
            )
        if not n:
            messages.error(request, _("请勾选要处理的目标或节点。"))
        else:
            messages.success(request, _("已处理 %(n)d 项。") % {"n": n})
    except TransitionRefused as error:
        _refused(request, error)
    return redirect("monitoring:targets")


@role_required(*PLANNERS, Role.LEADER)
def targets_export(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    scheme = _scheme()
    if scheme is None:
        return redirect("monitoring:targets")
    rows = targets_visible_to(user).filter(scheme=scheme)
    return excel.targets_response(scheme, list(rows))


@require_POST
@role_required(*PLANNERS)
def targets_import(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    scheme = _scheme()
    upload = request.FILES.get("file")
    if scheme is None or upload is None:
        messages.error(request, _("请选择要导入的文件。"))
        return redirect("monitoring:targets")
    errors, n = excel.import_targets(user, scheme, upload)
    if errors:
        for error in errors[:20]:
            messages.error(request, error)
        messages.error(request, _("导入未完成：有错误时不导入任何一行，请修改后重新上传。"))
    else:
        messages.success(request, _("已导入 %(n)d 项年度目标。") % {"n": n})
    return redirect("monitoring:targets")


@role_required(Role.OFFICE)
def rules(request: HttpRequest, year: str) -> HttpResponse:
    scheme = scheme_of_year(year)
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        parsed: list[tuple[str, Decimal]] = []
        try:
            for color, threshold in zip(
                request.POST.getlist("color"), request.POST.getlist("threshold"), strict=False
            ):
                number = parse_number(threshold, digits=8, places=2)
                if color in (lights.RED, lights.YELLOW, lights.GREEN) and number is not None:
                    parsed.append((color, number))
            actions.save_light_rules(user, scheme.year, scope, parsed)
            messages.success(request, _("亮灯规则已保存。"))
        except ValueError as error:
            messages.error(request, str(error))
        except TransitionRefused as error:
            _refused(request, error)
        return redirect("monitoring:rules", scheme.year.year)
    found = status.rules_for(scheme.year_id)
    configured = set(
        LightRule.objects.filter(year=scheme.year).values_list("scope", flat=True).distinct()
    )
    return render(
        request,
        "monitoring/rules.html",
        {
            "scheme": scheme,
            "scopes": [
                (scope, label, found[scope], scope in configured)
                for scope, label in RuleScope.choices
            ],
            "colors": [(lights.RED, _("红灯")), (lights.YELLOW, _("黄灯"))],
        },
    )


@role_required(*ENTERERS)
def progress(request: HttpRequest, year: str, month: str) -> HttpResponse:
    """The progress grid: one row per approved target the user may fill in; saves all rows
    at once, each under its own version (a conflicting row is refused, others saved)."""
    scheme = scheme_of_year(year)
    m = month_of(month)
    user: User = request.user  # type: ignore[assignment]
    rows = [
        t
        for t in targets_visible_to(user).filter(scheme=scheme, status=PlanStatus.APPROVED)
        if actions.may_enter_progress(user, t)
    ]
    if request.method == "POST":
        submit = request.POST.get("intent") == "submit"
        saved = _save_grid(request, user, rows, m, submit=submit)
        if saved:
            done = _("已提交 %(n)d 项进度。") if submit else _("已保存 %(n)d 项进度草稿。")
            messages.success(request, done % {"n": saved})
        return redirect("monitoring:progress", scheme.year.year, m)
    existing = {
        p.target_id: p
        for p in Progress.objects.filter(target__in=[t.pk for t in rows], month=m).prefetch_related(
            "evidence"
        )
    }
    previous = {
        p.target_id: p.value
        for p in Progress.objects.filter(target__in=[t.pk for t in rows], month=m - 1)
    }
    rules = status.rules_for(scheme.year_id)[RuleScope.TARGET]
    lines = []
    for t in rows:
        p = existing.get(t.pk)
        value = p.value if p else previous.get(t.pk)
        color, _lag, _expected = status.target_light(t, value, m, rules)
        lines.append(
            {
                "target": t,
                "progress": p,
                "previous": previous.get(t.pk),
                "color": color,
                "expected": (Decimal(str(t.milestones[m - 1])) if t.milestones else None),
            }
        )
    nodes = [
        n
        for n in nodes_visible_to(user).filter(scheme=scheme, status=PlanStatus.APPROVED)
        if user.role != Role.UNIT or n.unit_id == user.organization_id
    ]
    return render(
        request,
        "monitoring/progress.html",
        {
            "scheme": scheme,
            "month": m,
            "months": range(1, 13),
            "lines": lines,
            "nodes": nodes,
        },
    )


def _save_grid(
    request: HttpRequest, user: User, rows: list[Target], month: int, *, submit: bool
) -> int:
    """Save every filled row: as drafts, or reported with `submit` (the form carries every
    row's value, so submitting reports the drafts shown too)."""
    saved = 0
    for t in rows:
        raw = request.POST.get(f"value-{t.pk}", "").strip()
        narrative = request.POST.get(f"narrative-{t.pk}", "")
        upload = request.FILES.get(f"evidence-{t.pk}")
        if not raw and upload is None:
            continue
        try:
            value = parse_number(raw)
            if value is None:
                messages.error(request, _("%(t)s：请先填写累计完成值。") % {"t": t})
                continue
            posted = strict_int(request.POST.get(f"version-{t.pk}"))
            row = actions.enter_progress(
                user, t, month, value, narrative, version=posted, submit=submit
            )
            if upload is not None:
                actions.attach_evidence(user, row, upload)
            # The grid posts every row: count only what this save changed.
            if posted is None or row.version != posted or upload is not None:
                saved += 1
        except ValueError as error:
            messages.error(request, f"{t}：{error}")
        except (TransitionRefused, EditConflict) as error:
            _refused(request, error)
        except EvidenceRejected as error:
            messages.error(request, f"{t}：{error}")
    for key in request.POST:
        if key.startswith("done-"):
            try:
                node = access_node(user, key.removeprefix("done-"))
                raw = request.POST.get(key, "").strip()
                done = dt.date.fromisoformat(raw) if raw else None
                if done != node.done_on:
                    actions.complete_node(user, node, done)
                    saved += 1
            except ValueError:
                messages.error(request, _("日期格式应为 年-月-日。"))
            except (TransitionRefused, EditConflict) as error:
                _refused(request, error)
    return saved


@role_required(Role.OFFICE, Role.LEADER, Role.DEPARTMENT, Role.UNIT)
def evidence_file(request: HttpRequest, pk: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    ident = strict_int(pk) or 0
    evidence = ProgressEvidence.objects.select_related("progress").filter(pk=ident).first()
    if evidence is None:
        raise Http404
    access_target(user, evidence.progress.target_id)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    return response  # type: ignore[return-value]
