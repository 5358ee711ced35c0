"""The bonus–penalty ledger (加扣分台账): one event at a time, caps shown per unit.

An indicator of kind bonus_penalty caps a unit's bonuses (bonus_cap) and, apart, its
deductions (penalty_cap); a group above items caps the sum of its items the same way.
An event that takes a unit past a cap is a fact and is recorded all the same: the
person recording it is warned (`cap_warnings`), and the score counts at most the cap
per sign (the engine, docs/scoring.md "Bonus and penalty caps"), which the report card
says ("扣分 7 分，按上限计 5 分"). Every event not sent back counts in the running
totals shown here (draft, submitted, approved), so a department sees what others have
already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.records import record_create, record_update, snapshot
from jixiao.collection.models import BonusPenaltyEvent, BonusPenaltyStatus
from jixiao.core.concurrency import save_versioned
from jixiao.org.models import Organization, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorKind, Scheme

ZERO = Decimal(0)
EVENT_FIELDS = [
    "unit_id",
    "indicator_id",
    "points",
    "document_number",
    "occurred_on",
    "description",
]


class LedgerError(Exception):
    pass


@dataclass(frozen=True)
class Totals:
    bonus: Decimal
    penalty: Decimal  # positive number of points deducted


def bonus_indicators(scheme: Scheme, department: Organization | None = None) -> QuerySet[Indicator]:
    qs = Indicator.objects.filter(scheme=scheme, kind=IndicatorKind.BONUS_PENALTY).filter(
        children__isnull=True
    )
    return qs.filter(owner=department) if department is not None else qs


def running_totals(indicator_ids: list[int], unit_id: int, exclude_pk: int | None = None) -> Totals:
    qs = BonusPenaltyEvent.objects.counting().filter(
        indicator_id__in=indicator_ids, unit_id=unit_id
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    sums = qs.aggregate(
        bonus=Sum("points", filter=Q(points__gt=0)), penalty=Sum("points", filter=Q(points__lt=0))
    )
    return Totals(bonus=sums["bonus"] or ZERO, penalty=-(sums["penalty"] or ZERO))


@dataclass(frozen=True)
class CapStatus:
    """A node that caps bonuses or penalties (the leaf itself or a group above it)."""

    node: Indicator
    leaf_ids: list[int]
    totals: Totals

    @property
    def bonus_cap(self) -> Decimal | None:
        return self.node.bonus_cap

    @property
    def penalty_cap(self) -> Decimal | None:
        return self.node.penalty_cap

    @property
    def bonus_over(self) -> bool:
        """Bonuses recorded past the cap (they count only up to it)."""
        return self.bonus_cap is not None and self.totals.bonus > self.bonus_cap

    @property
    def penalty_over(self) -> bool:
        return self.penalty_cap is not None and self.totals.penalty > self.penalty_cap


def cap_nodes(indicator: Indicator) -> list[Indicator]:
    """The leaf and its ancestors that carry a bonus or penalty cap (a tree is ≤ 3 deep)."""
    nodes = []
    node: Indicator | None = indicator
    while node is not None:
        if node.bonus_cap is not None or node.penalty_cap is not None:
            nodes.append(node)
        node = node.parent
    return nodes


def _leaves_under(node: Indicator) -> list[int]:
    if node.parent_id is not None and not node.children.exists():
        return [node.pk]
    return list(
        Indicator.objects.filter(Q(parent=node) | Q(parent__parent=node) | Q(pk=node.pk))
        .filter(children__isnull=True)
        .values_list("pk", flat=True)
    )


def cap_status(
    indicator: Indicator, unit_id: int, exclude_pk: int | None = None
) -> list[CapStatus]:
    result = []
    for node in cap_nodes(indicator):
        leaves = _leaves_under(node)
        result.append(CapStatus(node, leaves, running_totals(leaves, unit_id, exclude_pk)))
    return result


def cap_warnings(event: BonusPenaltyEvent) -> list[str]:
    """Chinese warnings for every cap this event takes the unit past (the running total
    includes the event). The event is recorded anyway; the score is capped."""
    warnings = []
    for status in cap_status(event.indicator, event.unit_id, exclude_pk=event.pk):
        totals, node = status.totals, status.node
        cap = node.bonus_cap
        if event.points > 0 and cap is not None and totals.bonus + event.points > cap:
            warnings.append(
                _(
                    "超出加分上限：%(ind)s加分上限 %(cap)s 分，%(unit)s累计加分 %(sum)s 分"
                    "（含本条）。事项照常登记，计分时按上限计 %(cap)s 分。"
                )
                % {
                    "ind": node.name,
                    "cap": _fmt(cap),
                    "unit": event.unit.name,
                    "sum": _fmt(totals.bonus + event.points),
                }
            )
        cap = node.penalty_cap
        if event.points < 0 and cap is not None and totals.penalty - event.points > cap:
            warnings.append(
                _(
                    "超出扣分上限：%(ind)s扣分上限 %(cap)s 分，%(unit)s累计扣分 %(sum)s 分"
                    "（含本条）。事项照常登记，计分时按上限计 %(cap)s 分。"
                )
                % {
                    "ind": node.name,
                    "cap": _fmt(cap),
                    "unit": event.unit.name,
                    "sum": _fmt(totals.penalty - event.points),
                }
            )
    return warnings


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def events_visible_to(user: User) -> QuerySet[BonusPenaltyEvent]:
    qs = BonusPenaltyEvent.objects.select_related("indicator", "unit", "department", "scheme")
    if user.has_role(Role.OFFICE):
        return qs
    if user.has_role(Role.DEPARTMENT):
        return qs.filter(department_id=user.organization_id)
    if user.has_role(Role.UNIT):
        return qs.filter(unit_id=user.organization_id, status=BonusPenaltyStatus.APPROVED)
    return qs.none()


def access_event(user: User, pk: int) -> BonusPenaltyEvent:
    event = events_visible_to(user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def units_of(scheme: Scheme) -> QuerySet[Organization]:
    return Organization.objects.filter(
        pk__in=UnitEnrollment.objects.filter(year_id=scheme.year_id).values("unit_id")
    )


def save_event(
    user: User,
    event: BonusPenaltyEvent,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> BonusPenaltyEvent:
    """Create or edit a draft / returned event of the user's department. An event past a
    cap is saved too: the caller shows `cap_warnings(event)` to the person recording it."""
    if not user.has_role(Role.DEPARTMENT):
        raise LedgerError(_("只有数据采集单位可以登记加扣分事项。"))
    if event.pk is not None and event.department_id != user.organization_id:
        raise Http404
    if event.pk is not None and event.status not in (
        BonusPenaltyStatus.DRAFT,
        BonusPenaltyStatus.RETURNED,
    ):
        raise LedgerError(_("已提交的事项不能修改。"))
    indicator: Indicator = data["indicator"]
    if indicator.owner_id != user.organization_id or indicator.kind != IndicatorKind.BONUS_PENALTY:
        raise LedgerError(_("该加扣分指标不由本单位负责。"))
    if not units_of(indicator.scheme).filter(pk=data["unit"].pk).exists():
        raise LedgerError(_("该单位不是本年度的被考核单位。"))
    if data["points"] == 0:
        raise LedgerError(_("分值不能为 0：加分填正数，扣分填负数。"))
    before = snapshot(event, EVENT_FIELDS) if event.pk else None
    event.scheme = indicator.scheme
    event.indicator = indicator
    event.unit = data["unit"]
    event.department = user.organization
    event.points = data["points"]
    event.document_number = data.get("document_number", "")
    event.occurred_on = data["occurred_on"]
    event.description = data["description"]
    event.entered_by = event.entered_by or user
    with transaction.atomic():
        if before is None:
            event.save()
            record_create(event)
        else:
            save_versioned(
                event,
                expected_version if expected_version is not None else event.version,
                [f.removesuffix("_id") if f.endswith("_id") else f for f in EVENT_FIELDS],
            )
            record_update(event, before)
    return event
