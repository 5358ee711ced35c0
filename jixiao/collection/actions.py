"""Writes of the collection app. Each action owns its transaction and its audit rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_update, snapshot
from jixiao.collection import evidence as evidence_files
from jixiao.collection import hooks, leaf, notifications
from jixiao.collection.models import (
    CollectionPeriod,
    DeadlineException,
    Entry,
    EntryStatus,
    PeriodStatus,
    RecheckOutcome,
    RecheckRequest,
    RecheckStatus,
)
from jixiao.collection.scope import Slot, slot_for
from jixiao.collection.structure import department_slots
from jixiao.collection.workflow import Act, EntryTransition, TransitionRefused
from jixiao.core.concurrency import EditConflict, save_versioned
from jixiao.org.models import Organization

EDITABLE = (EntryStatus.DRAFT, EntryStatus.RETURNED)
ENTRY_FIELDS = ["value", "reference", "grade", "score", "reason"]
PERIOD_FIELDS = ["name", "starts_on", "ends_on", "deadline", "recheck_days", "status"]


# -- periods -----------------------------------------------------------------


def create_period(period: CollectionPeriod) -> CollectionPeriod:
    with transaction.atomic():
        period.save()
        record_create(period)
    return period


def update_period(period: CollectionPeriod, expected_version: int, before: dict[str, Any]) -> None:
    with transaction.atomic():
        save_versioned(period, expected_version, PERIOD_FIELDS)
        record_update(period, before)


def set_period_status(
    period: CollectionPeriod, status: str, user: User, expected_version: int
) -> None:
    """Open or close a period (audited as a transition)."""
    allowed = {
        PeriodStatus.DRAFT: {PeriodStatus.OPEN},
        PeriodStatus.OPEN: {PeriodStatus.CLOSED},
        PeriodStatus.CLOSED: {PeriodStatus.OPEN},
    }
    if status not in allowed[PeriodStatus(period.status)]:
        raise TransitionRefused(
            _("“%(from)s”的周期不能改为“%(to)s”。")
            % {"from": period.get_status_display(), "to": PeriodStatus(status).label}
        )
    before = period.status
    with transaction.atomic():
        period.status = status
        save_versioned(period, expected_version, ["status"])
        record(
            AuditAction.TRANSITION,
            period,
            before={"status": before},
            after={"status": status},
        )
        if status == PeriodStatus.OPEN:
            departments = {s.indicator.owner_id for s in _all_slots(period) if s.indicator.owner_id}
            for department_id in departments:
                notifications.notify(
                    notifications.department_users(department_id),
                    _("%(p)s已开放填报，截止时间 %(d)s")
                    % {"p": period.name, "d": _local(period.deadline)},
                    reverse("collection:workspace", args=[period.pk]),
                )


def _all_slots(period: CollectionPeriod) -> list[Slot]:
    from jixiao.collection.scope import collected_indicators, slots_for

    return slots_for(period, collected_indicators(period))


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def grant_exception(
    period: CollectionPeriod, department: Organization, until: datetime, reason: str, user: User
) -> DeadlineException:
    if not reason.strip():
        raise TransitionRefused(_("请填写延期理由。"))
    if until <= timezone.now():
        raise TransitionRefused(_("延期时间必须晚于现在。"))
    with transaction.atomic():
        exception = DeadlineException.objects.create(
            period=period, department=department, until=until, reason=reason, granted_by=user
        )
        record_create(exception, reason=reason)
        notifications.notify(
            notifications.department_users(department.pk),
            _("绩效办同意%(p)s延期填报至 %(d)s") % {"p": period.name, "d": _local(until)},
            reverse("collection:workspace", args=[period.pk]),
        )
    return exception


# -- entering data ---------------------------------------------------------------


@dataclass
class RowInput:
    """What a department typed for one slot (raw strings from the grid or a workbook)."""

    slot: Slot
    raw: Mapping[str, Any]
    reason: str = ""
    expected_version: int | None = None  # None: the user saw no saved entry


@dataclass
class SaveResult:
    saved: list[Entry] = field(default_factory=list)
    unchanged: int = 0
    errors: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    conflicts: dict[tuple[int, int], str] = field(default_factory=dict)


def ensure_can_enter(user: User, period: CollectionPeriod) -> None:
    if not user.has_role(Role.DEPARTMENT):
        raise TransitionRefused(_("只有数据采集单位可以填报数据。"))
    if period.status == PeriodStatus.DRAFT:
        raise TransitionRefused(_("该周期尚未开放填报。"))


def save_rows(
    user: User,
    period: CollectionPeriod,
    rows: Sequence[RowInput],
    *,
    now: datetime | None = None,
) -> SaveResult:
    """Save the department's drafts row by row: each valid row is saved on its own
    version check; invalid or conflicting rows are reported and keep the user's input."""
    ensure_can_enter(user, period)
    now = now or timezone.now()
    window_open = period.accepts_entries_from(user.organization_id, now)
    share = period.scheme.heavy_deduction_share
    result = SaveResult()
    existing = {
        (e.indicator_id, e.unit_id): e
        for e in Entry.objects.filter(
            period=period, department=user.organization, unit_id__in={r.slot.unit.pk for r in rows}
        ).order_by()
    }
    for row in rows:
        slot = row.slot
        if slot.indicator.owner_id != user.organization_id:
            raise Http404
        entry = existing.get(slot.key)
        if entry is not None:
            # Known already: the audit row names them without three more queries.
            entry.period, entry.indicator, entry.unit = period, slot.indicator, slot.unit
        outcome = leaf.evaluate(
            slot.indicator,
            slot.points,
            slot.staffing,
            row.raw,
            heavy_share=share,
            reason=row.reason,
        )
        # Drafts may be incomplete or lack a reason; only malformed values are refused.
        hard_errors = [e for e in outcome.errors if e != outcome.reason_needed]
        if hard_errors:
            result.errors[slot.key] = hard_errors
            continue
        values = {
            "value": outcome.values.get("value"),
            "reference": outcome.values.get("reference"),
            "grade": outcome.values.get("grade") or "",
            "score": outcome.score,
            "reason": row.reason.strip(),
        }
        if entry is None and all(v in (None, "") for v in values.values()):
            result.unchanged += 1  # an untouched empty row
            continue
        if entry is not None and _same(entry, values):
            result.unchanged += 1
            continue
        if entry is not None and entry.status not in EDITABLE:
            result.errors[slot.key] = [
                _("该数据处于“%(s)s”状态，不能修改。") % {"s": entry.get_status_display()}
            ]
            continue
        if not window_open and (entry is None or entry.status != EntryStatus.RETURNED):
            result.errors[slot.key] = [_("已过填报截止时间，不能再修改。")]
            continue
        try:
            saved = _save_one(user, period, slot, entry, values, row.expected_version, now)
        except EditConflict as conflict:
            result.conflicts[slot.key] = str(conflict)
            continue
        result.saved.append(saved)
    hooks.announce_saved([e.pk for e in result.saved])
    return result


def _same(entry: Entry, values: Mapping[str, Any]) -> bool:
    return all(_eq(getattr(entry, k), v) for k, v in values.items())


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return (a if a is not None else "") == (b if b is not None else "")


def _save_one(
    user: User,
    period: CollectionPeriod,
    slot: Slot,
    entry: Entry | None,
    values: Mapping[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Entry:
    with transaction.atomic():
        if entry is None:
            if expected_version is not None:
                raise EditConflict(Entry(period=period, indicator=slot.indicator, unit=slot.unit))
            entry = Entry(
                period=period,
                indicator=slot.indicator,
                unit=slot.unit,
                department=user.organization,
                entered_by=user,
                entered_at=now,
                **values,
            )
            try:
                with transaction.atomic():
                    entry.save()
            except IntegrityError as error:
                # Somebody created the same entry a moment ago.
                raise EditConflict(entry) from error
            record_create(entry)
            return entry
        if expected_version is None:
            # The user typed into an empty cell that somebody else has filled since.
            raise EditConflict(entry)
        before = snapshot(entry, ENTRY_FIELDS)
        for key, value in values.items():
            setattr(entry, key, value)
        entry.entered_by, entry.entered_at = user, now
        save_versioned(entry, expected_version, [*ENTRY_FIELDS, "entered_by", "entered_at"])
        record_update(entry, before)
    return entry


def submit_entries(user: User, entries: Sequence[Entry]) -> list[Entry]:
    return EntryTransition(Act.SUBMIT, user).execute(entries)


def submit_period(user: User, period: CollectionPeriod, indicator_id: int | None = None) -> int:
    """Submit every complete draft or returned entry of the user's department."""
    qs = Entry.objects.filter(
        period=period, department_id=user.organization_id, status__in=EDITABLE
    ).select_related("period__scheme", "indicator", "unit")
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    entries = list(qs)
    if not entries:
        raise TransitionRefused(_("没有可提交的数据（草稿或已退回）。"))
    with transaction.atomic():
        hooks.before_submit(user, period, entries)
        return len(submit_entries(user, entries))


# -- rechecks -------------------------------------------------------------------


def request_recheck(
    user: User, entry: Entry, reason: str, files: Sequence[Any] = ()
) -> RecheckRequest:
    created: list[RecheckRequest] = []

    def hook(locked: Entry) -> None:
        request = RecheckRequest.objects.create(
            entry=locked, unit_id=locked.unit_id, reason=reason.strip(), filed_by=user
        )
        record_create(request, reason=reason)
        for upload in files:
            evidence_files.attach(upload, user, recheck=request)
        created.append(request)

    with transaction.atomic():
        EntryTransition(Act.REQUEST_RECHECK, user, reason=reason, hook=hook).execute([entry])
    return created[0]


def answer_recheck(
    user: User,
    entry: Entry,
    *,
    outcome: str,
    answer: str,
    raw: Mapping[str, Any] | None = None,
    new_reason: str = "",
    slot: Slot | None = None,
) -> RecheckRequest:
    """The department upholds the entry or changes it (new value and reason)."""
    request = entry.rechecks.filter(status=RecheckStatus.OPEN).first()
    if request is None:
        raise TransitionRefused(_("没有待答复的复核申请。"))
    if outcome not in RecheckOutcome.values:
        raise TransitionRefused(_("请选择答复结果。"))

    def hook(locked: Entry) -> None:
        before = snapshot(locked, ENTRY_FIELDS)
        if outcome == RecheckOutcome.CHANGED:
            if slot is None or raw is None:
                raise TransitionRefused(_("更正时须填写新的数值。"))
            result = leaf.evaluate(
                slot.indicator,
                slot.points,
                slot.staffing,
                raw,
                heavy_share=locked.period.scheme.heavy_deduction_share,
                reason=new_reason,
            )
            if not result.complete and result.ok:
                raise TransitionRefused(_("更正后的数据未填写完整。"))
            if not result.ok:
                raise TransitionRefused(result.errors)
            if not new_reason.strip():
                raise TransitionRefused(_("更正时须填写新的计分说明。"))
            locked.value = result.values.get("value")
            locked.reference = result.values.get("reference")
            locked.grade = result.values.get("grade") or ""
            locked.score = result.score
            locked.reason = new_reason.strip()
        after = snapshot(locked, ENTRY_FIELDS)
        locked_request = RecheckRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        locked_request.status = RecheckStatus.ANSWERED
        locked_request.outcome = outcome
        locked_request.answer = answer.strip()
        locked_request.before, locked_request.after = before, after
        locked_request.answered_by, locked_request.answered_at = user, timezone.now()
        locked_request.version += 1
        locked_request.save()
        record(
            AuditAction.UPDATE,
            locked,
            before={k: v for k, v in before.items() if after[k] != v} or None,
            after={k: v for k, v in after.items() if before[k] != v} or None,
            reason=_("复核答复：%(o)s。%(a)s")
            % {"o": RecheckOutcome(outcome).label, "a": answer.strip()},
        )

    with transaction.atomic():
        EntryTransition(Act.ANSWER_RECHECK, user, reason=answer, hook=hook).execute([entry])
    request.refresh_from_db()
    return request


def confirm_recheck(user: User, entry: Entry) -> None:
    def hook(locked: Entry) -> None:
        RecheckRequest.objects.filter(entry=locked, status=RecheckStatus.ANSWERED).update(
            status=RecheckStatus.CONFIRMED, confirmed_by=user, confirmed_at=timezone.now()
        )

    EntryTransition(Act.CONFIRM_RECHECK, user, hook=hook).execute([entry])


RECHECK_ANSWER_STATES = (EntryStatus.RECHECK_ANSWERED, EntryStatus.RECHECK_CONFIRMATION)


def return_recheck_answer(user: User, entry: Entry, reason: str) -> None:
    """Send a recheck answer back: the office (answered) or the department's leader
    (an answer changing the value to full marks or a heavy deduction). The request is
    open again and the entry gets back the values it had before the answer."""

    def hook(locked: Entry) -> None:
        request = (
            RecheckRequest.objects.select_for_update(of=("self",))
            .filter(entry=locked, status=RecheckStatus.ANSWERED)
            .first()
        )
        if request is None:
            return
        if request.outcome == RecheckOutcome.CHANGED and request.before:
            before = snapshot(locked, ENTRY_FIELDS)
            _restore(locked, request.before)
            after = snapshot(locked, ENTRY_FIELDS)
            record(
                AuditAction.UPDATE,
                locked,
                before={k: v for k, v in before.items() if after[k] != v} or None,
                after={k: v for k, v in after.items() if before[k] != v} or None,
                reason=_("复核答复被退回，恢复答复前的数据。%(r)s") % {"r": reason.strip()},
            )
        request.status = RecheckStatus.OPEN
        request.outcome = ""
        request.after = {}
        request.answered_by, request.answered_at = None, None
        request.version += 1
        request.save()

    EntryTransition(Act.RETURN, user, reason=reason, hook=hook).execute([entry])


def _restore(entry: Entry, values: Mapping[str, Any]) -> None:
    for name in ("value", "reference", "score"):
        raw = values.get(name)
        setattr(entry, name, Decimal(str(raw)) if raw not in (None, "") else None)
    entry.grade = values.get("grade") or ""
    entry.reason = values.get("reason") or ""


# -- one action on one entry (the entry page and the API) -------------------------------

SIMPLE_ACTIONS = frozenset({Act.SUBMIT, Act.APPROVE, Act.CONFIRM, Act.PUBLISH, Act.FINALIZE})


def perform(
    user: User,
    entry: Entry,
    action: str,
    *,
    reason: str = "",
    outcome: str = "",
    raw: Mapping[str, Any] | None = None,
    new_reason: str = "",
    files: Sequence[Any] = (),
) -> None:
    """Run one workflow action on one entry through the transition table.

    `reason` is the reason of a return or a recheck request, and the answer text of a
    recheck answer (`outcome`, and for a change the new `raw` values and `new_reason`).
    TransitionRefused (Chinese) when the table, a guard or the input says no."""
    if action in SIMPLE_ACTIONS:
        EntryTransition(action, user, reason=reason).execute([entry])
    elif action == Act.RETURN and entry.status in RECHECK_ANSWER_STATES:
        return_recheck_answer(user, entry, reason)
    elif action == Act.RETURN:
        EntryTransition(action, user, reason=reason).execute([entry])
    elif action == Act.REQUEST_RECHECK:
        request_recheck(user, entry, reason, files)
    elif action == Act.ANSWER_RECHECK:
        answer_recheck(
            user,
            entry,
            outcome=outcome,
            answer=reason,
            raw=raw,
            new_reason=new_reason,
            slot=slot_for(entry.period, entry.indicator, entry.unit),
        )
    elif action == Act.CONFIRM_RECHECK:
        confirm_recheck(user, entry)
    else:
        raise TransitionRefused(_("未知的操作。"))


# -- reminders ----------------------------------------------------------------------


def remind_department(user: User, period: CollectionPeriod, department: Organization) -> int:
    """Nudge a late department (notification + e-mail); audited."""
    missing = completion_missing(period, department)
    if missing == 0:
        raise TransitionRefused(_("%(d)s已完成填报，无需催办。") % {"d": department.name})
    recipients = list(notifications.department_users(department.pk))
    if not recipients:
        # A reminder that reaches nobody must not read as done: say why, and what to do.
        inactive = User.objects.filter(
            role=Role.DEPARTMENT, organization=department, is_active=False
        ).exists()
        raise TransitionRefused(
            (
                _("%(d)s的账号都已停用，提醒发不出去，未催办。")
                if inactive
                else _("%(d)s还没有开通填报账号，提醒发不出去，未催办。")
            )
            % {"d": department.name}
            + _("请系统管理员为该单位开通填报员或负责人账号，或先电话联系。")
        )
    with transaction.atomic():
        sent = notifications.notify(
            recipients,
            _("绩效办提醒：%(p)s尚有 %(n)d 项数据未提交，截止时间 %(d)s")
            % {"p": period.name, "n": missing, "d": _local(period.deadline)},
            reverse("collection:workspace", args=[period.pk]),
        )
        record(
            AuditAction.UPDATE,
            period,
            after={"reminded": department.code, "missing": missing, "recipients": len(sent)},
            reason=_("催办"),
        )
    return len(sent)


def completion_missing(period: CollectionPeriod, department: Organization) -> int:
    slots = department_slots(period, department)
    done = set(
        Entry.objects.filter(period=period, department=department)
        .exclude(status__in=EDITABLE)
        .values_list("indicator_id", "unit_id")
    )
    return sum(1 for s in slots if s.key not in done)
