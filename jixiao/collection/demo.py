"""Demo data collection: a realistic 2026 (and 2025) for the demo district.

2026 (the published scheme):

* 2026-Q1 (closed): every quarterly indicator for every unit it applies to. The demo
  department FGJ (users fgj / fgj_leader) goes through the real actions (saved,
  submitted, reviewed, confirmed, published, finalized); the other departments' entries
  are published (the recheck window is still open). 东湖街道 (donghu, JD01) has asked for
  two rechecks; the scoring demo answers one of them (the value changes) after the first
  results are published, so the results page has a second version to compare.
* 2026-Q2 (open): FGJ is at work: one indicator saved for two thirds of the units,
  some submitted, two returned, full-mark ones waiting for the leader's confirmation,
  and another indicator approved for every unit. Other departments have drafts and
  submissions waiting for review (neither counts for scores yet).
* 2026-M10, 2026-H1, 2026-Y (closed): the monthly, half-year and annual indicators,
  final (the evaluations (评议) come from the evaluation demo's rounds).

So for every leaf the latest collection period with scoring entries (the one the
scoring loader reads) is complete. 2025 (the closed scheme) has one closed period per
data period with final entries for every leaf, and its monthly and quarterly leaves were
also collected month by month and quarter by quarter (2025-M1 … M11, Q1 … Q3), money to
date: what the monitoring report's 同比 reads as last year's value to the same month.
Bonus–penalty events: a handful, approved within the caps, and two of FGJ's still waiting
for review.

Values are plausible for each method and derive from the codes only (a hash, no random
state): each unit has a level of performance per year (a few steady strong or weak
units, one that slipped in 2026, one that rose), each entry some noise around it; two
pairs of units have identical inputs, so their totals tie.

Idempotent: a period that exists is left as it is (its entries were written with it),
and so are the events.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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
from jixiao.org.models import Organization
from jixiao.scheme.models import DataPeriod, Indicator, IndicatorKind, Scheme, SchemeStatus

S = EntryStatus
DEMO_REASON = "演示数据"

# -- deterministic "randomness" -----------------------------------------------------


def _n(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def _u(*parts: str) -> float:
    """A number in [0, 1) derived from the parts."""
    return _n(*parts) / 16**8


def _at(day: str, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time(hour)))


# -- who performs how ------------------------------------------------------------------

#: Per category: a unit at the bottom both years (两年后两位), one that slipped in 2026,
#: one that rose from the bottom (争先).
STEADY_WEAK = ("KX", "TYJRJ", "JD13")
SLIPPED = {"DAG", "NYJ", "JD09"}
ROSE = {"TQW", "JYJ", "JD01"}
#: A street that climbs a few places (争先 among those without another award).
CLIMBING = {"JD04"}
#: Units whose inputs copy another unit's, so that their totals tie (并列).
TWINS = {"WGLTJ": "KGXJ", "JD14": "JD10"}


def performance(unit_code: str, year: int) -> float:
    """How well a unit does in a year, 0 (poor) … 1 (excellent)."""
    code = TWINS.get(unit_code, unit_code)
    if code in STEADY_WEAK:
        return 0.17
    if code in SLIPPED:
        return 0.2 if year >= 2026 else 0.7
    if code in ROSE:
        return 0.86 if year >= 2026 else 0.2
    if code in CLIMBING:
        return 0.72 if year >= 2026 else 0.36
    return 0.32 + 0.5 * _u("level", code) + 0.1 * (_u("year", code, str(year)) - 0.5)


def _quality(slot: Slot, period: CollectionPeriod) -> float:
    code = TWINS.get(slot.unit.code, slot.unit.code)
    level = performance(code, period.starts_on.year)
    noise = _u(period.code, slot.indicator.code, code) - 0.5
    return min(max(level + 0.45 * noise, 0.0), 1.0)


# Targets of count-type indicators (low, high): tasks, households, people, m² …
TARGETS: dict[str, tuple[int, int]] = {
    "SJ101": (12, 24),
    "SJ201": (8, 16),
    "SJ205": (6, 14),
    "JA202": (8000, 30000),
    "JA205": (300, 600),
    "JA207": (6, 12),
    "JB101": (600, 1800),
    "JB103": (200, 900),
    "JC0101": (10, 20),
}
#: Rates of a fixed list (problems rectified, tasks of a list): never above the target.
AT_MOST_TARGET = frozenset({"SJ201", "SJ205", "JC0101"})
# Tiered inputs (low, high): scores or rates on a 100 scale.
TIERED: dict[str, tuple[float, float]] = {
    "SJ204": (84, 99),
    "JA201": (90, 101),
    "JA204": (81, 97),
}
# Planned progress of schedule indicators: percent of the year to date, money or items.
PLANNED: dict[str, tuple[int, int]] = {
    "JA102": (20000, 80000),
    "JA206": (2000, 6000),
    "JB102": (6, 12),
}
#: Entries the demo's recheck story is about (indicator, unit, period).
RECHECK_OPEN = ("JB202", "JD01", "2026-Q1")
RECHECK_CHANGED = ("JA205", "JD01", "2026-Q1")


def _between(low: float, high: float, *key: str) -> float:
    return low + (high - low) * _u(*key)


def inputs(slot: Slot, period: CollectionPeriod) -> dict[str, str]:
    """Plausible raw inputs (Entry columns) for a slot's method, from its codes."""
    indicator = slot.indicator
    code = TWINS.get(slot.unit.code, slot.unit.code)
    key = (indicator.code, code)
    q = _quality(slot, period)
    method = indicator.method
    params = indicator.params or {}
    if (indicator.code, slot.unit.code, period.code) == RECHECK_OPEN:
        return {"value": "2"}
    if method == "completion":
        if params.get("lower_is_better"):
            if indicator.code == "SJ207":  # overdue hazards, % (target 2 %)
                return {"value": f"{2 * (1.45 - 1.0 * q):.2f}", "reference": "2"}
            target = 2 + _n("t", *key) % 3  # deaths: control target
            return {
                "value": str(max(0, math.floor(target * (1.5 - 1.4 * q)))),
                "reference": str(target),
            }
        low, high = TARGETS.get(indicator.code, (10, 30))
        target = round(_between(low, high, "t", *key))
        ratio = 0.85 + 0.27 * q
        if (indicator.code, slot.unit.code, period.code) == RECHECK_CHANGED:
            ratio = 0.84
        if indicator.code in AT_MOST_TARGET:
            ratio = min(ratio, 1.0)
        return {"value": str(round(target * ratio)), "reference": str(target)}
    if method == "schedule_progress":
        if indicator.code in PLANNED:
            low, high = PLANNED[indicator.code]
            planned = round(_between(low, high, "p", *key))
        else:  # percent of the year's plan due by the end of the period
            planned = 100 * period.ends_on.month // 12
        return {"value": str(round(planned * (0.84 + 0.24 * q))), "reference": str(planned)}
    if method == "deduction":
        count = 0 if q > 0.5 else 1 if q > 0.25 else 2 if q > 0.08 else 3
        return {"value": str(count)}
    if method == "tiered":
        bottom, top = TIERED.get(indicator.code, (75.0, 98.0))
        return {"value": f"{min(bottom + (top - bottom) * q, 100):.1f}"}
    if method == "rank":
        return {"value": f"{78 + 20 * q:.1f}"}
    if method == "yoy_growth":  # 万元
        last = round(_between(150000, 600000, "l", *key))
        growth = 0.05 + 0.055 * q
        return {"value": str(round(last * (1 + growth))), "reference": str(last)}
    if method == "value_added":  # 万元: increments of a similar size whatever the base
        last = round(_between(30000, 90000, "l", *key))
        return {"value": str(last + round(8000 * (0.7 + 0.3 * q))), "reference": str(last)}
    if method == "grade":
        return {"grade": "A" if q > 0.5 else "B" if q > 0.12 else "C"}
    if method == "direct":
        return {"value": f"{float(slot.points) * (0.8 + 0.2 * q):.1f}"}
    if method == "staffing_task":
        base = Decimal(str(params.get("base", "4")))
        required = Decimal(slot.staffing or 0) / base
        if slot.unit.code in TWINS or slot.unit.code in TWINS.values():
            return {"value": str(math.ceil(required) + 1)}  # full marks whatever the staffing
        return {"value": str(round(float(required) * (0.88 + 0.22 * q)))}
    if method == "evaluation":
        return {"value": f"{82 + 14 * q:.1f}"}
    return {"value": str(round(60 + 40 * q, 1))}


def _reason(slot: Slot, out: leaf.Outcome, period: CollectionPeriod) -> str:
    if not out.reason_needed or out.score is None:
        return ""
    indicator = slot.indicator
    if out.score >= slot.points:
        return f"按{indicator.name}台账核定，{period.name}目标全部完成，佐证材料见附件。"
    if indicator.method == "deduction":
        return f"{period.name}发生 {out.values.get('value')} 宗，按评分标准扣分，通报文件见附件。"
    if indicator.method == "grade":
        who = indicator.owner.short_name if indicator.owner else ""
        return f"经{who}综合评定为{out.values.get('grade')}等次，评定意见见附件。"
    if indicator.method == "evaluation":
        return "按评议结果百分制折算。"
    if indicator.method == "direct":
        return "按检查测评结果赋分，扣分事项已逐项列明。"
    return f"依据{slot.unit.name}{period.name}报送台账核定，未完成部分已逐项说明。"


def _evaluate(slot: Slot, period: CollectionPeriod, raw: dict[str, Any]) -> leaf.Outcome:
    out = leaf.evaluate(
        slot.indicator,
        slot.points,
        slot.staffing,
        raw,
        heavy_share=period.scheme.heavy_deduction_share,
        reason=DEMO_REASON,  # the real reason is written below, once the score is known
    )
    if not out.ok:
        raise ValueError(f"演示数据无效：{slot.indicator.code} {slot.unit.code} {out.errors}")
    return out


# -- writing -------------------------------------------------------------------------


def _to_date(raw: dict[str, str], slot: Slot, share: float) -> dict[str, str]:
    """A money indicator's inputs as collected part-way through the year: the year's
    figures (this year's and last year's alike) scaled to the months elapsed."""
    method, code = slot.indicator.method, slot.indicator.code
    if method in ("yoy_growth", "value_added") or (
        method == "schedule_progress" and code in PLANNED
    ):
        return {
            k: str(round(float(v) * share)) if k in ("value", "reference") else v
            for k, v in raw.items()
        }
    return raw


def _bulk(
    period: CollectionPeriod,
    slots: Iterable[Slot],
    status: str,
    when: datetime,
    office: User | None,
    share: float | None = None,
) -> list[Entry]:
    """Entries of departments without demo logins, written in the state the story needs,
    in one insert with one audit row. With `share`, money figures are to date."""
    existing = set(Entry.objects.filter(period=period).values_list("indicator_id", "unit_id"))
    reviewed = status not in (S.DRAFT, S.SUBMITTED)
    published = status in (S.PUBLISHED, S.RECHECK_REQUESTED, S.RECHECK_ANSWERED, S.FINAL)
    rows = []
    for slot in slots:
        if slot.key in existing or slot.indicator.owner_id is None:
            continue
        raw = inputs(slot, period)
        out = _evaluate(slot, period, _to_date(raw, slot, share) if share else raw)
        rows.append(
            Entry(
                period=period,
                indicator=slot.indicator,
                unit=slot.unit,
                department_id=slot.indicator.owner_id or 0,
                value=out.values.get("value"),
                reference=out.values.get("reference"),
                grade=out.values.get("grade") or "",
                score=out.score,
                reason=_reason(slot, out, period),
                status=status,
                entered_at=when,
                submitted_at=when if status != S.DRAFT else None,
                reviewed_by=office if reviewed else None,
                reviewed_at=when + timedelta(days=2) if reviewed else None,
                published_at=when + timedelta(days=5) if published else None,
            )
        )
    if not rows:
        return []
    Entry.objects.bulk_create(rows, batch_size=500)
    per_indicator = Counter(row.indicator.code for row in rows)
    record_many(
        [
            build_event(
                AuditAction.IMPORT,
                object_type="collection.entry",
                object_repr=f"{period.name}：{len(rows)} 条{S(status).label}数据",
                after={
                    "period": period.code,
                    "status": status,
                    "count": len(rows),
                    "indicators": dict(sorted(per_indicator.items())),
                },
                reason=DEMO_REASON,
            )
        ]
    )
    return rows


def _period(
    scheme: Scheme,
    kind: str,
    code: str,
    name: str,
    starts: str,
    ends: str,
    deadline: datetime,
) -> tuple[CollectionPeriod, bool]:
    existing = CollectionPeriod.objects.filter(scheme=scheme, code=code).first()
    if existing is not None:
        return existing, False
    period = CollectionPeriod(
        scheme=scheme,
        kind=kind,
        code=code,
        name=name,
        starts_on=date.fromisoformat(starts),
        ends_on=date.fromisoformat(ends),
        deadline=deadline,
        recheck_days=5,
    )
    return actions.create_period(period), True


def _set_status(period: CollectionPeriod, status: str) -> None:
    before = period.status
    period.status = status
    period.version += 1
    period.save(update_fields=["status", "version"])
    record_many(
        [
            build_event(
                AuditAction.TRANSITION,
                period,
                before={"status": before},
                after={"status": status},
                reason=DEMO_REASON,
            )
        ]
    )


def scored_leaves(scheme: Scheme, kind: str) -> list[Indicator]:
    """The scheme's leaves with a scoring method and this data period; evaluations come
    from the evaluation demo's rounds, bonus–penalty items from the ledger."""
    return list(
        Indicator.objects.filter(scheme=scheme, period=kind, children__isnull=True)
        .exclude(kind__in=[IndicatorKind.BONUS_PENALTY, IndicatorKind.EVALUATION])
        .exclude(method="")
        .select_related("owner")
        .order_by("sort_order", "code")
    )


@dataclass(frozen=True)
class PeriodPlan:
    kind: str
    code: str
    name: str
    starts: str
    ends: str
    deadline: str


def _year_end_plans(year: int) -> list[PeriodPlan]:
    if year >= 2026:
        return [
            PeriodPlan(
                DataPeriod.MONTHLY,
                f"{year}-M10",
                f"{year}年10月",
                f"{year}-10-01",
                f"{year}-10-31",
                f"{year}-11-10",
            ),
            PeriodPlan(
                DataPeriod.HALF_YEAR,
                f"{year}-H1",
                f"{year}年上半年",
                f"{year}-01-01",
                f"{year}-06-30",
                f"{year}-07-15",
            ),
            PeriodPlan(
                DataPeriod.ANNUAL,
                f"{year}-Y",
                f"{year}年度",
                f"{year}-01-01",
                f"{year}-12-31",
                f"{year + 1}-01-15",
            ),
        ]
    return [
        PeriodPlan(
            DataPeriod.QUARTERLY,
            f"{year}-Q4",
            f"{year}年第四季度",
            f"{year}-10-01",
            f"{year}-12-31",
            f"{year + 1}-01-10",
        ),
        PeriodPlan(
            DataPeriod.MONTHLY,
            f"{year}-M12",
            f"{year}年12月",
            f"{year}-12-01",
            f"{year}-12-31",
            f"{year + 1}-01-10",
        ),
        PeriodPlan(
            DataPeriod.HALF_YEAR,
            f"{year}-H2",
            f"{year}年下半年",
            f"{year}-07-01",
            f"{year}-12-31",
            f"{year + 1}-01-15",
        ),
        PeriodPlan(
            DataPeriod.ANNUAL,
            f"{year}-Y",
            f"{year}年度",
            f"{year}-01-01",
            f"{year}-12-31",
            f"{year + 1}-01-15",
        ),
    ]


QUARTER_NAMES = ("第一季度", "第二季度", "第三季度")


def _to_date_plans(year: int) -> list[PeriodPlan]:
    """Last year's monthly and quarterly periods before the year-end ones."""
    plans = []
    for month in range(1, 12):
        last_day = (date(year, month + 1, 1) - timedelta(days=1)).isoformat()
        plans.append(
            PeriodPlan(
                DataPeriod.MONTHLY,
                f"{year}-M{month}",
                f"{year}年{month}月",
                f"{year}-{month:02d}-01",
                last_day,
                f"{year}-{month + 1:02d}-10",
            )
        )
    for quarter, name in enumerate(QUARTER_NAMES, start=1):
        first, last = 3 * quarter - 2, 3 * quarter
        plans.append(
            PeriodPlan(
                DataPeriod.QUARTERLY,
                f"{year}-Q{quarter}",
                f"{year}年{name}",
                f"{year}-{first:02d}-01",
                (date(year, last + 1, 1) - timedelta(days=1)).isoformat(),
                f"{year}-{last + 1:02d}-10",
            )
        )
    return plans


def _final_periods(scheme: Scheme, office: User) -> None:
    """One closed period per data period with every leaf's final entries (and last year's
    periods before the year end, with money to date)."""
    year = scheme.year.year
    to_date = _to_date_plans(year) if year < 2026 else []
    for plan in [*to_date, *_year_end_plans(year)]:
        leaves = scored_leaves(scheme, plan.kind)
        if not leaves:
            continue
        period, created = _period(
            scheme, plan.kind, plan.code, plan.name, plan.starts, plan.ends, _at(plan.deadline, 18)
        )
        if not created:
            continue
        when = _at(plan.deadline) - timedelta(days=4)
        share = period.ends_on.month / 12 if plan in to_date else None
        _bulk(period, slots_for(period, leaves), S.FINAL, when, office, share)
        _set_status(period, PeriodStatus.CLOSED)


# -- the story ------------------------------------------------------------------------


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
    previous = Scheme.objects.filter(year__year=district.year.year - 1).first()
    if previous is not None and previous.status != SchemeStatus.DRAFT:
        _final_periods(previous, office)
        _bonus_events(previous, fgj, office)
    now = timezone.now()
    q1, created_q1 = _period(
        scheme,
        DataPeriod.QUARTERLY,
        "2026-Q1",
        "2026年第一季度",
        "2026-01-01",
        "2026-03-31",
        _at("2026-04-10", 18),
    )
    if created_q1:
        q1.status = PeriodStatus.OPEN  # opened for the story, closed at its end
        q1.save()
        _q1_story(q1, office, fgj, leader, donghu, now)
        q1.status = PeriodStatus.CLOSED
        q1.save()
    deadline = timezone.make_aware(datetime.combine((now + timedelta(days=14)).date(), time(18)))
    q2, created_q2 = _period(
        scheme,
        DataPeriod.QUARTERLY,
        "2026-Q2",
        "2026年第二季度",
        "2026-04-01",
        "2026-06-30",
        deadline,
    )
    if created_q2:
        q2.status = PeriodStatus.OPEN
        q2.save()
        _q2_story(q2, office, fgj, leader, now)
    _final_periods(scheme, office)
    _bonus_events(scheme, fgj, office)


def collected_indicators_exist(scheme: Scheme) -> bool:
    return Indicator.objects.filter(scheme=scheme, period=DataPeriod.QUARTERLY).exists()


def _save(user: User, period: CollectionPeriod, slots: list[Slot], when: datetime) -> list[Entry]:
    rows = []
    for slot in slots:
        raw = inputs(slot, period)
        rows.append(
            actions.RowInput(slot, raw, _reason(slot, _evaluate(slot, period, raw), period))
        )
    result = actions.save_rows(user, period, rows, now=when)
    return result.saved


def _move(action: str, user: User, entries: list[Entry], when: datetime, reason: str = "") -> None:
    if entries:
        EntryTransition(action, user, reason=reason, now=when).execute(entries)


def _q1_story(
    q1: CollectionPeriod, office: User, fgj: User, leader: User, donghu: User, now: datetime
) -> None:
    indicators = list(collected_indicators(q1))
    slots = slots_for(q1, indicators)
    fgj_slots = [s for s in slots if s.indicator.owner_id == fgj.organization_id]
    saved = _save(fgj, q1, fgj_slots, _at("2026-04-07"))
    _move(Act.SUBMIT, fgj, saved, _at("2026-04-08"))
    _move(Act.APPROVE, office, saved, _at("2026-04-13"))
    mine = Entry.objects.filter(period=q1, department=fgj.organization)
    _move(Act.CONFIRM, leader, list(mine.filter(status=S.AWAITING_CONFIRMATION)), _at("2026-04-14"))
    _move(Act.PUBLISH, office, list(mine.filter(status=S.APPROVED)), _at("2026-04-16"))
    _move(Act.FINALIZE, office, list(mine.filter(status=S.PUBLISHED)), _at("2026-04-22"))

    others = [s for s in slots if s.indicator.owner_id != fgj.organization_id]
    recent = now - timedelta(days=7)  # published two days ago: the recheck window is open
    _bulk(q1, others, S.PUBLISHED, recent, office)
    # 东湖街道 asks for two rechecks; the scoring demo answers the second one.
    _request_recheck(
        q1,
        RECHECK_OPEN,
        donghu,
        "信访积案化解：本季度通报的 2 宗积案已于 3 月 28 日前化解并经信访人签字确认，"
        "不应扣分，附化解协议和回访记录。",
    )
    _request_recheck(
        q1,
        RECHECK_CHANGED,
        donghu,
        "老旧小区改造：第一季度实际完成改造户数应为台账数加上桂香里、榕树头两个小区，"
        "两小区已于 3 月 30 日竣工验收，台账漏记，附竣工验收意见。",
    )


def _entry_of(period: CollectionPeriod, key: tuple[str, str, str]) -> Entry | None:
    indicator_code, unit_code, period_code = key
    if period.code != period_code:
        return None
    return (
        Entry.objects.filter(period=period, indicator__code=indicator_code, unit__code=unit_code)
        .select_related("indicator", "unit", "period__scheme")
        .first()
    )


def _request_recheck(
    period: CollectionPeriod, key: tuple[str, str, str], donghu: User, reason: str
) -> None:
    entry = _entry_of(period, key)
    if entry is None or entry.rechecks.exists() or entry.status != S.PUBLISHED:
        return
    request = RecheckRequest.objects.create(
        entry=entry, unit=entry.unit, reason=reason, filed_by=donghu
    )
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
    entry.version += 1
    entry.save(update_fields=["status", "version", "updated_at"])
    record_many(events)


def answer_demo_recheck(now: datetime | None = None) -> bool:
    """The department answers 东湖街道's second recheck: the two missing estates count,
    so the entry's value (and score) goes up. Returns whether anything changed."""
    now = now or timezone.now()
    period = CollectionPeriod.objects.filter(code=RECHECK_CHANGED[2]).first()
    entry = _entry_of(period, RECHECK_CHANGED) if period else None
    if entry is None or entry.status != S.RECHECK_REQUESTED:
        return False
    request = entry.rechecks.filter(status=RecheckStatus.OPEN).first()
    if request is None or entry.value is None or not entry.reference:
        return False
    slot = next(
        (s for s in slots_for(entry.period, [entry.indicator]) if s.unit.pk == entry.unit_id), None
    )
    if slot is None:
        return False
    before = snapshot(entry, actions.ENTRY_FIELDS)
    raw = {
        "value": str(round(entry.reference * Decimal("0.97"))),
        "reference": str(entry.reference),
    }
    out = _evaluate(slot, entry.period, raw)
    entry.value = out.values.get("value")
    entry.score = out.score
    entry.reason = "复核更正：补记桂香里、榕树头两个小区的改造户数，竣工验收意见见附件。"
    entry.status = S.RECHECK_ANSWERED
    entry.version += 1
    entry.save()
    request.status = RecheckStatus.ANSWERED
    request.outcome = RecheckOutcome.CHANGED
    request.answer = "经核实，两个小区已于季度内竣工验收，验收材料齐全，予以更正。"
    request.before, request.after = before, snapshot(entry, actions.ENTRY_FIELDS)
    request.answered_at = now - timedelta(hours=3)
    request.version += 1
    request.save()
    record_many(
        [
            build_event(
                AuditAction.UPDATE,
                entry,
                before={k: v for k, v in before.items() if request.after[k] != v},
                after={k: v for k, v in request.after.items() if before[k] != v},
                reason=f"复核答复：{RecheckOutcome.CHANGED.label}。{request.answer}",
            ),
            build_event(
                AuditAction.TRANSITION,
                entry,
                before={"status": S.RECHECK_REQUESTED},
                after={"status": S.RECHECK_ANSWERED, "action": Act.ANSWER_RECHECK},
                reason=request.answer,
            ),
        ]
    )
    return True


def _q2_story(q2: CollectionPeriod, office: User, fgj: User, leader: User, now: datetime) -> None:
    indicators = list(collected_indicators(q2))
    slots = slots_for(q2, indicators)
    mine = [s for s in slots if s.indicator.owner_id == fgj.organization_id]
    by_code: dict[str, list[Slot]] = defaultdict(list)
    for slot in mine:
        by_code[slot.indicator.code].append(slot)
    codes = sorted(by_code, key=lambda code: (-len(by_code[code]), code))
    # FGJ's other quarterly indicators are done: approved for every unit (they count).
    for code in codes[1:]:
        done = _save(fgj, q2, by_code[code], now - timedelta(days=6))
        _move(Act.SUBMIT, fgj, done, now - timedelta(days=5))
        _move(Act.APPROVE, office, done, now - timedelta(days=4))
        waiting = Entry.objects.filter(
            period=q2, indicator__code=code, status=S.AWAITING_CONFIRMATION
        )
        _move(Act.CONFIRM, leader, list(waiting), now - timedelta(days=3))
    # Its biggest one is in progress for about two thirds of the units (nothing counts).
    if codes:
        first = by_code[codes[0]]
        filled = [s for i, s in enumerate(first) if i % 3 != 2]
        saved = _save(fgj, q2, filled, now - timedelta(days=3))
        submit = saved[: len(saved) // 2]
        if submit:
            _move(Act.SUBMIT, fgj, submit, now - timedelta(days=2))
            _move(
                Act.RETURN,
                office,
                submit[:2],
                now - timedelta(days=1),
                reason="实际完成项数与区重点工作台账不一致，请核对后重新报送。",
            )
            heavy = q2.scheme.heavy_deduction_share
            points = {s.key: s.points for s in first}
            confirm = [
                e
                for e in submit[2:]
                if leaf.needs_confirmation(e.score, points[(e.indicator_id, e.unit_id)], heavy)
            ]
            _move(
                Act.APPROVE, office, confirm[: max(2, len(submit) // 3)], now - timedelta(hours=20)
            )
    # Other departments: some submitted, waiting for the office's initial review.
    others = [s for s in slots if s.indicator.owner_id != fgj.organization_id]
    _bulk(
        q2,
        [s for i, s in enumerate(others) if i % 4 == 0],
        S.SUBMITTED,
        now - timedelta(days=1),
        None,
    )
    _bulk(
        q2, [s for i, s in enumerate(others) if i % 4 == 1], S.DRAFT, now - timedelta(days=1), None
    )


# -- bonus and penalty events --------------------------------------------------------

# (indicator, unit, points, document, day, description, approved)
EVENTS: dict[int, list[tuple[str, str, str, str, str, str, bool]]] = {
    2025: [
        (
            "JK01",
            "ZZB",
            "0.5",
            "省委〔2025〕表彰决定",
            "2025-07-01",
            "获评全省组织工作先进集体。",
            True,
        ),
        (
            "JK01",
            "SCJGJ",
            "0.2",
            "市市场监管局〔2025〕8号",
            "2025-09-12",
            "获市级质量强市工作先进单位。",
            True,
        ),
        (
            "JK02",
            "ZJJ",
            "-0.5",
            "市住建局〔2025〕30号",
            "2025-12-20",
            "全市住房城乡建设工作考核排名后三名。",
            True,
        ),
        (
            "JE01",
            "JD03",
            "5",
            "省民政厅〔2025〕11号",
            "2025-10-18",
            "社区协商议事经验获全省推广。",
            True,
        ),
        (
            "JF02",
            "JD13",
            "-10",
            "省督察组〔2025〕通报第3期",
            "2025-08-05",
            "辖区河涌整治不力被省生态环境督察通报。",
            True,
        ),
    ],
    2026: [
        (
            "JK01",
            "XCB",
            "0.5",
            "省委宣传部〔2026〕5号",
            "2026-06-18",
            "获评全省新时代文明实践先进单位。",
            True,
        ),
        (
            "JK01",
            "WJJ",
            "1",
            "国卫〔2026〕12号",
            "2026-09-20",
            "获评全国基层卫生健康工作先进集体。",
            True,
        ),
        (
            "JK01",
            "SCJGJ",
            "0.2",
            "市市场监管局〔2026〕6号",
            "2026-05-11",
            "获市级质量强市工作先进单位。",
            True,
        ),
        (
            "JK02",
            "RSJ",
            "0.5",
            "市人社局〔2026〕21号",
            "2026-10-30",
            "就业创业工作考核排名全市第二。",
            True,
        ),
        (
            "JK02",
            "ZJJ",
            "-0.5",
            "市住建局〔2026〕33号",
            "2026-10-28",
            "全市住房城乡建设工作考核排名后三名。",
            True,
        ),
        (
            "JK02",
            "MZJ",
            "0.5",
            "区发改〔2026〕12号",
            "2026-11-02",
            "民政工作考核排名全市前三（待审核）。",
            False,
        ),
        (
            "JK03",
            "GSL",
            "0.2",
            "区委编办〔2026〕4号",
            "2026-03-15",
            "主动精简下属单位编制 2 名。",
            True,
        ),
        (
            "JE01",
            "JD05",
            "10",
            "中央社会工作部简报〔2026〕第7期",
            "2026-07-22",
            "“街社吹哨、部门报到”经验被中央推广。",
            True,
        ),
        (
            "JE01",
            "JD08",
            "5",
            "省委组织部〔2026〕18号",
            "2026-08-09",
            "楼宇党建经验获全省推广。",
            True,
        ),
        (
            "JE02",
            "JD02",
            "5",
            "市委改革办〔2026〕9号",
            "2026-06-30",
            "历史街区“微改造”模式获市级改革创新奖。",
            True,
        ),
        (
            "JE02",
            "JD06",
            "5",
            "区发改〔2026〕13号",
            "2026-11-05",
            "数字社区改革试点获市级肯定（待审核）。",
            False,
        ),
        (
            "JF02",
            "JD09",
            "-10",
            "省督察组〔2026〕通报第2期",
            "2026-05-16",
            "辖区建筑工地扬尘问题被省生态环境督察通报。",
            True,
        ),
        (
            "JF03",
            "JD12",
            "-5",
            "市委督查室〔2026〕通报第4期",
            "2026-09-03",
            "重点项目推进不力被市委督查室通报批评。",
            True,
        ),
    ],
}


def _bonus_events(scheme: Scheme, fgj: User, office: User) -> None:
    if BonusPenaltyEvent.objects.filter(scheme=scheme).exists():
        return
    indicators = {
        i.code: i for i in Indicator.objects.filter(scheme=scheme, kind=IndicatorKind.BONUS_PENALTY)
    }
    units = {o.code: o for o in Organization.objects.filter(is_assessed_unit=True)}
    rows = []
    for code, unit_code, points, document, day, description, approved in EVENTS.get(
        scheme.year.year, []
    ):
        indicator = indicators.get(code)
        if indicator is None or unit_code not in units or indicator.owner_id is None:
            continue
        moment = _at(day)
        by_fgj = indicator.owner_id == fgj.organization_id
        rows.append(
            BonusPenaltyEvent(
                scheme=scheme,
                indicator=indicator,
                unit=units[unit_code],
                department_id=indicator.owner_id,
                points=Decimal(points),
                document_number=document,
                occurred_on=moment.date(),
                description=description,
                status=BonusPenaltyStatus.APPROVED if approved else BonusPenaltyStatus.SUBMITTED,
                entered_by=fgj if by_fgj else None,
                submitted_at=moment + timedelta(days=3),
                reviewed_by=office if approved else None,
                reviewed_at=moment + timedelta(days=6) if approved else None,
            )
        )
    if not rows:
        return
    BonusPenaltyEvent.objects.bulk_create(rows)
    record_many(
        [
            build_event(
                AuditAction.IMPORT,
                object_type="collection.bonuspenaltyevent",
                object_repr=f"{scheme.year.year} 年度加扣分事项 {len(rows)} 条",
                after={
                    "count": len(rows),
                    "approved": sum(r.status == BonusPenaltyStatus.APPROVED for r in rows),
                },
                reason=DEMO_REASON,
            )
        ]
    )
