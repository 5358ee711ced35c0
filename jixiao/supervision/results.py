"""How red and yellow cards become the 督查督办 indicator's scoring input.

Like evaluation's ratings (`evaluation/results.py`), the cards are written as final
entries of every leaf scored by `supervision_cards` (value = counted red cards,
reference = counted yellow cards, reason = the cards listed), in the leaf's latest open
collection period of the year: the one path the scoring loader already reads, so the
report card and 得分溯源 show the cards with the score. Run by 督查室 or the office
(“计入考核”); re-running writes only what changed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record_many, snapshot
from jixiao.collection import leaf
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus, PeriodStatus
from jixiao.core.workflow import TransitionRefused
from jixiao.org.models import UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorPoints
from jixiao.scoring.engine.methods import SUPERVISION_CARDS
from jixiao.supervision.models import Card, CardColor

ENTRY_FIELDS = ["value", "reference", "score", "reason", "status"]
LISTED = 20


def reasons_by_unit(year: int) -> dict[int, str]:
    """unit id → '红牌 1 张：…；黄牌 2 张：…' (the cards as the score's explanation)."""
    cards: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Card.objects.counted()
        .filter(year=year)
        .order_by("issued_on", "pk")
        .values_list("unit_id", "color", "issued_on", "task__title", "rule")
    )
    from jixiao.supervision.models import CardRule

    for unit_id, color, issued, title, rule in rows.iterator(chunk_size=5000):
        cards[unit_id][color].append(f"{issued}「{title}」{CardRule(rule).label}")
    out = {}
    for unit_id, by_color in cards.items():
        parts = []
        for color, label in ((CardColor.RED, _("红牌")), (CardColor.YELLOW, _("黄牌"))):
            items = by_color.get(color, [])
            if items:
                more = _("等") if len(items) > LISTED else ""
                parts.append(
                    _("%(c)s %(n)d 张：%(l)s%(m)s")
                    % {"c": label, "n": len(items), "l": "，".join(items[:LISTED]), "m": more}
                )
        out[unit_id] = "；".join(parts)
    return out


def _period(indicator: Indicator) -> CollectionPeriod | None:
    return (
        CollectionPeriod.objects.filter(scheme_id=indicator.scheme_id, kind=indicator.period)
        .exclude(status=PeriodStatus.DRAFT)
        .order_by("-ends_on")
        .first()
    )


def write_card_entries(user: User, year: int) -> int:
    """Upsert one final entry per (督查督办 leaf, enrolled unit); returns how many changed."""
    if user.role not in (Role.SUPERVISION, Role.OFFICE):
        raise TransitionRefused(_("只有督查室或绩效办可以将红黄牌计入考核。"))
    from jixiao.supervision.cards import counts_by_unit

    indicators = list(
        Indicator.objects.filter(scheme__year__year=year, method=SUPERVISION_CARDS).select_related(
            "scheme"
        )
    )
    if not indicators:
        raise TransitionRefused(
            _("%(y)d年度考核方案中没有按“督查督办红黄牌”计分的指标。") % {"y": year}
        )
    counts = counts_by_unit(year)
    reasons = reasons_by_unit(year)
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for indicator in indicators:
            if indicator.owner_id is None:
                raise TransitionRefused(
                    _("指标“%(i)s”未设置数据采集单位。") % {"i": indicator.name}
                )
            period = _period(indicator)
            if period is None:
                raise TransitionRefused(
                    _("“%(i)s”没有可写入的采集周期，请先开放对应周期。") % {"i": indicator.name}
                )
            points = dict(
                IndicatorPoints.objects.filter(indicator=indicator).values_list(
                    "category_id", "points"
                )
            )
            units = UnitEnrollment.objects.filter(
                year__year=year, category_id__in=list(points)
            ).select_related("unit")
            existing = {
                e.unit_id: e for e in Entry.objects.filter(period=period, indicator=indicator)
            }
            heavy = indicator.scheme.heavy_deduction_share
            events = []
            for enrollment in units:
                red, yellow = counts.get(enrollment.unit_id, (0, 0))
                values = {"value": Decimal(red), "reference": Decimal(yellow)}
                outcome = leaf.evaluate(
                    indicator, points.get(enrollment.category_id), None, values, heavy_share=heavy
                )
                reason = reasons.get(enrollment.unit_id) or _("无红黄牌")
                entry = existing.get(enrollment.unit_id)
                if entry is None:
                    entry = Entry.objects.create(
                        period=period,
                        indicator=indicator,
                        unit=enrollment.unit,
                        department_id=indicator.owner_id,
                        value=values["value"],
                        reference=values["reference"],
                        score=outcome.score,
                        reason=reason,
                        status=EntryStatus.FINAL,
                        entered_at=now,
                        submitted_at=now,
                        reviewed_at=now,
                        published_at=now,
                    )
                    events.append(
                        build_event(AuditAction.CREATE, entry, after=snapshot(entry, ENTRY_FIELDS))
                    )
                    changed += 1
                    continue
                before = snapshot(entry, ENTRY_FIELDS)
                if (entry.value, entry.reference, entry.reason, entry.status) == (
                    values["value"],
                    values["reference"],
                    reason,
                    EntryStatus.FINAL,
                ):
                    continue
                entry.value, entry.reference = values["value"], values["reference"]
                entry.score, entry.reason = outcome.score, reason
                entry.status = EntryStatus.FINAL
                entry.published_at = entry.published_at or now
                entry.version += 1
                entry.save()
                events.append(
                    build_event(
                        AuditAction.UPDATE,
                        entry,
                        before=before,
                        after=snapshot(entry, ENTRY_FIELDS),
                    )
                )
                changed += 1
            record_many(events)
    return changed
