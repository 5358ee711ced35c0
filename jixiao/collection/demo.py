"""Demo data collection: 2026 Q1 (closed, published, rechecks) and Q2 (open, in progress).

The demo department FGJ (users fgj / fgj_leader) goes through the real actions, so its
entries carry a true history (saved, submitted, reviewed, confirmed, published). Other
departments have no demo logins; their entries are written directly in the state the
story needs, each with an audit row marked as demo data. 东湖街道 (donghu, JD01) has
one open recheck request and one that was answered.

Deterministic (values derive from codes) and idempotent: an existing period, entry or
event is left as it is. Does nothing if there is no published 2026 scheme yet.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record_many, snapshot
from jixiao.collection import actions, leaf
from jixiao.collection.models import (
    BonusPenaltyEvent,
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
    EntryStatus,
    PeriodStatus,
    RecheckOutcome,
    RecheckRequest,
    RecheckStatus,
)
from jixiao.collection.scope import Slot, collected_indicators, slots_for
from jixiao.collection.workflow import Act, EntryTransition
from jixiao.scheme.models import DataPeriod, Indicator, Scheme, SchemeStatus

S = EntryStatus
DEMO_REASON = "演示数据"


def _n(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def _at(day: str, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(datetime.fromisoformat(day).date(), time(hour)))


def build_demo(district: Any) -> None:
    scheme = Scheme.objects.filter(year=district.year).first()
    if scheme is None or scheme.status == SchemeStatus.DRAFT:
        return
    if not collected_indicators_exist(scheme):
        return
    office = User.objects.filter(username="office").first()
    fgj = User.objects.filter(username="fgj").first()
    leader = User.objects.filter(username="fgj_leader").first()
    donghu = User.objects.filter(username="donghu").first()
    if not (office and fgj and leader and donghu):
        return
    now = timezone.now()
    q1, created_q1 = _period(
        scheme, "2026-Q1", "2026年第一季度", "2026-01-01", "2026-03-31", _at("2026-04-10", 18)
    )
    if created_q1:
        q1.status = PeriodStatus.OPEN  # opened for the story, closed at its end
        q1.save()
        _q1_story(q1, office, fgj, leader, donghu, now)
        q1.status = PeriodStatus.CLOSED
        q1.save()
    deadline = timezone.make_aware(datetime.combine((now + timedelta(days=14)).date(), time(18)))
    q2, created_q2 = _period(
        scheme, "2026-Q2", "2026年第二季度", "2026-04-01", "2026-06-30", deadline
    )
    if created_q2:
        q2.status = PeriodStatus.OPEN
        q2.save()
        _q2_story(q2, office, fgj, leader, now)
    _bonus_events(scheme, fgj, office)


def collected_indicators_exist(scheme: Scheme) -> bool:
    return Indicator.objects.filter(scheme=scheme, period=DataPeriod.QUARTERLY).exists()


def _period(
    scheme: Scheme, code: str, name: str, starts: str, ends: str, deadline: datetime
) -> tuple[CollectionPeriod, bool]:
    existing = CollectionPeriod.objects.filter(scheme=scheme, code=code).first()
    if existing is not None:
        return existing, False
    period = CollectionPeriod(
        scheme=scheme,
        kind=DataPeriod.QUARTERLY,
        code=code,
        name=name,
        starts_on=datetime.fromisoformat(starts).date(),
        ends_on=datetime.fromisoformat(ends).date(),
        deadline=deadline,
        recheck_days=5,
    )
    return actions.create_period(period), True


def _raw(slot: Slot, period: CollectionPeriod, spread: float = 1.0) -> dict[str, str]:
    """Plausible inputs for a slot's method, derived from its codes."""
    key = (period.code, slot.indicator.code, slot.unit.code)
    r = _n(*key) % 1000 / 1000  # 0 … 1
    method = slot.indicator.method
    if method == "completion":
        target = 10 + _n(*key, "t") % 20
        return {"value": str(round(target * (0.75 + 0.35 * r * spread))), "reference": str(target)}
    if method == "schedule_progress":
        return {"value": str(round(70 + 40 * r * spread)), "reference": "100"}
    if method == "deduction":
        return {"value": str(_n(*key) % 4)}
    if method in ("value_added", "yoy_growth"):
        last = 1000 + _n(*key, "l") % 4000
        return {"value": str(round(last * (0.95 + 0.25 * r))), "reference": str(last)}
    if method == "grade":
        return {"grade": "ABCD"[_n(*key) % 3]}
    if method == "direct":
        return {"value": str(round(float(slot.points) * (0.8 + 0.2 * r), 1))}
    return {"value": str(round(60 + 40 * r, 1))}


def _reason(slot: Slot, raw: dict[str, str], period: CollectionPeriod) -> str:
    out = leaf.evaluate(
        slot.indicator,
        slot.points,
        slot.staffing,
        raw,
        heavy_share=period.scheme.heavy_deduction_share,
    )
    if not out.reason_needed:
        return ""
    if out.score is not None and out.score >= slot.points:
        return f"按{slot.indicator.name}台账核定，全部完成，佐证材料见附件。"
    return f"依据{slot.unit.name}{period.name}报送台账核定，未完成部分已逐项说明。"


def _save(user: User, period: CollectionPeriod, slots: list[Slot], when: datetime) -> list[Entry]:
    rows = []
    for slot in slots:
        raw = _raw(slot, period)
        rows.append(actions.RowInput(slot, raw, _reason(slot, raw, period)))
    result = actions.save_rows(user, period, rows, now=when)
    return result.saved


def _move(action: str, user: User, entries: list[Entry], when: datetime, reason: str = "") -> None:
    if entries:
        EntryTransition(action, user, reason=reason, now=when).execute(entries)


def _direct(
    period: CollectionPeriod, slots: list[Slot], status: str, when: datetime
) -> list[Entry]:
    """Entries of departments without demo logins, written in the state the story needs."""
    created, events = [], []
    share = period.scheme.heavy_deduction_share
    for slot in slots:
        if Entry.objects.filter(period=period, indicator=slot.indicator, unit=slot.unit).exists():
            continue
        raw = _raw(slot, period)
        out = leaf.evaluate(slot.indicator, slot.points, slot.staffing, raw, heavy_share=share)
        entry = Entry.objects.create(
            period=period,
            indicator=slot.indicator,
            unit=slot.unit,
            department_id=slot.indicator.owner_id or 0,
            value=out.values.get("value"),
            reference=out.values.get("reference"),
            grade=out.values.get("grade") or "",
            score=out.score,
            reason=_reason(slot, raw, period),
            status=status,
            entered_at=when,
            submitted_at=when if status != S.DRAFT else None,
            reviewed_at=when + timedelta(days=2) if status not in (S.DRAFT, S.SUBMITTED) else None,
            published_at=when + timedelta(days=5)
            if status in (S.PUBLISHED, S.RECHECK_REQUESTED, S.RECHECK_ANSWERED, S.FINAL)
            else None,
        )
        created.append(entry)
        events.append(
            build_event(
                AuditAction.IMPORT,
                entry,
                after=snapshot(entry, actions.ENTRY_FIELDS),
                reason=DEMO_REASON,
            )
        )
    record_many(events)
    return created


def _q1_story(
    q1: CollectionPeriod, office: User, fgj: User, leader: User, donghu: User, now: datetime
) -> None:
    indicators = list(collected_indicators(q1))
    fgj_slots = [
        s for s in slots_for(q1, indicators) if s.indicator.owner_id == fgj.organization_id
    ]
    saved = _save(fgj, q1, fgj_slots, _at("2026-04-07"))
    _move(Act.SUBMIT, fgj, saved, _at("2026-04-08"))
    _move(Act.APPROVE, office, saved, _at("2026-04-13"))
    awaiting = list(
        Entry.objects.filter(period=q1, department=fgj.organization, status=S.AWAITING_CONFIRMATION)
    )
    _move(Act.CONFIRM, leader, awaiting, _at("2026-04-14"))
    approved = list(Entry.objects.filter(period=q1, department=fgj.organization, status=S.APPROVED))
    _move(Act.PUBLISH, office, approved, _at("2026-04-16"))
    published = list(
        Entry.objects.filter(period=q1, department=fgj.organization, status=S.PUBLISHED)
    )
    _move(Act.FINALIZE, office, published, _at("2026-04-22"))

    others = [s for s in slots_for(q1, indicators) if s.indicator.owner_id != fgj.organization_id]
    recent = now - timedelta(days=7)  # published two days ago: the recheck window is open
    _direct(q1, others, S.PUBLISHED, recent)
    # 东湖街道 asks for two rechecks: one still open, one answered (changed) by the department.
    street = [s for s in others if s.unit.pk == donghu.organization_id]
    if street:
        _recheck(street[0], q1, donghu, now, answered=False)
    if len(street) > 1:
        _recheck(street[1], q1, donghu, now, answered=True)


def _recheck(
    slot: Slot, period: CollectionPeriod, donghu: User, now: datetime, *, answered: bool
) -> None:
    entry = Entry.objects.get(period=period, indicator=slot.indicator, unit=slot.unit)
    if entry.rechecks.exists():
        return
    request = RecheckRequest.objects.create(
        entry=entry,
        unit=slot.unit,
        reason=f"{slot.indicator.name}：本街道已于季度末前完成全部任务，"
        "台账漏记 2 项，附区相关部门验收意见。",
        filed_by=donghu,
    )
    before = snapshot(entry, actions.ENTRY_FIELDS)
    events = [
        build_event(
            AuditAction.CREATE, request, after=snapshot(request), reason=DEMO_REASON, actor=donghu
        ),
        build_event(
            AuditAction.TRANSITION,
            entry,
            before={"status": entry.status},
            after={"status": S.RECHECK_REQUESTED, "action": Act.REQUEST_RECHECK},
            reason=request.reason,
            actor=donghu,
        ),
    ]
    entry.status = S.RECHECK_REQUESTED
    if answered:
        if entry.value is not None and slot.indicator.method == "completion" and entry.reference:
            entry.value = min(entry.value + 2, entry.reference)
            out = leaf.evaluate(
                slot.indicator,
                slot.points,
                slot.staffing,
                {"value": entry.value, "reference": entry.reference},
                heavy_share=period.scheme.heavy_deduction_share,
            )
            entry.score = out.score
            outcome = RecheckOutcome.CHANGED
        else:
            outcome = RecheckOutcome.UPHELD
        request.status = RecheckStatus.ANSWERED
        request.outcome = outcome
        request.answer = (
            "经核实，该街道补报的 2 项任务验收材料齐全，予以更正。"
            if outcome == RecheckOutcome.CHANGED
            else "经核实，原结果无误，维持。"
        )
        request.before, request.after = before, snapshot(entry, actions.ENTRY_FIELDS)
        request.answered_at = now - timedelta(hours=3)
        request.save()
        entry.status = S.RECHECK_ANSWERED
        events.append(
            build_event(
                AuditAction.TRANSITION,
                entry,
                before={"status": S.RECHECK_REQUESTED},
                after={"status": S.RECHECK_ANSWERED, "action": Act.ANSWER_RECHECK},
                reason=request.answer,
            )
        )
    entry.version += 1
    entry.save()
    record_many(events)


def _q2_story(q2: CollectionPeriod, office: User, fgj: User, leader: User, now: datetime) -> None:
    indicators = list(collected_indicators(q2))
    slots = slots_for(q2, indicators)
    mine = [s for s in slots if s.indicator.owner_id == fgj.organization_id]
    # FGJ has filled its biggest indicator for about two thirds of the units.
    counts = Counter(s.indicator.code for s in mine)
    biggest = min(counts, key=lambda code: (-counts[code], code)) if counts else ""
    first = [s for s in mine if s.indicator.code == biggest]
    filled = [s for i, s in enumerate(first) if i % 3 != 2]
    saved = _save(fgj, q2, filled, now - timedelta(days=3))
    submit = saved[: len(saved) // 2]
    if submit:
        _move(Act.SUBMIT, fgj, submit, now - timedelta(days=2))
        to_return = [e for e in submit[:2]]
        _move(
            Act.RETURN,
            office,
            to_return,
            now - timedelta(days=1),
            reason="实际完成项数与区重点工作台账不一致，请核对后重新报送。",
        )
        _move(Act.APPROVE, office, submit[2 : 2 + len(submit) // 3], now - timedelta(hours=20))
    # Other departments: some submitted, waiting for the office's initial review.
    others = [s for s in slots if s.indicator.owner_id != fgj.organization_id]
    _direct(
        q2, [s for i, s in enumerate(others) if i % 4 == 0], S.SUBMITTED, now - timedelta(days=1)
    )
    _direct(q2, [s for i, s in enumerate(others) if i % 4 == 1], S.DRAFT, now - timedelta(days=1))


def _bonus_events(scheme: Scheme, fgj: User, office: User) -> None:
    from jixiao.collection.ledger import bonus_indicators

    if BonusPenaltyEvent.objects.filter(scheme=scheme).exists():
        return
    items = list(bonus_indicators(scheme, fgj.organization).prefetch_related("points__category"))
    from jixiao.org.models import UnitEnrollment

    events = []
    for item in items:
        categories = {p.category_id for p in item.points.all()}
        units = list(
            UnitEnrollment.objects.filter(year_id=scheme.year_id, category_id__in=categories)
            .select_related("unit")
            .order_by("unit__sort_order")[:2]
        )
        for i, enrollment in enumerate(units):
            event = BonusPenaltyEvent.objects.create(
                scheme=scheme,
                indicator=item,
                unit=enrollment.unit,
                department=fgj.organization,
                points=Decimal("2") if i == 0 else Decimal("1"),
                document_number=f"区发改〔2026〕{10 + i}号",
                occurred_on=_at("2026-03-20").date(),
                description=f"{enrollment.unit.name}承担的改革试点经验获市级推广。",
                status=BonusPenaltyStatus.APPROVED if i == 0 else BonusPenaltyStatus.SUBMITTED,
                entered_by=fgj,
                reviewed_by=office if i == 0 else None,
            )
            events.append(
                build_event(
                    AuditAction.CREATE, event, after=snapshot(event), reason=DEMO_REASON, actor=fgj
                )
            )
    record_many(events)
