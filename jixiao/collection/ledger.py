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


def leaf_totals(
    indicator_ids: list[int], unit_id: int, exclude_pk: int | None = None
) -> dict[int, Totals]:
    """Per leaf, the unit's bonuses and deductions of every event not sent back."""
    qs = BonusPenaltyEvent.objects.counting().filter(
        indicator_id__in=indicator_ids, unit_id=unit_id
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    rows = qs.values("indicator_id").annotate(
        bonus=Sum("points", filter=Q(points__gt=0)), penalty=Sum("points", filter=Q(points__lt=0))
    )
    return {
        row["indicator_id"]: Totals(row["bonus"] or ZERO, -(row["penalty"] or ZERO)) for row in rows
    }


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


def cap_status(
    indicator: Indicator,
    unit_id: int,
    exclude_pk: int | None = None,
    extra: Decimal | None = None,
) -> list[CapStatus]:
    """Each capped node above the leaf `indicator` (itself included) with what reaches it
    for the unit, per sign, as the engine counts it: a leaf's events; for a group, what
    each item below counts after its own caps (items capped at +3 with +5 and +4 recorded
    bring 3 + 3 to their group). `extra`: an event not yet counted (being saved)."""
    chain = cap_nodes(indicator)
    if not chain:
        return []
    top = chain[-1]
    rows = list(
        Indicator.objects.filter(Q(pk=top.pk) | Q(parent=top) | Q(parent__parent=top)).values(
            "pk", "parent_id", "bonus_cap", "penalty_cap"
        )
    )
    children: dict[int, list[int]] = {}
    for row in rows:
        if row["pk"] != top.pk:
            children.setdefault(row["parent_id"], []).append(row["pk"])
    caps = {row["pk"]: (row["bonus_cap"], row["penalty_cap"]) for row in rows}
    leaves = [pk for pk in caps if pk not in children]
    own = leaf_totals(leaves, unit_id, exclude_pk)
    if extra is not None:
        before = own.get(indicator.pk, Totals(ZERO, ZERO))
        own[indicator.pk] = Totals(
            before.bonus + max(extra, ZERO), before.penalty + max(-extra, ZERO)
        )
    reaching: dict[int, Totals] = {}

    def counted(pk: int) -> Totals:
        """What node `pk` counts after its caps; records what reached it."""
        total = own.get(pk, Totals(ZERO, ZERO))
        for kid in children.get(pk, []):
            part = counted(kid)
            total = Totals(total.bonus + part.bonus, total.penalty + part.penalty)
        reaching[pk] = total
        bonus_cap, penalty_cap = caps[pk]
        return Totals(
            total.bonus if bonus_cap is None else min(total.bonus, bonus_cap),
            total.penalty if penalty_cap is None else min(total.penalty, penalty_cap),
        )

    counted(top.pk)
    leaves_under = {pk: _leaves_below(pk, children) for pk in (n.pk for n in chain)}
    return [CapStatus(node, leaves_under[node.pk], reaching[node.pk]) for node in chain]


def _leaves_below(pk: int, children: dict[int, list[int]]) -> list[int]:
    if pk not in children:
        return [pk]
    return [leaf for kid in children[pk] for leaf in _leaves_below(kid, children)]


def cap_warnings(event: BonusPenaltyEvent) -> list[str]:
    """Chinese warnings for every cap this event takes the unit past (the running total
    includes the event). The event is recorded anyway; the score is capped."""
    warnings = []
    statuses = cap_status(event.indicator, event.unit_id, exclude_pk=event.pk, extra=event.points)
    for status in statuses:
        totals, node = status.totals, status.node
        cap = node.bonus_cap
        if event.points > 0 and cap is not None and totals.bonus > cap:
            warnings.append(
                _(
                    "超出加分上限：%(ind)s加分上限 %(cap)s 分，%(unit)s累计加分 %(sum)s 分"
                    "（含本条）。事项照常登记，计分时按上限计 %(cap)s 分。"
                )
                % {
                    "ind": node.name,
                    "cap": _fmt(cap),
                    "unit": event.unit.name,
                    "sum": _fmt(totals.bonus),
                }
            )
        cap = node.penalty_cap
        if event.points < 0 and cap is not None and totals.penalty > cap:
            warnings.append(
                _(
                    "超出扣分上限：%(ind)s扣分上限 %(cap)s 分，%(unit)s累计扣分 %(sum)s 分"
                    "（含本条）。事项照常登记，计分时按上限计 %(cap)s 分。"
                )
                % {
                    "ind": node.name,
                    "cap": _fmt(cap),
                    "unit": event.unit.name,
                    "sum": _fmt(totals.penalty),
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
