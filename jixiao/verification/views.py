"""Pages of the 察访核验 workspace (office, inspectors, data departments)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection.models import CollectionPeriod, EntryStatus, EvidenceFile
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.permissions import role_required
from jixiao.core.values import strict_int
from jixiao.verification import actions, results
from jixiao.verification.access import (
    access_check,
    access_item,
    checks_visible_to,
    items_visible_to,
)
from jixiao.verification.models import (
    Correction,
    EntryFlag,
    FlagThreshold,
    InspectionPhoto,
    ItemStatus,
)
from jixiao.verification.plausibility import DEFAULTS

ROLES = (Role.OFFICE, Role.INSPECTOR, Role.DEPARTMENT)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, error: TransitionRefused) -> None:
    for message in error.messages:
        messages.error(request, message)


@role_required(*ROLES)
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context: dict[str, object] = {}
    if user.role == Role.DEPARTMENT:
        items = items_visible_to(user).select_related("correction").order_by("-pk")
        context["corrections"] = Paginator(items, 100).get_page(request.GET.get("page"))
    else:
        context["checks"] = checks_visible_to(user)
    if user.role == Role.OFFICE:
        context["periods"] = CollectionPeriod.objects.select_related("scheme__year")
        context["inspectors"] = User.objects.filter(role=Role.INSPECTOR, is_active=True)
    return render(request, "verification/index.html", context)


def _decimal(text: str | None, default: Decimal) -> Decimal:
    try:
        return Decimal(text) if text else default
    except InvalidOperation as error:
        raise TransitionRefused(_("请输入有效的数字。")) from error


@role_required(Role.OFFICE)
@require_POST
def draw(request: HttpRequest) -> HttpResponse:
    period = get_object_or_404(CollectionPeriod, pk=request.POST.get("period") or 0)
    try:
        fraction = _decimal(request.POST.get("percent"), Decimal(10)) / 100
        weight = _decimal(request.POST.get("flag_weight"), Decimal(1))
        seed_text = (request.POST.get("seed") or "").strip()
        if seed_text and strict_int(seed_text) is None:
            raise TransitionRefused(_("随机种子须为非负整数。"))
        inspector = User.objects.filter(
            pk=strict_int(request.POST.get("inspector")) or 0, role=Role.INSPECTOR
        ).first()
        check = actions.draw_sample(
            _user(request),
            period,
            fraction=fraction,
            flag_weight=weight,
            seed=int(seed_text) if seed_text else None,
            inspector=inspector,
        )
    except TransitionRefused as error:
        _refused(request, error)
        return redirect("verification:index")
    messages.success(
        request,
        _("已抽取 %(n)d 条数据（%(s)d 个分层）。") % {"n": check.items.count(), "s": check.strata},
    )
    return redirect("verification:check", check.pk)


@role_required(Role.OFFICE, Role.INSPECTOR)
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = access_check(_user(request), pk)
    items = check.items.select_related(
        "entry__indicator", "entry__unit", "entry__department", "checked_by", "correction"
    ).order_by("entry__department__name", "entry__indicator__code", "entry__unit__code")
    return render(
        request,
        "verification/check_detail.html",
        {
            "check": check,
            "items": Paginator(items, 200).get_page(request.GET.get("page")),
            "results": results.department_results(checks_visible_to(_user(request)).filter(pk=pk)),
        },
    )


@role_required(Role.OFFICE, Role.INSPECTOR)
@require_POST
def redraw(request: HttpRequest, pk: int) -> HttpResponse:
    check = access_check(_user(request), pk)
    same_population, same_sample = actions.redraw(check)
    record(AuditAction.EXPORT, check, after={"redraw": same_sample, "population": same_population})
    if same_sample:
        messages.success(request, _("复核抽样一致：相同种子和总体得到相同的样本。"))
    elif not same_population:
        messages.warning(
            request, _("抽样后总体已变化（数据状态或异常提示有更新），指纹不同，无法重现。")
        )
    else:
        messages.error(request, _("复核抽样不一致！请联系系统管理员。"))
    return redirect("verification:check", check.pk)


@role_required(*ROLES)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = access_item(user, pk)
    correction = Correction.objects.filter(item=item).first()
    return render(
        request,
        "verification/item_detail.html",
        {
            "item": item,
            "entry": item.entry,
            "evidence": EvidenceFile.objects.filter(entry=item.entry),
            "photos": item.photos.all(),
            "correction": correction,
            "can_record": user.role == Role.INSPECTOR and item.status == ItemStatus.PENDING,
            "correction_actions": [
                (a, actions.ACTS[a]) for a in actions.available(user, correction)
            ]
            if correction
            else [],
        },
    )


@role_required(Role.INSPECTOR)
@require_POST
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = access_item(user, pk)
    post = request.POST
    try:
        actions.record_finding(
            user,
            item,
            accurate=post.get("accurate") == "1",
            note=post.get("note", ""),
            raw={k: post.get(k, "") for k in ("value", "reference", "grade")},
            reason=post.get("reason", ""),
            files=request.FILES.getlist("photos"),
        )
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("核验结论已登记。"))
    return redirect("verification:item", item.pk)


@role_required(Role.OFFICE, Role.DEPARTMENT)
@require_POST
def correction_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    item = access_item(user, pk)
    correction = get_object_or_404(Correction, item=item)
    try:
        actions.act_on_correction(
            user, correction, request.POST.get("action", ""), request.POST.get("note", "")
        )
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("已处理。"))
    return redirect("verification:item", item.pk)


@role_required(*ROLES)
def item_file(request: HttpRequest, pk: int, kind: str, file_pk: int) -> HttpResponse:
    """The entry's evidence or the site photos, to whoever may see the item."""
    item = access_item(_user(request), pk)
    if kind == "evidence":
        obj: EvidenceFile | InspectionPhoto = get_object_or_404(
            EvidenceFile, pk=file_pk, entry_id=item.entry_id
        )
    elif kind == "photo":
        obj = get_object_or_404(InspectionPhoto, pk=file_pk, item=item)
    else:
        raise Http404
    record(AuditAction.EXPORT, obj, after={"name": obj.original_name})
    response = FileResponse(
        obj.file.open("rb"),
        as_attachment=True,
        filename=obj.original_name,
        content_type=obj.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@role_required(Role.OFFICE)
def results_page(request: HttpRequest) -> HttpResponse:
    checks = checks_visible_to(_user(request))
    if (period_id := strict_int(request.GET.get("period"))) is not None:
        checks = checks.filter(period_id=period_id)
    if request.GET.get("format") == "xlsx":
        return results.xlsx_response(checks, _("察访核验结果"))
    return render(
        request,
        "verification/results.html",
        {
            "rows": results.department_results(checks),
            "periods": CollectionPeriod.objects.filter(spot_checks__isnull=False).distinct(),
            "period_id": period_id,
        },
    )


@role_required(Role.OFFICE)
@require_POST
def apply_accuracy(request: HttpRequest) -> HttpResponse:
    """Write the 核验准确率 indicators' entries for one period (see accuracy.py)."""
    period = get_object_or_404(
        CollectionPeriod.objects.select_related("scheme"),
        pk=strict_int(request.POST.get("period")) or 0,
    )
    try:
        written = actions.apply_accuracy_rule(_user(request), period)
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("已按核验准确率计分：更新 %(n)d 条采集数据。") % {"n": written})
    return redirect(f"{reverse('verification:results')}?period={period.pk}")


@role_required(Role.OFFICE)
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(EntryFlag, entry_id=pk)
    try:
        actions.acknowledge_flag(_user(request), flag, request.POST.get("note", ""))
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("已确认异常提示，可以审核通过。"))
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("collection:entry_detail", pk)


@role_required(Role.OFFICE)
def flags_page(request: HttpRequest) -> HttpResponse:
    """Flagged entries still under review (for the office's 数据审核)."""
    flags = (
        EntryFlag.objects.filter(entry__status=EntryStatus.SUBMITTED)
        .select_related("entry__indicator", "entry__unit", "entry__department", "entry__period")
        .order_by("acknowledged_at", "entry__department__name")
    )
    return render(
        request,
        "verification/flags.html",
        {"flags": Paginator(flags, 100).get_page(request.GET.get("page"))},
    )


def _optional(text: str | None) -> Decimal | None:
    text = (text or "").strip().rstrip("%")
    return _decimal(text, Decimal(0)) if text else None


@role_required(Role.OFFICE)
def thresholds(request: HttpRequest) -> HttpResponse:
    """Per-indicator thresholds of the implausible-entry checks (blank: the default)."""
    from jixiao.scheme.models import Indicator

    if request.method == "POST":
        indicator = get_object_or_404(Indicator, pk=request.POST.get("indicator") or 0)
        try:
            ceiling = _optional(request.POST.get("ceiling"))
            actions.set_threshold(
                _user(request),
                indicator,
                ceiling=ceiling / 100 if ceiling is not None else None,
                jump_factor=_optional(request.POST.get("jump_factor")),
                mad_k=_optional(request.POST.get("mad_k")),
                allow_negative=request.POST.get("allow_negative") == "1",
            )
        except TransitionRefused as error:
            _refused(request, error)
        else:
            messages.success(request, _("已保存 %(i)s 的阈值。") % {"i": indicator.name})
        return redirect("verification:thresholds")
    return render(
        request,
        "verification/thresholds.html",
        {
            "rows": FlagThreshold.objects.select_related("indicator__scheme__year").order_by(
                "-indicator__scheme__year__year", "indicator__code"
            ),
            "indicators": Indicator.objects.exclude(method="")
            .select_related("scheme__year")
            .order_by("-scheme__year__year", "code"),
            "defaults": DEFAULTS,
        },
    )
