"""Every write of supervision: raise a task, move it through the table, attach files,
set the year's card rules, revoke a card. Each in one transaction with its audit rows;
the views, the API, the import, the demo and the card run all call these."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_many, record_update, snapshot
from jixiao.collection.evidence import EvidenceRejected, inspect_upload
from jixiao.core.concurrency import save_versioned
from jixiao.core.values import text_problem
from jixiao.core.workflow import TransitionRefused, transition_event
from jixiao.org.models import Organization
from jixiao.supervision import notices
from jixiao.supervision.models import (
    CARD_COLOR,
    RESULT_CARD,
    Card,
    CardRules,
    Level,
    Milestone,
    ProgressReport,
    SourceKind,
    SourceType,
    SupervisionTask,
    TaskAttachment,
    TaskResult,
)
from jixiao.supervision.workflow import TABLE, Act, actors_of


@dataclass
class TaskDraft:
    """What a task form, an import row or the demo raises a task with."""

    year: int
    title: str
    source_kind: str
    problem: str
    lead_unit: Organization
    deadline: date
    measures: str = ""
    level: str = Level.NORMAL
    cooperating_units: Sequence[Organization] = ()
    source_type: str = SourceType.NONE
    source_id: int | None = None
    source_text: str = ""
    milestones: Sequence[tuple[str, date]] = ()
    carried_from: SupervisionTask | None = None


def _require_supervision(user: User) -> None:
    if user.role != Role.SUPERVISION:
        raise TransitionRefused(_("只有督查室可以办理这项操作。"))


def _check_draft(draft: TaskDraft) -> None:
    problems = []
    if not draft.title.strip():
        problems.append(_("请填写事项名称。"))
    if not draft.problem.strip():
        problems.append(_("请填写问题描述。"))
    if draft.source_kind not in SourceKind.values:
        problems.append(_("来源不正确。"))
    if draft.level not in Level.values:
        problems.append(_("等级不正确。"))
    if draft.source_type not in SourceType.values:
        problems.append(_("来源对象不正确。"))
    for label, text in ((_("问题描述"), draft.problem), (_("整改措施"), draft.measures)):
        if problem := text_problem(text):
            problems.append(f"{label}{problem}")
    if draft.lead_unit in draft.cooperating_units:
        problems.append(_("牵头单位不能同时是配合单位。"))
    if problems:
        raise TransitionRefused(problems)


def create_task(user: User, draft: TaskDraft) -> SupervisionTask:
    """立项: the task is created in 立项 (not yet handed to the unit). 督查室 raises any
    task; the performance office raises the findings of the assessment (考核发现),
    which 督查室 then hands over."""
    if not (
        user.role == Role.SUPERVISION
        or (user.role == Role.OFFICE and draft.source_kind == SourceKind.ASSESSMENT)
    ):
        raise TransitionRefused(_("只有督查室可以立项；绩效办可以将考核发现转督查督办。"))
    _check_draft(draft)
    with transaction.atomic():
        task = SupervisionTask.objects.create(
            year=draft.year,
            title=draft.title.strip()[:200],
            source_kind=draft.source_kind,
            source_type=draft.source_type,
            source_id=draft.source_id if draft.source_type else None,
            source_text=draft.source_text.strip()[:500],
            problem=draft.problem.strip(),
            measures=draft.measures.strip(),
            lead_unit=draft.lead_unit,
            deadline=draft.deadline,
            level=draft.level,
            carried_from=draft.carried_from,
            created_by=user,
        )
        if draft.cooperating_units:
            task.cooperating_units.set(draft.cooperating_units)
        Milestone.objects.bulk_create(
            Milestone(task=task, name=name[:200], due=due) for name, due in draft.milestones
        )
        record_create(task)
    return task


def transition(
    user: User,
    task: SupervisionTask,
    action: str,
    *,
    reason: str = "",
    result: str = "",
    today: date | None = None,
    files: Iterable[Any] = (),
) -> SupervisionTask:
    """One step of the table, with its audit row and its notification."""
    if action not in Act.values:
        raise TransitionRefused(_("未知的操作。"))
    today = today or timezone.localdate()
    reason = reason.strip()
    with transaction.atomic():
        task = (
            SupervisionTask.objects.select_for_update(of=("self",))
            .select_related("lead_unit")
            .get(pk=task.pk)
        )
        rule = TABLE.check(
            task.state, task.get_state_display(), action, actors_of(user, task), reason
        )
        if action == Act.VERIFY and result not in (
            TaskResult.DONE,
            TaskResult.MOSTLY,
            TaskResult.UNDONE,
        ):
            raise TransitionRefused(_("请评定整改结果（完成、基本完成或未完成）。"))
        if action == Act.CLOSE and task.result == TaskResult.UNDONE:
            raise TransitionRefused(_("整改结果为“未完成”的事项不能销号，请退回继续整改。"))
        before = task.state
        task.state = rule.to
        extra: dict[str, Any] = {}
        if action == Act.ASSIGN:
            task.assigned_on = today
        elif action == Act.ACCEPT:
            task.accepted_on = today
        elif action in (Act.REPORT, Act.REQUEST_CLOSE):
            task.last_report_on = today
            ProgressReport.objects.create(
                task=task,
                text=reason,
                is_close_request=action == Act.REQUEST_CLOSE,
                reported_by=user,
                reported_on=today,
            )
        elif action == Act.VERIFY:
            task.result = result
            extra["result"] = result
            _result_card(task, result, today)
        elif action == Act.CLOSE:
            task.closed_on = today
        elif action == Act.REOPEN:
            task.closed_on = None
            task.result = ""
            task.last_report_on = today
        if reason:
            task.last_reason = reason
        task.version += 1
        task.save()
        record_many([transition_event(task, before, task.state, action, reason, **extra)])
        for upload in files:
            attach(user, task, upload)
        notices.step_taken(task, action, user, reason)
    return task


def _result_card(task: SupervisionTask, result: str, today: date) -> None:
    """基本完成 costs a yellow, 未完成 a red (once per task and result)."""
    rule = RESULT_CARD.get(TaskResult(result))
    if rule is None:
        return
    card, created = Card.objects.get_or_create(
        task=task,
        rule=rule,
        key="result",
        defaults={
            "unit_id": task.lead_unit_id,
            "year": task.year,
            "color": CARD_COLOR[rule],
            "issued_on": today,
            "note": _("核验整改结果：%(r)s") % {"r": TaskResult(result).label},
        },
    )
    if created:
        record_create(card)


def attach(user: User, task: SupervisionTask, upload: Any) -> TaskAttachment:
    """Through collection's evidence door (type by content, size), written on commit."""
    if not (actors_of(user, task) or user.role == Role.SUPERVISION):
        raise TransitionRefused(_("只有督查室和牵头单位可以上传附件。"))
    try:
        data, mime, extension = inspect_upload(upload)
    except EvidenceRejected as error:
        raise TransitionRefused(str(error)) from error
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1]
    with transaction.atomic():
        item = TaskAttachment(
            task=task,
            original_name=name[:200],
            content_type=mime,
            extension=extension,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=user,
        )
        item.file.name = item.file.field.generate_filename(item, name)
        item.save()
        record(AuditAction.CREATE, item, after={"name": item.original_name})
        transaction.on_commit(partial(_write, item.file.name, data))
    return item


def _write(name: str, data: bytes) -> None:
    TaskAttachment._meta.get_field("file").storage.save(name, ContentFile(data))


def mark_milestone(user: User, milestone: Milestone, done_on: date) -> Milestone:
    task = milestone.task
    if not (actors_of(user, task) or user.role == Role.SUPERVISION):
        raise TransitionRefused(_("只有督查室和牵头单位可以登记节点完成。"))
    with transaction.atomic():
        before = snapshot(milestone, ["done_on"])
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        record_update(milestone, before)
    return milestone


RULE_FIELDS = [
    "accept_days",
    "report_every_days",
    "remind_before_days",
    "yellow_for_late_accept",
    "yellow_for_late_report",
    "yellow_for_milestone",
    "red_for_deadline",
    "yellows_per_red",
]


def save_rules(user: User, rules: CardRules) -> CardRules:
    """Create or change a year's card rules (versioned)."""
    _require_supervision(user)
    with transaction.atomic():
        if rules.pk is None:
            rules.full_clean()
            rules.save()
            record_create(rules)
            return rules
        before = snapshot(CardRules.objects.get(pk=rules.pk), RULE_FIELDS)
        save_versioned(rules, rules.version, RULE_FIELDS)
        record_update(rules, before)
    return rules


def revoke_card(user: User, card: Card, reason: str) -> Card:
    """督查室 withdraws a card issued in error (the card stays, no longer counted)."""
    _require_supervision(user)
    reason = reason.strip()
    if not reason:
        raise TransitionRefused(_("请填写撤销理由。"))
    if problem := text_problem(reason):
        raise TransitionRefused(_("理由%(e)s") % {"e": problem})
    with transaction.atomic():
        card = Card.objects.select_for_update(of=("self",)).get(pk=card.pk)
        if card.revoked_at is not None:
            raise TransitionRefused(_("这张红黄牌已经撤销。"))
        before = snapshot(card, ["revoked_at"])
        card.revoked_at = timezone.now()
        card.revoke_reason = reason
        card.save(update_fields=["revoked_at", "revoke_reason"])
        record_update(card, before, reason=reason)
    return card
