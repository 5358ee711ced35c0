"""Low spot-check accuracy as a deduction (核验准确率扣分): the scoring input of the
scheme's `spot_accuracy` indicators.

The rule itself is the engine's method (`scoring/engine/methods.py`, parameters on the
scheme leaf); this module derives its inputs the way published evaluation rounds derive
theirs (`evaluation/results.py`): one final entry per (indicator, assessed unit) in the
period, value = entries found 不属实, reference = entries checked, reason = where the
counts come from. The loader reads it like any entry, so the report card and 得分溯源
show the counts, the accuracy and the deduction.

Counts are cumulative over the year: every spot check of the scheme's periods ending no
later than this period. An item found 不属实 whose correction the office dismissed (未采纳)
counts as 属实: the office overruled the inspector. A unit with nothing checked gets an
entry too (full marks, "未抽查核验"), never a missing figure.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record_many, snapshot
from jixiao.collection import leaf
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus
from jixiao.collection.scope import slots_for
from jixiao.collection.workflow import TransitionRefused
from jixiao.scheme.models import Indicator
from jixiao.scoring.engine.methods import SPOT_ACCURACY
from jixiao.verification.models import CorrectionStatus, ItemStatus, SpotCheckItem

ENTRY_FIELDS = ["value", "reference", "score", "reason", "status"]


def rule_indicators(period: CollectionPeriod) -> list[Indicator]:
    return list(
        Indicator.objects.filter(scheme_id=period.scheme_id, method=SPOT_ACCURACY)
        .filter(children__isnull=True)
        .order_by("sort_order", "code")
    )


def counts(period: CollectionPeriod) -> tuple[Counter[int], Counter[int]]:
    """(checked, found 不属实) per data department, over the year up to this period."""
    items = SpotCheckItem.objects.filter(
        spot_check__period__scheme_id=period.scheme_id,
        spot_check__period__ends_on__lte=period.ends_on,
    ).exclude(status=ItemStatus.PENDING)
    checked: Counter[int] = Counter()
    wrong: Counter[int] = Counter()
    rows = items.values_list("entry__department_id", "status", "correction__status")
    for department_id, status, correction in rows:
        checked[department_id] += 1
        if status == ItemStatus.INACCURATE and correction != CorrectionStatus.DISMISSED:
            wrong[department_id] += 1
    return checked, wrong


def write_entries(period: CollectionPeriod) -> list[Entry]:
    """Upsert the rule's entries for every unit the indicators apply to; the changed ones."""
    indicators = rule_indicators(period)
    if not indicators:
        raise TransitionRefused(_("本年度考核方案中没有“核验准确率”计分方法的指标。"))
    for indicator in indicators:
        if indicator.owner_id is None:
            raise TransitionRefused(_("指标“%(i)s”未设置数据采集单位。") % {"i": indicator.name})
    checked, wrong = counts(period)
    heavy = period.scheme.heavy_deduction_share
    now = timezone.now()
    existing = {
        (e.indicator_id, e.unit_id): e
        for e in Entry.objects.filter(period=period, indicator__in=indicators)
    }
    new: list[Entry] = []
    changed: list[tuple[Entry, dict[str, object] | None]] = []
    for slot in slots_for(period, indicators):
        n, w = checked[slot.unit.pk], wrong[slot.unit.pk]
        raw = {"value": Decimal(w), "reference": Decimal(n)}
        basis = _(
            "察访核验：截至%(period)s，核验本单位报送数据 %(n)d 条，不属实 %(w)d 条"
            "（绩效办未采纳的更正按属实计）。"
        ) % {"period": period.name, "n": n, "w": w}
        outcome = leaf.evaluate(
            slot.indicator, slot.points, None, raw, heavy_share=heavy, reason=basis
        )
        if not outcome.ok or outcome.score is None:
            raise TransitionRefused(outcome.errors or [_("核验准确率无法计分。")])
        reason = basis + outcome.formula
        entry = existing.get(slot.key)
        if entry is None:
            entry = Entry(
                period=period,
                indicator=slot.indicator,
                unit=slot.unit,
                department_id=slot.indicator.owner_id or 0,  # checked above
                status=EntryStatus.FINAL,
                entered_at=now,
                submitted_at=now,
                reviewed_at=now,
                published_at=now,
            )
            before = None
        else:
            before = snapshot(entry, ENTRY_FIELDS)
            if (entry.value, entry.reference, entry.reason) == (w, n, reason):
                continue
        entry.value, entry.reference = raw["value"], raw["reference"]
        entry.score, entry.reason, entry.status = outcome.score, reason, EntryStatus.FINAL
        if before is None:
            new.append(entry)
        else:
            entry.version += 1
            changed.append((entry, before))
    Entry.objects.bulk_create(new, batch_size=500)
    for entry, _before in changed:
        entry.save(update_fields=[*ENTRY_FIELDS, "version", "updated_at"])
    record_many(
        [build_event(AuditAction.CREATE, e, after=snapshot(e, ENTRY_FIELDS)) for e in new]
        + [
            build_event(AuditAction.UPDATE, e, before=b, after=snapshot(e, ENTRY_FIELDS))
            for e, b in changed
        ]
    )
    return new + [e for e, _b in changed]
