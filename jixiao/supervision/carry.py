"""Unfinished rectification carries into next year (LW, ZJG).

When next year's scheme is copied from this year's (`scheme.hooks.scheme_copied`), or
when 督查室 asks, every task of the year that was not closed out as 完成/基本完成 — still
open, escalated, or verified 未完成 — becomes a task of the new year (linked both ways:
`carried_from`, source 上年未完成整改事项) and costs its lead unit a red card in the new
year (rule 上年未完成整改事项结转), so it is a deduction item on both years' report cards.
Idempotent: a task already carried is not carried twice.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jixiao.audit.records import record_create
from jixiao.scheme.models import Scheme
from jixiao.supervision.models import (
    CARD_COLOR,
    Card,
    CardRule,
    SourceType,
    SupervisionTask,
    TaskResult,
    TaskState,
)


def unfinished(year: int) -> list[SupervisionTask]:
    return list(
        SupervisionTask.objects.filter(year=year)
        .filter(
            Q(state__in=(*_OPEN, TaskState.ESCALATED))
            | Q(state=TaskState.VERIFIED, result=TaskResult.UNDONE)
        )
        .filter(carried_into__isnull=True)
        .select_related("lead_unit")
        .order_by("pk")
    )


_OPEN = (
    TaskState.ASSIGNED,
    TaskState.ACCEPTED,
    TaskState.IN_PROGRESS,
    TaskState.CLOSE_REQUESTED,
    TaskState.VERIFIED,
)


def carry_over(year: int) -> list[SupervisionTask]:
    """Carry the year's unfinished tasks into year + 1; returns the new tasks."""
    new_year = year + 1
    created = []
    with transaction.atomic():
        for old in unfinished(year):
            if old.state == TaskState.VERIFIED and old.result != TaskResult.UNDONE:
                continue
            task = SupervisionTask.objects.create(
                year=new_year,
                title=old.title,
                source_kind=old.source_kind,
                source_type=SourceType.TASK,
                source_id=old.pk,
                source_text=(_("%(y)d年未完成整改事项：%(t)s") % {"y": year, "t": old.title})[:500],
                problem=old.problem,
                measures=old.measures,
                lead_unit=old.lead_unit,
                deadline=date(new_year, 6, 30),
                level=old.level,
                carried_from=old,
                created_by=old.created_by,
            )
            task.cooperating_units.set(old.cooperating_units.all())
            record_create(task, reason=_("上年未完成整改事项结转"))
            card = Card.objects.create(
                task=task,
                unit=old.lead_unit,
                year=new_year,
                color=CARD_COLOR[CardRule.CARRIED],
                rule=CardRule.CARRIED,
                key="carried",
                issued_on=date(new_year, 1, 1),
                note=_("%(y)d年未完成整改") % {"y": year},
            )
            record_create(card)
            created.append(task)
    return created


def on_scheme_copied(new: Scheme, old: Scheme) -> None:
    carry_over(old.year.year)
