"""Every write of the monitoring app: one transaction each, audit rows inside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, snapshot
from jixiao.collection import notifications
from jixiao.collection.evidence import store_upload
from jixiao.collection.workflow import TransitionRefused, resolve
from jixiao.core.concurrency import save_versioned
from jixiao.core.values import clean_text
from jixiao.monitoring import lights, report, status
from jixiao.monitoring.models import (
    Breakdown,
    Light,
    LightNotice,
    LightRule,
    MonthlyReport,
    PlanStatus,
    Progress,
    ProgressEvidence,
    ProjectNode,
    RuleScope,
    Target,
)
from jixiao.monitoring.workflow import ACTORS, ACTS, EDITABLE, TABLE, plan_actors
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Indicator, IndicatorKind, Scheme, SchemeStatus

TARGET_FIELDS = ["annual", "breakdown", "profile", "milestones"]


def monitored_indicators(scheme: Scheme) -> Any:
    """Quantitative leaf indicators of the published scheme (targets and nodes hang on them)."""
    return (
        Indicator.objects.leaves()
        .filter(
            scheme=scheme,
            is_qualitative=False,
            kind__in=[IndicatorKind.COMMON, IndicatorKind.INDIVIDUAL],
        )
        .exclude(method="")
        .select_related("owner")
    )


def _check_owner(user: User, indicator: Indicator) -> None:
    if indicator.scheme.status != SchemeStatus.PUBLISHED:
        raise TransitionRefused(_("考核方案发布后才能分解目标。"))
    if user.role == Role.OFFICE:
        return
    if user.role == Role.DEPARTMENT and user.organization_id == indicator.owner_id:
        return
    raise TransitionRefused(_("只有指标牵头部门或绩效办可以设定目标。"))


def milestones_for(
    annual: Decimal, breakdown: str, profile: str = "", typed: Sequence[Decimal | None] = ()
) -> list[Decimal]:
    """The cumulative monthly plan; TransitionRefused (Chinese) for a plan that cannot be."""
    try:
        if breakdown == Breakdown.EVEN:
            return lights.even_milestones(annual)
        if breakdown == Breakdown.PROFILE:
            if profile not in lights.PROFILES:
                raise ValueError(_("请选择进度曲线。"))
            return lights.profile_milestones(annual, profile)
        if breakdown == Breakdown.TYPED:
            return lights.typed_milestones(annual, typed)
    except ValueError as error:
        raise TransitionRefused(str(error)) from None
    raise TransitionRefused(_("请选择分解方式。"))


def set_target(
    user: User,
    indicator: Indicator,
    unit: Organization,
    annual: Decimal,
    *,
    breakdown: str = Breakdown.EVEN,
    profile: str = "",
    typed: Sequence[Decimal | None] = (),
    version: int | None = None,
) -> Target:
    """Create or change a unit's target (draft or returned only; conflicts refused)."""
    _check_owner(user, indicator)
    if annual <= 0:
        raise TransitionRefused(_("年度目标必须大于 0。"))
    plan = [str(m) for m in milestones_for(annual, breakdown, profile, typed)]
    with transaction.atomic():
        target = (
            Target.objects.select_for_update(of=("self",))
            .filter(indicator=indicator, unit=unit)
            .first()
        )
        if target is None:
            target = Target.objects.create(
                scheme=indicator.scheme,
                indicator=indicator,
                unit=unit,
                annual=annual,
                breakdown=breakdown,
                profile=profile if breakdown == Breakdown.PROFILE else "",
                milestones=plan,
            )
            record_create(target)
            return target
        if target.status not in EDITABLE:
            raise TransitionRefused(
                _("“%(t)s”%(s)s，不能修改。") % {"t": target, "s": target.get_status_display()}
            )
        before = snapshot(target, TARGET_FIELDS)
        target.annual, target.breakdown, target.milestones = annual, breakdown, plan
        target.profile = profile if breakdown == Breakdown.PROFILE else ""
        save_versioned(target, target.version if version is None else version, TARGET_FIELDS)
        record(AuditAction.UPDATE, target, before=before, after=snapshot(target, TARGET_FIELDS))
    return target


def add_node(
    user: User,
    indicator: Indicator,
    project: str,
    name: str,
    unit: Organization,
    due_on: dt.date,
) -> ProjectNode:
    _check_owner(user, indicator)
    project, name = clean_text(project, max_length=100), clean_text(name, max_length=200)
    if not project or not name:
        raise TransitionRefused(_("请填写重点项目和节点名称。"))
    with transaction.atomic():
        if ProjectNode.objects.filter(indicator=indicator, project=project, name=name).exists():
            raise TransitionRefused(_("这个项目已有同名节点，请换一个名称。"))
        node = ProjectNode.objects.create(
            scheme=indicator.scheme,
            indicator=indicator,
            project=project,
            name=name,
            unit=unit,
            due_on=due_on,
        )
        record_create(node)
    return node


def transition_plans(
    user: User, objects: Sequence[Target | ProjectNode], action: str, reason: str = ""
) -> int:
    """Submit, approve, return or reopen targets/nodes: all or nothing."""
    if action not in ACTS:
        raise TransitionRefused(_("未知的操作。"))
    reason = clean_text(reason)
    if not objects:
        raise TransitionRefused(_("没有可处理的目标。"))
    model = type(objects[0])
    with transaction.atomic():
        locked = list(
            model.objects.select_for_update(of=("self",))
            .select_related("indicator", "unit")
            .filter(pk__in=[o.pk for o in objects])
            .order_by("pk")
        )
        refused: list[str] = []
        moves = []
        for obj in locked:
            try:
                rule = resolve(
                    TABLE,
                    obj.status,
                    obj.get_status_display(),
                    action,
                    plan_actors(user, obj.indicator.owner_id),
                    act_label=lambda a: str(ACTS[a]),
                    actor_label=lambda a: str(ACTORS[a]),
                )
            except TransitionRefused as error:
                refused.extend(f"{obj}：{m}" for m in error.messages)
                continue
            if rule.reason_required and not reason:
                refused.append(_("请填写%(act)s的理由。") % {"act": ACTS[action]})
                continue
            moves.append((obj, rule.to))
        if refused:
            raise TransitionRefused(sorted(set(refused)))
        for obj, to in moves:
            before = obj.status
            obj.status = to
            obj.review_comment = reason if to == PlanStatus.RETURNED else ""
            obj.version += 1
            obj.save(update_fields=["status", "review_comment", "version"])
            record(
                AuditAction.TRANSITION,
                obj,
                before={"status": before},
                after={"status": to, "action": action},
                reason=reason,
            )
        _notify_plans(user, [o for o, _t in moves], action, reason)
    return len(moves)


def _notify_plans(user: User, objects: list[Any], action: str, reason: str) -> None:
    link = reverse("monitoring:targets")
    owners = {o.indicator.owner_id for o in objects if o.indicator.owner_id}
    n = len(objects)
    if action == "submit":
        notifications.notify(
            notifications.office_users(),
            _("有 %(n)d 项目标分解待审核") % {"n": n},
            link,
            exclude=user,
        )
        return
    text = {
        "approve": _("%(n)d 项目标分解已批准") % {"n": n},
        "return": _("%(n)d 项目标分解被退回：%(r)s") % {"n": n, "r": reason},
        "reopen": _("%(n)d 项已批准的目标分解被退回修改：%(r)s") % {"n": n, "r": reason},
    }[action]
    for owner_id in owners:
        notifications.notify(notifications.department_users(owner_id), text, link, exclude=user)


def may_enter_progress(user: User, target: Target) -> bool:
    if user.role == Role.UNIT:
        return user.organization_id == target.unit_id
    if user.role == Role.DEPARTMENT:
        return user.organization_id == target.indicator.owner_id
    return False


def enter_progress(
    user: User,
    target: Target,
    month: int,
    value: Decimal,
    narrative: str = "",
    *,
    version: int | None = None,
    submit: bool = True,
    today: dt.date | None = None,
) -> Progress:
    """A month's value to date, saved as a draft (`submit=False`: the grid's 保存草稿,
    counted nowhere yet) or reported (`submit=True`: lights, the monthly report and the
    office count it). A reported value stays reported when corrected. A light that turns
    red on reporting notifies the unit (its leader included): the same words as
    `status.red_light_source`."""
    if not may_enter_progress(user, target):
        raise TransitionRefused(_("只有责任单位或指标牵头部门可以填报进度。"))
    if target.status != PlanStatus.APPROVED:
        raise TransitionRefused(_("目标分解经绩效办批准后才能填报进度。"))
    if not 1 <= month <= 12:
        raise TransitionRefused(_("月份应在 1 到 12 之间。"))
    narrative = clean_text(narrative, max_length=500)
    rules = status.rules_for(target.scheme.year_id)["target"]
    fields = ["value", "narrative", "submitted_at"]
    with transaction.atomic():
        row = (
            Progress.objects.select_for_update(of=("self",))
            .filter(target=target, month=month)
            .first()
        )
        before_value = _value_to(target, month)
        before_color = (
            status.target_light(target, before_value, month, rules)[0]
            if before_value is not None
            else None
        )
        if row is None:
            row = Progress.objects.create(
                target=target,
                month=month,
                value=value,
                narrative=narrative,
                entered_by=user,
                submitted_at=timezone.now() if submit else None,
            )
            record_create(row)
        elif (
            row.value == value
            and row.narrative == narrative
            and (row.submitted_at is not None or not submit)
            and (version is None or version == row.version)
        ):
            return row  # the grid posts every row: an unchanged one records nothing
        else:
            before = snapshot(row, fields)
            row.value, row.narrative, row.entered_by = value, narrative, user
            if submit and row.submitted_at is None:
                row.submitted_at = timezone.now()
            save_versioned(
                row,
                row.version if version is None else version,
                ["value", "narrative", "entered_by", "submitted_at"],
            )
            record(AuditAction.UPDATE, row, before=before, after=snapshot(row, fields))
        if row.submitted_at is not None:
            color = status.target_light(target, value, month, rules)[0]
            if color == lights.RED and before_color != lights.RED:
                notify_red(target, month, value)
    return row


def _value_to(target: Target, month: int) -> Decimal | None:
    row = (
        Progress.objects.submitted()
        .filter(target=target, month__lte=month)
        .order_by("-month")
        .values_list("value", flat=True)
        .first()
    )
    return row


def notify_red(target: Target, month: int, value: Decimal) -> None:
    lights_now = status.year_lights(target.scheme, month, unit_ids=[target.unit_id])
    light = next((x for x in lights_now if x.kind == "target" and x.pk == target.pk), None)
    if light is not None:
        tell_about_red_light(light)


def tell_about_red_light(light: status.UnitLight) -> bool:
    """Notify the unit (its leader included) of a red light, once per light and month.
    Returns whether a notice went out now."""
    with transaction.atomic():
        _notice, created = LightNotice.objects.get_or_create(
            kind=light.kind, object_id=light.pk, year=light.year, month=light.month
        )
        if created:
            source = status.red_light_source(light)
            notifications.notify(
                notifications.unit_users(light.unit_id), source["description"], source["link"]
            )
    return created


def notify_new_red_lights(today: dt.date | None = None) -> int:
    """Run daily by the scheduler: every red light of this month's published schemes that
    nobody was told about yet (a month that moved on, a node past its due date)."""
    today = today or timezone.localdate()
    told = 0
    for scheme in Scheme.objects.filter(year__year=today.year, status=SchemeStatus.PUBLISHED):
        for light in status.year_lights(scheme, today.month, today=today):
            if light.color == lights.RED and tell_about_red_light(light):
                told += 1
    return told


def attach_evidence(user: User, progress: Progress, upload: Any) -> ProgressEvidence:
    """An evidence file through collection's one upload door (type by content, size, safe
    archives; the bytes reach the storage only when the transaction commits, and a failed
    write removes the row again)."""
    if not may_enter_progress(user, progress.target):
        raise TransitionRefused(_("只有责任单位或指标牵头部门可以上传佐证材料。"))
    return store_upload(upload, user, ProgressEvidence, owner=str(progress), progress=progress)


def complete_node(user: User, node: ProjectNode, done_on: dt.date | None) -> ProjectNode:
    """The responsible unit (or the owning department) marks a node done (or not yet)."""
    allowed = (user.role == Role.UNIT and user.organization_id == node.unit_id) or (
        user.role == Role.DEPARTMENT and user.organization_id == node.indicator.owner_id
    )
    if not allowed:
        raise TransitionRefused(_("只有责任单位或指标牵头部门可以登记节点完成情况。"))
    if node.status != PlanStatus.APPROVED:
        raise TransitionRefused(_("节点经绩效办批准后才能登记完成情况。"))
    with transaction.atomic():
        before = snapshot(node, ["done_on"])
        node.done_on = done_on
        save_versioned(node, node.version, ["done_on"])
        record(AuditAction.UPDATE, node, before=before, after=snapshot(node, ["done_on"]))
    return node


def save_light_rules(
    user: User, year: AssessmentYear, scope: str, rules: Sequence[tuple[str, Decimal]]
) -> list[LightRule]:
    """Replace the office's rules of one scope (in order: the first match wins)."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以设置亮灯规则。"))
    if scope not in RuleScope.values:
        raise TransitionRefused(_("未知的规则类型。"))
    with transaction.atomic():
        old = list(
            LightRule.objects.filter(year=year, scope=scope).values_list("color", "threshold")
        )
        LightRule.objects.filter(year=year, scope=scope).delete()
        created = LightRule.objects.bulk_create(
            LightRule(year=year, scope=scope, position=i + 1, color=c, threshold=t)
            for i, (c, t) in enumerate(rules)
        )
        record(
            AuditAction.UPDATE,
            object_type="monitoring.lightrule",
            object_id=str(year.pk),
            object_repr=f"{year} {RuleScope(scope).label}",
            before={"rules": [f"{Light(c).label} ≥ {t}" for c, t in old]},
            after={"rules": [f"{Light(c).label} ≥ {t}" for c, t in rules]},
        )
    return created


def publish_report(user: User, scheme: Scheme, month: int) -> MonthlyReport:
    """Publish a month's report: its rows are stored as they are now and units are told."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以发布月度评估报告。"))
    with transaction.atomic():
        if MonthlyReport.objects.filter(year=scheme.year, month=month).exists():
            raise TransitionRefused(_("这个月的评估报告已经发布。"))
        rows = report.compute(scheme, month)
        if not rows:
            raise TransitionRefused(_("还没有已批准的目标，无法生成评估报告。"))
        published = MonthlyReport.objects.create(
            year=scheme.year, month=month, rows=rows, published_at=timezone.now(), published_by=user
        )
        record(
            AuditAction.TRANSITION,
            published,
            after={"action": "publish", "month": month, "units": len(rows)},
        )
        link = reverse("monitoring:report", args=[scheme.year.year, month])
        text = _("%(y)d年%(m)d月绩效评估报告已发布") % {"y": scheme.year.year, "m": month}
        unit_ids = [r["unit_id"] for r in rows]
        notifications.notify(
            User.objects.filter(role=Role.UNIT, organization_id__in=unit_ids, is_active=True),
            text,
            link,
        )
    return published
