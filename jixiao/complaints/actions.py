"""Every write of the 群众反映 window: one transaction each, audit rows inside.

Triage moves through TABLE with collection's transition resolver; the office and the
督查室 both triage (actor "triage"):

    待甄别 ─放行→ 待处理 ─转办→ 已转办 (hooks.accepted run here)
       │            ├─不予受理 (reason)→ 不予受理
       └────────────┴─合并 (into an earlier one)→ 已合并
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection.workflow import Rule, TransitionRefused, resolve
from jixiao.complaints import hooks
from jixiao.complaints.models import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    Complaint,
    ComplaintStatus,
)
from jixiao.org.models import Organization

C = ComplaintStatus
TRIAGE_ROLES = (Role.OFFICE, Role.SUPERVISION)
ACTS = {
    "release": gettext_lazy("甄别放行"),
    "accept": gettext_lazy("转办"),
    "reject": gettext_lazy("不予受理"),
    "merge": gettext_lazy("合并重复"),
}
ACTORS = {"triage": gettext_lazy("绩效办或督查室")}
TABLE: dict[tuple[str, str, str], Rule] = {
    (C.QUARANTINED, "release", "triage"): Rule(C.NEW),
    (C.NEW, "accept", "triage"): Rule(C.ACCEPTED),
    (C.NEW, "reject", "triage"): Rule(C.REJECTED, reason_required=True),
    (C.QUARANTINED, "reject", "triage"): Rule(C.REJECTED, reason_required=True),
    (C.NEW, "merge", "triage"): Rule(C.MERGED),
    (C.QUARANTINED, "merge", "triage"): Rule(C.MERGED),
}
# What an audit row may keep of a citizen's message: never the phone or the device.
PUBLIC_FIELDS = ("unit", "window", "status", "quarantine_reason")


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def submit_complaint(
    *,
    unit: Organization | None,
    window: str,
    problem: str,
    place_time: str,
    phone: str,
    device: str,
    address: str | None,
    quarantine_reason: str = "",
) -> Complaint:
    """Store a citizen's message (already cleaned by `intake.receive`) with a fresh
    receipt code; quarantined when `quarantine_reason` is given."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    receipt=new_receipt(),
                    unit=unit,
                    window=window,
                    problem=problem,
                    place_time=place_time,
                    phone=phone,
                    device=device,
                    address=address,
                    status=C.QUARANTINED if quarantine_reason else C.NEW,
                    quarantine_reason=quarantine_reason,
                )
                record(
                    AuditAction.CREATE,
                    complaint,
                    after={
                        "unit": unit.pk if unit else None,
                        "window": window,
                        "status": complaint.status,
                        "quarantine_reason": quarantine_reason,
                    },
                )
                return complaint
        except IntegrityError:
            continue  # a receipt code drawn twice: draw again
    raise TransitionRefused(_("系统繁忙，请稍后再试。"))


def actors(user: User) -> set[str]:
    return {"triage"} if user.role in TRIAGE_ROLES and user.is_active else set()


def available(user: User, complaint: Complaint) -> list[str]:
    mine = actors(user)
    return [a for (st, a, who) in TABLE if st == complaint.status and who in mine]


def _step(
    user: User, complaint: Complaint, action: str, note: str, *, into: Complaint | None = None
) -> Complaint:
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)
        rule = resolve(
            TABLE,
            complaint.status,
            complaint.get_status_display(),
            action,
            actors(user),
            act_label=lambda a: str(ACTS[a]),
            actor_label=lambda a: str(ACTORS[a]),
        )
        note = note.strip()
        if rule.reason_required and not note:
            raise TransitionRefused(_("请填写%(act)s的理由。") % {"act": ACTS[action]})
        before = complaint.status
        complaint.status = rule.to
        complaint.decision_note = note
        complaint.merged_into = into
        complaint.handled_by, complaint.handled_at = user, timezone.now()
        complaint.version += 1
        complaint.save()
        after: dict[str, object] = {"status": complaint.status, "action": action}
        if into is not None:
            after["merged_into"] = into.pk
        record(
            AuditAction.TRANSITION, complaint, before={"status": before}, after=after, reason=note
        )
        if action == "accept":
            for callback in list(hooks.accepted):
                callback(complaint, user)
        return complaint


def release_complaint(user: User, complaint: Complaint, note: str = "") -> Complaint:
    """A quarantined message read and found genuine: into the queue."""
    return _step(user, complaint, "release", note)


def accept_complaint(user: User, complaint: Complaint, note: str = "") -> Complaint:
    """已转办: the handler is recorded and every `hooks.accepted` callback runs."""
    return _step(user, complaint, "accept", note)


def reject_complaint(user: User, complaint: Complaint, reason: str) -> Complaint:
    return _step(user, complaint, "reject", reason)


def merge_complaint(user: User, complaint: Complaint, into: Complaint, note: str = "") -> Complaint:
    """A duplicate joins an earlier message about the same thing, which is handled for both."""
    if into.pk == complaint.pk:
        raise TransitionRefused(_("不能与自身合并。"))
    if into.status == C.MERGED:
        raise TransitionRefused(_("这条反映已合并到其他反映，请合并到原反映。"))
    return _step(user, complaint, "merge", note, into=into)


def triage_quarantined(user: User, complaints: list[Complaint], action: str, note: str) -> int:
    """Release or reject a reviewed burst at once: all of them or none."""
    if action not in ("release", "reject"):
        raise TransitionRefused(_("未知的操作。"))
    with transaction.atomic():
        for complaint in complaints:
            _step(user, complaint, action, note)
    return len(complaints)
