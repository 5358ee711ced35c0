"""The review workflow (Liwan): one transition table, actions with check() then execute().

    draft ─submit→ submitted ─approve→ approved ─publish→ published ─finalize→ final
      ↑               │  (full marks / heavy deduction: → awaiting_confirmation
      └── returned ←──┘     ─leader confirm→ approved; leader return → returned)
    published ─request_recheck (unit, within recheck_days)→ recheck_requested
      ─answer (department)→ recheck_answered ─confirm (office)→ final
                                             └─return (office)→ recheck_requested
      (an answer that changes the value to full marks or a heavy deduction:
       → recheck_confirmation ─leader confirm→ recheck_answered;
                              └─leader return→ recheck_requested)

A (state, action, actor) missing from TABLE is refused with a Chinese message (the
mechanism is `jixiao.core.workflow`, shared with the ledger, corrections and supervision;
`Rule`, `TransitionRefused` and `resolve` stay importable from here). Every
executed step writes an audit row (before/after status, reason) in the same transaction
and notifies whoever must act next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.records import record_many
from jixiao.collection import hooks, leaf, notifications
from jixiao.collection.models import (
    NOT_YET_SCORED,
    BonusPenaltyEvent,
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
    EntryStatus,
)
from jixiao.collection.scope import points_of
from jixiao.core.workflow import Rule as BaseRule
from jixiao.core.workflow import TransitionRefused, check_reason, transition_event
from jixiao.core.workflow import resolve as core_resolve
from jixiao.scoring.tasks import schedule_entry_recompute

S = EntryStatus


class Act(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("提交")
    APPROVE = "approve", gettext_lazy("初审通过")
    RETURN = "return", gettext_lazy("退回")
    CONFIRM = "confirm", gettext_lazy("二次确认")
    PUBLISH = "publish", pgettext_lazy("publish entries", "公示")
    REQUEST_RECHECK = "request_recheck", gettext_lazy("申请复核")
    ANSWER_RECHECK = "answer_recheck", gettext_lazy("答复复核")
    CONFIRM_RECHECK = "confirm_recheck", gettext_lazy("确认复核结果")
    FINALIZE = "finalize", gettext_lazy("定稿")


class Actor(models.TextChoices):
    DEPARTMENT = "department", gettext_lazy("数据采集单位")
    LEADER = "leader", gettext_lazy("数据采集单位负责人")
    OFFICE = "office", gettext_lazy("绩效办")
    UNIT = "unit", gettext_lazy("被考核单位")


@dataclass(frozen=True)
class Rule(BaseRule):
    """The shared rule (`jixiao.core.workflow.Rule`) with the entry review's two detours."""

    # Approving an entry with full marks or a heavy deduction goes here instead.
    to_if_confirmation: str | None = None
    # An action that changes the entry's values (a recheck answer) goes here instead when
    # the new values give full marks or a heavy deduction (decided after the change).
    to_if_changed_to_confirmation: str | None = None


TABLE: dict[tuple[str, str, str], Rule] = {
    (S.DRAFT, Act.SUBMIT, Actor.DEPARTMENT): Rule(S.SUBMITTED),
    (S.RETURNED, Act.SUBMIT, Actor.DEPARTMENT): Rule(S.SUBMITTED),
    (S.SUBMITTED, Act.APPROVE, Actor.OFFICE): Rule(
        S.APPROVED, to_if_confirmation=S.AWAITING_CONFIRMATION
    ),
    (S.SUBMITTED, Act.RETURN, Actor.OFFICE): Rule(S.RETURNED, reason_required=True),
    (S.AWAITING_CONFIRMATION, Act.CONFIRM, Actor.LEADER): Rule(S.APPROVED),
    (S.AWAITING_CONFIRMATION, Act.RETURN, Actor.LEADER): Rule(S.RETURNED, reason_required=True),
    (S.APPROVED, Act.PUBLISH, Actor.OFFICE): Rule(S.PUBLISHED),
    (S.PUBLISHED, Act.REQUEST_RECHECK, Actor.UNIT): Rule(S.RECHECK_REQUESTED, reason_required=True),
    (S.PUBLISHED, Act.FINALIZE, Actor.OFFICE): Rule(S.FINAL),
    (S.RECHECK_REQUESTED, Act.ANSWER_RECHECK, Actor.DEPARTMENT): Rule(
        S.RECHECK_ANSWERED,
        reason_required=True,
        to_if_changed_to_confirmation=S.RECHECK_CONFIRMATION,
    ),
    (S.RECHECK_CONFIRMATION, Act.CONFIRM, Actor.LEADER): Rule(S.RECHECK_ANSWERED),
    (S.RECHECK_CONFIRMATION, Act.RETURN, Actor.LEADER): Rule(
        S.RECHECK_REQUESTED, reason_required=True
    ),
    (S.RECHECK_ANSWERED, Act.CONFIRM_RECHECK, Actor.OFFICE): Rule(S.FINAL),
    (S.RECHECK_ANSWERED, Act.RETURN, Actor.OFFICE): Rule(S.RECHECK_REQUESTED, reason_required=True),
}

B = BonusPenaltyStatus
BONUS_TABLE: dict[tuple[str, str, str], Rule] = {
    (B.DRAFT, Act.SUBMIT, Actor.DEPARTMENT): Rule(B.SUBMITTED),
    (B.RETURNED, Act.SUBMIT, Actor.DEPARTMENT): Rule(B.SUBMITTED),
    (B.SUBMITTED, Act.APPROVE, Actor.OFFICE): Rule(B.APPROVED),
    (B.SUBMITTED, Act.RETURN, Actor.OFFICE): Rule(B.RETURNED, reason_required=True),
}


def actors_of(user: User, department_id: int, unit_id: int | None) -> set[str]:
    result: set[str] = set()
    if not user.is_authenticated or not user.is_active:
        return result
    if user.role == Role.OFFICE:
        result.add(Actor.OFFICE)
    if user.role == Role.DEPARTMENT and user.organization_id == department_id:
        result.add(Actor.DEPARTMENT)
        if user.is_org_leader:
            result.add(Actor.LEADER)
    if user.role == Role.UNIT and unit_id is not None and user.organization_id == unit_id:
        result.add(Actor.UNIT)
    return result


def _resolve(
    table: dict[tuple[str, str, str], Rule],
    status: str,
    status_label: str,
    action: str,
    actors: set[str],
    *,
    act_label: Callable[[str], str] | None = None,
    actor_label: Callable[[str], str] | None = None,
) -> Rule:
    """`jixiao.core.workflow.resolve` with this module's action and actor labels."""
    return core_resolve(
        table,
        status,
        status_label,
        action,
        actors,
        act_label=act_label or (lambda a: str(Act(a).label)),
        actor_label=actor_label or (lambda a: str(Actor(a).label)),
    )


resolve = _resolve


def available_actions(user: User, entry: Entry) -> list[str]:
    """Actions of the table this user may try on this entry (guards decide the rest)."""
    actors = actors_of(user, entry.department_id, entry.unit_id)
    return [act for (st, act, actor) in TABLE if st == entry.status and actor in actors]


def recheck_deadline(entry: Entry) -> datetime | None:
    if entry.published_at is None:
        return None
    return entry.published_at + timedelta(days=entry.period.recheck_days)


Hook = Callable[[Entry], None]


class EntryTransition:
    """One action by one user on one or many entries: `check()` then `execute()`."""

    def __init__(
        self,
        action: str,
        user: User,
        *,
        reason: str = "",
        now: datetime | None = None,
        hook: Hook | None = None,
    ) -> None:
        self.action = action
        self.user = user
        self.reason = reason.strip()
        self.now = now or timezone.now()
        self.hook = hook
        self._points: dict[int, tuple[Decimal | None, int | None]] = {}
        self._rules: dict[int, Rule] = {}
        # Reasons other apps give for holding an approval (e.g. an unacknowledged flag).
        self._blocked: dict[int, str] | None = None

    # -- check -----------------------------------------------------------------

    def check(self, entry: Entry) -> str:
        """The status `entry` would move to; TransitionRefused (Chinese) if it may not."""
        actors = actors_of(self.user, entry.department_id, entry.unit_id)
        rule = _resolve(TABLE, entry.status, entry.get_status_display(), self.action, actors)
        check_reason(rule, self.reason, str(Act(self.action).label))
        guard = getattr(self, f"_guard_{self.action}", None)
        if guard is not None:
            guard(entry)
        self._rules[entry.pk] = rule
        if rule.to_if_confirmation and self._needs_confirmation(entry):
            return rule.to_if_confirmation
        return rule.to

    def _point_info(self, entry: Entry) -> tuple[Decimal | None, int | None]:
        if entry.pk not in self._points:
            self._points.update(points_of([entry]))
        return self._points.get(entry.pk, (None, None))

    def _needs_confirmation(self, entry: Entry) -> bool:
        points, _staffing = self._point_info(entry)
        share = entry.period.scheme.heavy_deduction_share
        return leaf.needs_confirmation(entry.score, points, share)

    def _guard_submit(self, entry: Entry) -> None:
        period = entry.period
        if entry.status == S.DRAFT and not period.accepts_entries_from(
            entry.department_id, self.now
        ):
            raise TransitionRefused(
                _("%(period)s已过填报截止时间，如需补报请联系绩效办申请延期。")
                % {"period": period.name}
            )
        points, staffing = self._point_info(entry)
        outcome = leaf.evaluate(
            entry.indicator,
            points,
            staffing,
            {"value": entry.value, "reference": entry.reference, "grade": entry.grade},
            heavy_share=period.scheme.heavy_deduction_share,
            reason=entry.reason,
        )
        where = f"{entry.indicator.code} · {entry.unit.name}："
        if not outcome.complete and outcome.ok:
            raise TransitionRefused(where + _("数据未填写完整"))
        if not outcome.ok:
            raise TransitionRefused(where + "；".join(outcome.errors))

    def _guard_approve(self, entry: Entry) -> None:
        blocked = self._blocked if self._blocked is not None else hooks.blockers([entry])
        if entry.pk in blocked:
            where = f"{entry.indicator.code} · {entry.unit.name}："
            raise TransitionRefused(where + blocked[entry.pk])

    def _guard_request_recheck(self, entry: Entry) -> None:
        deadline = recheck_deadline(entry)
        if deadline is None or self.now > deadline:
            raise TransitionRefused(_("复核申请期已结束，不能再申请复核。"))

    def _guard_finalize(self, entry: Entry) -> None:
        deadline = recheck_deadline(entry)
        if deadline is not None and self.now <= deadline:
            raise TransitionRefused(
                _("复核申请期至 %(d)s 结束，结束后才能定稿。")
                % {"d": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
            )

    # -- execute ---------------------------------------------------------------

    def execute(self, entries: Iterable[Entry]) -> list[Entry]:
        """All or nothing: lock the rows, check each, move them, audit and notify."""
        ids = sorted({e.pk for e in entries})
        if not ids:
            raise TransitionRefused(_("没有可处理的数据。"))
        with transaction.atomic():
            locked = list(
                Entry.objects.select_for_update(of=("self",))
                .select_related("period__scheme", "indicator", "unit", "department")
                .filter(pk__in=ids)
                .order_by("pk")
            )
            self._points = points_of(locked)
            if self.action == Act.APPROVE:
                self._blocked = hooks.blockers(locked)
            targets: list[tuple[Entry, str]] = []
            refused: list[str] = []
            for entry in locked:
                try:
                    targets.append((entry, self.check(entry)))
                except TransitionRefused as error:
                    refused.extend(error.messages)
            if refused:
                raise TransitionRefused(refused)
            events = []
            for entry, target in targets:
                before = entry.status
                inputs_before = (entry.value, entry.reference, entry.grade)
                score_before = entry.score
                self._apply(entry, target)
                if self.hook is not None:
                    self.hook(entry)
                changed = (entry.value, entry.reference, entry.grade) != inputs_before or (
                    entry.score != score_before
                )
                rule = self._rules[entry.pk]
                if (
                    rule.to_if_changed_to_confirmation
                    and changed
                    and self._needs_confirmation(entry)
                ):
                    # Changed to full marks or a heavy deduction: the leader confirms first.
                    entry.status = rule.to_if_changed_to_confirmation
                entry.version += 1
                entry.save()
                counted = (before not in NOT_YET_SCORED, entry.status not in NOT_YET_SCORED)
                if counted[0] != counted[1] or (
                    counted[1] and inputs_before != (entry.value, entry.reference, entry.grade)
                ):
                    # The office's working score run follows what counts (incremental).
                    schedule_entry_recompute(entry.pk)
                events.append(
                    transition_event(entry, before, entry.status, self.action, self.reason)
                )
            record_many(events)
            self._notify([e for e, _t in targets])
        return [e for e, _t in targets]

    def _apply(self, entry: Entry, target: str) -> None:
        actors = actors_of(self.user, entry.department_id, entry.unit_id)
        entry.status = target
        if target == S.SUBMITTED:
            entry.submitted_at = self.now
            entry.review_comment = ""
        elif target == S.RETURNED:
            entry.review_comment = self.reason
        elif self.action == Act.APPROVE:
            entry.reviewed_by, entry.reviewed_at = self.user, self.now
        elif self.action == Act.CONFIRM and Actor.LEADER in actors:
            entry.confirmed_by, entry.confirmed_at = self.user, self.now
        elif target == S.PUBLISHED:
            entry.published_at = self.now
        elif self.action == Act.RETURN:
            entry.review_comment = self.reason

    # -- notify ----------------------------------------------------------------

    def _notify(self, entries: list[Entry]) -> None:
        groups: dict[tuple[str, int, int], list[Entry]] = defaultdict(list)
        for entry in entries:
            groups[(entry.status, entry.department_id, entry.unit_id)].append(entry)
        by_department: dict[tuple[str, int], list[Entry]] = defaultdict(list)
        for (status, department_id, _unit_id), items in groups.items():
            by_department[(status, department_id)].extend(items)
        for (status, department_id), items in by_department.items():
            self._notify_group(status, department_id, items)

    def _notify_group(self, status: str, department_id: int, items: list[Entry]) -> None:
        first = items[0]
        period, n = first.period, len(items)
        ctx = {"period": period.name, "dept": first.department.name, "n": n}
        send = notifications.notify
        if status == S.SUBMITTED:
            send(
                notifications.office_users(),
                _("%(dept)s提交了 %(n)d 条%(period)s数据，待初审") % ctx,
                reverse("collection:review_queue"),
                exclude=self.user,
            )
        elif status == S.RETURNED:
            ctx["reason"] = self.reason
            send(
                notifications.department_users(department_id),
                _("%(period)s有 %(n)d 条数据被退回：%(reason)s") % ctx,
                reverse("collection:workspace", args=[period.pk]),
                exclude=self.user,
            )
        elif status == S.AWAITING_CONFIRMATION:
            send(
                notifications.department_users(department_id, leaders_only=True),
                _("%(period)s有 %(n)d 条满分或重大扣分数据待您二次确认") % ctx,
                reverse("collection:confirm_queue"),
                exclude=self.user,
            )
        elif status == S.APPROVED and self.action == Act.CONFIRM:
            send(
                notifications.office_users(),
                _("%(dept)s负责人已二次确认 %(n)d 条%(period)s数据，可公示") % ctx,
                reverse("collection:period_detail", args=[period.pk]),
                exclude=self.user,
            )
        elif status == S.PUBLISHED:
            for unit_id in {e.unit_id for e in items}:
                send(
                    notifications.unit_users(unit_id),
                    _("%(dept)s的%(period)s考核数据已公示，如有异议请在 %(days)d 天内申请复核")
                    % {**ctx, "days": period.recheck_days},
                    reverse("collection:unit_entries"),
                )
        elif status == S.RECHECK_REQUESTED and self.action == Act.RETURN:
            send(
                notifications.department_users(department_id),
                _("%(unit)s“%(ind)s”的复核答复被退回：%(reason)s，请重新答复")
                % {"unit": first.unit.name, "ind": first.indicator.name, "reason": self.reason},
                reverse("collection:entry_detail", args=[first.pk]),
                exclude=self.user,
            )
        elif status == S.RECHECK_REQUESTED:
            send(
                notifications.department_users(department_id),
                _("%(unit)s对“%(ind)s”提出复核申请，请答复")
                % {"unit": first.unit.name, "ind": first.indicator.name},
                reverse("collection:entry_detail", args=[first.pk]),
                exclude=self.user,
            )
        elif status == S.RECHECK_CONFIRMATION:
            send(
                notifications.department_users(department_id, leaders_only=True),
                _("%(unit)s“%(ind)s”的复核答复将数据更正为满分或重大扣分，待您二次确认")
                % {"unit": first.unit.name, "ind": first.indicator.name},
                reverse("collection:entry_detail", args=[first.pk]),
                exclude=self.user,
            )
        elif status == S.RECHECK_ANSWERED:
            link = reverse("collection:entry_detail", args=[first.pk])
            text = _("%(dept)s已答复%(unit)s关于“%(ind)s”的复核申请") % {
                "dept": first.department.name,
                "unit": first.unit.name,
                "ind": first.indicator.name,
            }
            send(notifications.office_users(), text + _("，待确认"), link, exclude=self.user)
            send(notifications.unit_users(first.unit_id), text, link)
        elif status == S.FINAL and self.action == Act.CONFIRM_RECHECK:
            send(
                notifications.unit_users(first.unit_id),
                _("您对“%(ind)s”的复核结果已由绩效办确认") % {"ind": first.indicator.name},
                reverse("collection:entry_detail", args=[first.pk]),
            )


def period_entries_for_batch(
    period: CollectionPeriod, department_id: int | None, status: str
) -> list[Entry]:
    qs = Entry.objects.filter(period=period, status=status)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return list(qs.only("pk"))


# ---------------------------------------------------------------------------
# Bonus–penalty events go through the same review with their own small table.


class BonusTransition:
    def __init__(self, action: str, user: User, *, reason: str = "") -> None:
        self.action = action
        self.user = user
        self.reason = reason.strip()
        self.now = timezone.now()

    def check(self, event: BonusPenaltyEvent) -> str:
        actors = actors_of(self.user, event.department_id, None)
        rule = _resolve(BONUS_TABLE, event.status, event.get_status_display(), self.action, actors)
        # Caps do not refuse an event: one past a cap is a fact, recorded and counted up to
        # the cap (collection/ledger.py).
        check_reason(rule, self.reason, str(Act(self.action).label))
        return rule.to

    def execute(self, event: BonusPenaltyEvent) -> BonusPenaltyEvent:
        with transaction.atomic():
            locked = (
                BonusPenaltyEvent.objects.select_for_update(of=("self",))
                .select_related("indicator", "unit", "department", "scheme")
                .get(pk=event.pk)
            )
            target = self.check(locked)
            before = locked.status
            locked.status = target
            if target == B.SUBMITTED:
                locked.submitted_at = self.now
                locked.review_comment = ""
            elif target == B.APPROVED:
                locked.reviewed_by, locked.reviewed_at = self.user, self.now
            elif target == B.RETURNED:
                locked.review_comment = self.reason
            locked.version += 1
            locked.save()
            record_many([transition_event(locked, before, target, self.action, self.reason)])
            link = reverse("collection:bonus_detail", args=[locked.pk])
            ctx = {"dept": locked.department.name, "unit": locked.unit.name}
            if target == B.SUBMITTED:
                notifications.notify(
                    notifications.office_users(),
                    _("%(dept)s提交了%(unit)s的加扣分事项，待初审") % ctx,
                    link,
                    exclude=self.user,
                )
            elif target == B.RETURNED:
                notifications.notify(
                    notifications.department_users(locked.department_id),
                    _("%(unit)s的加扣分事项被退回：%(r)s") % {**ctx, "r": self.reason},
                    link,
                    exclude=self.user,
                )
            elif target == B.APPROVED:
                notifications.notify(
                    notifications.unit_users(locked.unit_id),
                    _("%(dept)s对本单位的加扣分事项已审核通过") % ctx,
                    link,
                )
        return locked
