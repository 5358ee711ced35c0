"""Completion figures for the office dashboard and the home panels (constant queries)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.models import (
    BonusPenaltyEvent,
    CollectionPeriod,
    DeadlineException,
    Entry,
    EntryStatus,
)
from jixiao.collection.scope import collected_indicators, slots_for
from jixiao.collection.structure import department_slots
from jixiao.core import figures
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator

S = EntryStatus
NOT_SUBMITTED = {S.DRAFT, S.RETURNED}
PUBLISHED_STATES = (
    S.PUBLISHED,
    S.RECHECK_REQUESTED,
    S.RECHECK_ANSWERED,
    S.RECHECK_CONFIRMATION,
    S.FINAL,
)


@dataclass
class Completion:
    total: int = 0
    entered: int = 0  # any saved entry
    submitted: int = 0  # submitted or beyond
    approved: int = 0  # approved or beyond
    published: int = 0
    final: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def missing(self) -> int:
        return max(self.total - self.submitted, 0)

    @property
    def percent(self) -> int:
        # Half up like every figure shown (round() would show 1 of 8 as 12%, not 13%).
        return int(figures.percent(self.submitted, self.total)) if self.total else 100

    def add(self, status: str, n: int) -> None:
        self.statuses[status] += n
        self.entered += n
        if status not in NOT_SUBMITTED:
            self.submitted += n
        if status in (S.APPROVED, *PUBLISHED_STATES):
            self.approved += n
        if status in PUBLISHED_STATES:
            self.published += n
        if status == S.FINAL:
            self.final += n


@dataclass
class DepartmentRow:
    department: Organization
    completion: Completion
    exception_until: datetime | None
    late: bool
    can_finalize: bool
    # No active clerk or leader account: a 催办 would reach nobody (the office sees why).
    reachable: bool = True


@dataclass
class IndicatorRow:
    indicator: Indicator
    completion: Completion


@dataclass
class PeriodDashboard:
    period: CollectionPeriod
    overall: Completion
    departments: list[DepartmentRow]
    indicators: list[IndicatorRow]
    queues: dict[str, int]


def period_dashboard(period: CollectionPeriod, now: datetime | None = None) -> PeriodDashboard:
    now = now or timezone.now()
    indicators = list(collected_indicators(period))
    slots = slots_for(period, indicators)
    by_dept: dict[int, Completion] = defaultdict(Completion)
    by_ind: dict[int, Completion] = defaultdict(Completion)
    overall = Completion(total=len(slots))
    for slot in slots:
        by_ind[slot.indicator.pk].total += 1
        if slot.indicator.owner_id:
            by_dept[slot.indicator.owner_id].total += 1
    rows = (
        Entry.objects.filter(period=period)
        .values("department_id", "indicator_id", "status")
        .annotate(n=Count("pk"), last_published=Max("published_at"))
    )
    last_published: dict[int, datetime] = {}
    for row in rows:
        by_dept[row["department_id"]].add(row["status"], row["n"])
        by_ind[row["indicator_id"]].add(row["status"], row["n"])
        overall.add(row["status"], row["n"])
        if row["last_published"] and row["status"] == S.PUBLISHED:
            current = last_published.get(row["department_id"])
            if current is None or row["last_published"] > current:
                last_published[row["department_id"]] = row["last_published"]
    exceptions = dict(
        DeadlineException.objects.filter(period=period)
        .values("department_id")
        .annotate(until=Max("until"))
        .values_list("department_id", "until")
    )
    departments = Organization.objects.filter(pk__in=by_dept.keys()).order_by("sort_order", "code")
    reachable = set(
        User.objects.filter(role=Role.DEPARTMENT, is_active=True, organization_id__in=by_dept)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    past_deadline = now > period.deadline
    window = period.recheck_days
    dept_rows = []
    for department in departments:
        completion = by_dept[department.pk]
        until = exceptions.get(department.pk)
        published_at = last_published.get(department.pk)
        dept_rows.append(
            DepartmentRow(
                department=department,
                completion=completion,
                exception_until=until,
                late=past_deadline and completion.missing > 0 and not (until and until >= now),
                can_finalize=bool(
                    completion.statuses[S.PUBLISHED]
                    and published_at
                    and (now - published_at).days >= window
                ),
                reachable=department.pk in reachable,
            )
        )
    ind_rows = [IndicatorRow(i, by_ind[i.pk]) for i in indicators]
    queues = {
        "submitted": overall.statuses[S.SUBMITTED],
        "awaiting_confirmation": overall.statuses[S.AWAITING_CONFIRMATION]
        + overall.statuses[S.RECHECK_CONFIRMATION],
        "recheck_requested": overall.statuses[S.RECHECK_REQUESTED],
        "recheck_answered": overall.statuses[S.RECHECK_ANSWERED],
        "approved": overall.statuses[S.APPROVED],
        "bonus_submitted": BonusPenaltyEvent.objects.filter(scheme_id=period.scheme_id)
        .awaiting_review()
        .count(),
    }
    return PeriodDashboard(period, overall, dept_rows, ind_rows, queues)


def department_completion(period: CollectionPeriod, department: Organization) -> Completion:
    completion = Completion(total=len(department_slots(period, department)))
    for status, n in (
        Entry.objects.filter(period=period, department=department)
        .values_list("status")
        .annotate(n=Count("pk"))
    ):
        completion.add(status, n)
    return completion
