"""Pages of 督查督办: the task list, a task, raising a task, cards, rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int
from jixiao.core.workflow import TransitionRefused
from jixiao.supervision import actions, cards, sources
from jixiao.supervision.access import ROLES, access_task, tasks_visible_to
from jixiao.supervision.forms import RulesForm, TaskForm, answering_orgs
from jixiao.supervision.models import (
    Card,
    CardColor,
    Level,
    SourceKind,
    SupervisionTask,
    TaskAttachment,
    TaskQuerySet,
    TaskResult,
    TaskState,
)
from jixiao.supervision.workflow import Act, available_actions

PAGE_SIZE = 50
LIST_FIELDS = (
    "pk",
    "title",
    "source_kind",
    "deadline",
    "level",
    "state",
    "lead_unit__name",
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, error: TransitionRefused) -> None:
    for message in error.messages:
        messages.error(request, message)


def filtered_tasks(user: User, params: Any) -> tuple[Any, dict[str, Any]]:
    """The visible tasks narrowed by the list's filters (year, state, source, level,
    unit, overdue, words)."""
    qs: TaskQuerySet = tasks_visible_to(user)
    chosen: dict[str, Any] = {}
    if (year := int_param(params, "year")) is not None:
        qs = qs.filter(year=year)
        chosen["year"] = year
    for name, choices in (
        ("state", TaskState.values),
        ("source_kind", SourceKind.values),
        ("level", Level.values),
    ):
        value = params.get(name) or ""
        if value in choices:
            qs = qs.filter(**{name: value})
            chosen[name] = value
    if (unit := int_param(params, "unit")) is not None:
        qs = qs.filter(lead_unit_id=unit)
        chosen["unit"] = unit
    if params.get("overdue") == "1":
        qs = qs.overdue(timezone.localdate())
        chosen["overdue"] = "1"
    words = (params.get("q") or "").strip()[:50]
    if words:
        qs = qs.filter(title__contains=words)
        chosen["q"] = words
    return qs, chosen


@role_required(*ROLES)
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    qs, chosen = filtered_tasks(user, request.GET)
    by_state = dict(
        qs.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    # The page's ids first (narrow rows, the (year, deadline) index walks in order), then
    # those rows with their unit: no join over every matching task before the sort.
    paginator = Paginator(qs.order_by("deadline", "pk").values_list("pk", flat=True), PAGE_SIZE)
    # The count is the sum of the per-state counts the page shows anyway: one scan less.
    paginator.__dict__["count"] = sum(by_state.values())
    page = paginator.get_page(strict_int(request.GET.get("page")) or 1)
    ids = list(page.object_list)
    loaded = SupervisionTask.objects.select_related("lead_unit").only(*LIST_FIELDS).in_bulk(ids)
    page.object_list = [loaded[pk] for pk in ids]
    card_counts: dict[int, dict[str, int]] = {}
    for task_id, color, n in (
        Card.objects.counted()
        .filter(task_id__in=ids)
        .values_list("task_id", "color")
        .annotate(n=Count("pk"))
    ):
        card_counts.setdefault(task_id, {})[color] = n
    rows = [
        (t, card_counts.get(t.pk, {}).get("red", 0), card_counts.get(t.pk, {}).get("yellow", 0))
        for t in page.object_list
    ]
    return render(
        request,
        "supervision/index.html",
        {
            "page": page,
            "rows": rows,
            "query": urlencode(chosen),
            "chosen": chosen,
            "states": TaskState.choices,
            "stats": [(label, by_state.get(value, 0)) for value, label in TaskState.choices],
            "sources": SourceKind.choices,
            "levels": Level.choices,
            "units": answering_orgs().only("pk", "name") if user.role != Role.UNIT else [],
            "today": timezone.localdate(),
            "can_create": user.role == Role.SUPERVISION,
        },
    )


@role_required(Role.SUPERVISION, Role.OFFICE)
def task_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            try:
                task = actions.create_task(user, form.draft())
            except TransitionRefused as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("已立项。"))
                return redirect("supervision:task", task.pk)
    else:
        initial: dict[str, Any] = {"year": timezone.localdate().year, "level": Level.NORMAL}
        source_type = request.GET.get("source_type") or ""
        source_id = int_param(request.GET, "source_id")
        if source_type and source_id is not None:
            initial.update(sources.prefill(source_type, source_id, user))
        form = TaskForm(initial=initial)
    return render(request, "supervision/task_form.html", {"form": form})


@role_required(*ROLES)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    task = access_task(user, pk)
    acts = available_actions(user, task)
    return render(
        request,
        "supervision/task_detail.html",
        {
            "task": task,
            "source_url": sources.source_link(task),
            "cooperating": task.cooperating_units.all(),
            "reports": task.reports.select_related("reported_by")[:50],
            "milestones": task.milestones.all(),
            "cards": task.cards.all(),
            "attachments": task.attachments.all(),
            "carried_into": task.carried_into.all(),
            "actions": [(a, Act(a).label) for a in acts],
            "results": [(v, lbl) for v, lbl in TaskResult.choices if v],
            "can_attach": bool(acts) or user.role == Role.SUPERVISION,
            "next_report": cards.next_report_due(
                cards.TaskFacts(
                    task.state,
                    task.deadline,
                    task.assigned_on,
                    task.accepted_on,
                    task.last_report_on,
                ),
                cards.rule_facts(cards.rules_for(task.year) if task.pk else None),
            ),
        },
    )


@require_POST
@role_required(*ROLES)
def task_act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    task = access_task(user, pk)
    action = request.POST.get("action") or ""
    try:
        actions.transition(
            user,
            task,
            action,
            reason=request.POST.get("reason") or "",
            result=request.POST.get("result") or "",
            files=request.FILES.getlist("files"),
        )
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("已办理：%(a)s") % {"a": Act(action).label})
    return redirect("supervision:task", task.pk)


@require_POST
@role_required(*ROLES)
def task_attach(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    task = access_task(user, pk)
    try:
        for upload in request.FILES.getlist("files"):
            actions.attach(user, task, upload)
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("supervision:task", task.pk)


@role_required(*ROLES)
def task_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    task = access_task(_user(request), pk)
    item = get_object_or_404(TaskAttachment, pk=file_pk, task=task)
    record(AuditAction.EXPORT, item, after={"name": item.original_name})
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@role_required(*ROLES)
def card_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year = int_param(request.GET, "year") or timezone.localdate().year
    qs = (
        Card.objects.filter(task__in=tasks_visible_to(user), year=year)
        .select_related("task", "unit")
        .order_by("-issued_on", "-pk")
    )
    page = Paginator(qs, 100).get_page(strict_int(request.GET.get("page")) or 1)
    counted = Card.objects.counted().filter(task__in=tasks_visible_to(user), year=year)
    return render(
        request,
        "supervision/cards.html",
        {
            "page": page,
            "query": urlencode({"year": year}),
            "year": year,
            "red": counted.filter(color=CardColor.RED).count(),
            "yellow": counted.filter(color=CardColor.YELLOW).count(),
            "can_revoke": user.role == Role.SUPERVISION,
            "can_score": user.role in (Role.SUPERVISION, Role.OFFICE),
        },
    )


@require_POST
@role_required(Role.SUPERVISION)
def card_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(Card, pk=pk)
    try:
        actions.revoke_card(_user(request), card, request.POST.get("reason") or "")
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("已撤销。"))
    return redirect(f"{_url('supervision:cards')}?year={card.year}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@role_required(Role.SUPERVISION)
def rules(request: HttpRequest) -> HttpResponse:
    year = int_param(request.GET, "year") or timezone.localdate().year
    instance = cards.rules_for(year)
    if request.method == "POST":
        form = RulesForm(request.POST, instance=instance)
        version = strict_int(request.POST.get("version"))
        if form.is_valid():
            try:
                if instance.pk is not None:
                    if version is None:
                        raise Http404
                    instance.version = version
                actions.save_rules(_user(request), form.instance)
            except EditConflict as error:
                form.add_error(None, str(error))
            except TransitionRefused as error:
                _refused(request, error)
            else:
                messages.success(request, _("红黄牌规则已保存。"))
                return redirect(f"{_url('supervision:rules')}?year={year}")
    else:
        form = RulesForm(instance=instance)
    return render(
        request, "supervision/rules.html", {"form": form, "year": year, "rules": instance}
    )


@require_POST
@role_required(Role.SUPERVISION, Role.OFFICE)
def card_scores(request: HttpRequest) -> HttpResponse:
    """计入考核: the year's counted cards become the 督查督办 leaves' entries."""
    from jixiao.supervision.results import write_card_entries

    year = int_param(request.POST, "year") or timezone.localdate().year
    try:
        n = write_card_entries(_user(request), year)
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("已将红黄牌计入考核，更新 %(n)d 条数据；重新计算后生效。") % {"n": n}
        )
    return redirect(f"{_url('supervision:cards')}?year={year}")


@role_required(Role.SUPERVISION)
def task_import(request: HttpRequest) -> HttpResponse:
    """导入督办事项: an Excel/CSV list, all or nothing, refusals by row."""
    from jixiao.supervision.imports import ImportRefused, import_tasks

    refusals: list[str] = []
    year = int_param(request.POST, "year") or timezone.localdate().year
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            refusals = [_("请选择文件。")]
        else:
            try:
                created = import_tasks(_user(request), upload, year)
            except ImportRefused as error:
                refusals = error.messages
            else:
                messages.success(
                    request, _("已导入 %(n)d 项督办事项（立项）。") % {"n": len(created)}
                )
                return redirect(f"{_url('supervision:index')}?state=draft&year={year}")
    return render(request, "supervision/import.html", {"refusals": refusals, "year": year})
