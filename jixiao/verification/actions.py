"""Every write of the verification app: one transaction each, audit rows inside it.

Spot checks: draw → inspector records 属实 / 不属实 (+ correction, photos) → the
department may object once → the office confirms (the entry changes, the working score
run recomputes it through the same path as a recheck answer) or dismisses. Corrections
move through CORRECTION_TABLE with collection's transition resolver.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_update, snapshot
from jixiao.collection import leaf, ledger
from jixiao.collection.evidence import EvidenceRejected, attach, store_upload
from jixiao.collection.models import (
    NOT_YET_SCORED,
    BonusPenaltyEvent,
    CollectionPeriod,
    Entry,
    EntryStatus,
)
from jixiao.collection.scope import DERIVED_METHODS, slot_for
from jixiao.core.concurrency import save_versioned
from jixiao.core.workflow import Rule, TransitionRefused, check_reason, resolve
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Indicator, IndicatorKind
from jixiao.scoring.tasks import schedule_entry_recompute
from jixiao.verification import accuracy, duties, sampling
from jixiao.verification.duties import DutyRow
from jixiao.verification.models import (
    Correction,
    CorrectionStatus,
    Duty,
    EntryFlag,
    FlagThreshold,
    InspectionPhoto,
    ItemStatus,
    NegativeEvent,
    NegativeItem,
    SpotCheck,
    SpotCheckItem,
)

ENTRY_FIELDS = ["value", "reference", "grade", "score", "reason"]
# Entries a confirmed correction may change: reviewed, and no recheck under way.
CORRECTABLE = frozenset({EntryStatus.APPROVED, EntryStatus.PUBLISHED, EntryStatus.FINAL})

C = CorrectionStatus
ACTS = {
    "object": gettext_lazy("提出异议"),
    "confirm": gettext_lazy("确认更正"),
    "dismiss": gettext_lazy("不予采纳"),
}
ACTORS = {
    "office": gettext_lazy("绩效办"),
    "department": gettext_lazy("数据采集单位"),
}
CORRECTION_TABLE: dict[tuple[str, str, str], Rule] = {
    # The department objects once: only from 待部门确认.
    (C.PROPOSED, "object", "department"): Rule(C.OBJECTED, reason_required=True),
    (C.PROPOSED, "confirm", "office"): Rule(C.CONFIRMED),
    (C.OBJECTED, "confirm", "office"): Rule(C.CONFIRMED),
    (C.PROPOSED, "dismiss", "office"): Rule(C.DISMISSED, reason_required=True),
    (C.OBJECTED, "dismiss", "office"): Rule(C.DISMISSED, reason_required=True),
}


# -- the draw -----------------------------------------------------------------------


def population(period: CollectionPeriod) -> tuple[Any, Any, Any, list[tuple[str, int]]]:
    """(ids, strata, flagged, stratum keys) of the period's reviewed entries.

    A stratum is (indicator kind, data department); stratum numbers follow the sorted
    keys so the same population always gives the same numbers."""
    rows = list(
        Entry.objects.filter(period=period)
        .exclude(status__in=NOT_YET_SCORED)
        .exclude(indicator__method__in=DERIVED_METHODS)  # written by the system, not typed
        .values_list("pk", "indicator__kind", "department_id")
        .order_by("pk")
    )
    flagged_ids = set(
        EntryFlag.objects.filter(entry__period=period).values_list("entry_id", flat=True)
    )
    keys = sorted({(kind, dept) for _pk, kind, dept in rows})
    number = {key: i for i, key in enumerate(keys)}
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    strata = np.fromiter((number[(r[1], r[2])] for r in rows), dtype=np.int64, count=len(rows))
    flagged = np.fromiter((r[0] in flagged_ids for r in rows), dtype=bool, count=len(rows))
    return ids, strata, flagged, keys


def draw_sample(
    user: User,
    period: CollectionPeriod,
    *,
    fraction: Decimal,
    flag_weight: Decimal = Decimal(1),
    seed: int | None = None,
    inspector: User | None = None,
) -> SpotCheck:
    if not Decimal(0) < fraction <= Decimal(1):
        raise TransitionRefused(_("抽样比例须大于 0 且不超过 100%。"))
    if inspector is not None and inspector.role != Role.INSPECTOR:
        raise TransitionRefused(_("只能指派察访核验组的人员。"))
    seed = seed if seed is not None else secrets.randbits(62)
    with transaction.atomic():
        ids, strata, flagged, _keys = population(period)
        if len(ids) == 0:
            raise TransitionRefused(_("该采集周期还没有审核通过的数据，无法抽样。"))
        result = sampling.draw(
            ids,
            strata,
            flagged,
            fraction=float(fraction),
            seed=seed,
            flag_weight=float(flag_weight),
        )
        check = SpotCheck.objects.create(
            period=period,
            fraction=fraction,
            flag_weight=flag_weight,
            seed=seed,
            population_size=len(ids),
            population_fingerprint=result.fingerprint,
            strata=result.strata,
            inspector=inspector,
            drawn_by=user,
        )
        SpotCheckItem.objects.bulk_create(
            SpotCheckItem(spot_check=check, entry_id=int(pk)) for pk in result.ids
        )
        record(
            AuditAction.CREATE,
            check,
            after={
                "period": period.code,
                "fraction": str(fraction),
                "flag_weight": str(flag_weight),
                "seed": seed,
                "population": len(ids),
                "fingerprint": result.fingerprint,
                "drawn": len(result.ids),
                "strata": result.strata,
            },
        )
    return check


def redraw(check: SpotCheck) -> tuple[bool, bool]:
    """(population unchanged, same sample) — anyone can audit a draw this way."""
    ids, strata, flagged, _keys = population(check.period)
    result = sampling.draw(
        ids,
        strata,
        flagged,
        fraction=float(check.fraction),
        seed=check.seed,
        flag_weight=float(check.flag_weight),
    )
    drawn = sorted(check.items.values_list("entry_id", flat=True))
    same_population = result.fingerprint == check.population_fingerprint
    return same_population, same_population and drawn == [int(x) for x in result.ids]


# -- the inspector's finding ----------------------------------------------------------


def _attach_photo(upload: Any, user: User, item: SpotCheckItem) -> InspectionPhoto:
    """Through collection's evidence door: checked by content, written on commit, and
    the row removed again if the file cannot be written."""
    return store_upload(upload, user, InspectionPhoto, owner=str(item), item=item)


def record_finding(
    user: User,
    item: SpotCheckItem,
    *,
    accurate: bool,
    note: str,
    raw: Mapping[str, Any] | None = None,
    reason: str = "",
    files: Sequence[Any] = (),
) -> SpotCheckItem:
    """属实, or 不属实 with a correction (new values and reason) for the department."""
    if user.role != Role.INSPECTOR:
        raise TransitionRefused(_("只有察访核验组可以登记核验结论。"))
    if not note.strip():
        raise TransitionRefused(_("请填写核验说明。"))
    with transaction.atomic():
        item = (
            SpotCheckItem.objects.select_for_update(of=("self",))
            .select_related("entry__period__scheme", "entry__indicator", "entry__unit")
            .get(pk=item.pk)
        )
        if item.status != ItemStatus.PENDING:
            raise TransitionRefused(_("该事项已登记核验结论。"))
        before = snapshot(item, ["status", "note"])
        item.status = ItemStatus.ACCURATE if accurate else ItemStatus.INACCURATE
        item.note = note.strip()
        item.checked_by, item.checked_at = user, timezone.now()
        item.version += 1
        item.save()
        record(AuditAction.UPDATE, item, before=before, after=snapshot(item, ["status", "note"]))
        if not accurate:
            values = _evaluate(item.entry, raw or {}, reason)
            correction = Correction.objects.create(
                item=item,
                value=values["value"],
                reference=values["reference"],
                grade=values["grade"],
                reason=reason.strip(),
                proposed_by=user,
            )
            record_create(correction, reason=reason)
        try:
            for upload in files:
                _attach_photo(upload, user, item)
        except EvidenceRejected as error:
            raise TransitionRefused(str(error)) from error
    return item


def _evaluate(entry: Entry, raw: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """The corrected values and score, checked like a department's entry."""
    if not reason.strip():
        raise TransitionRefused(_("不属实时须填写更正理由。"))
    slot = slot_for(entry.period, entry.indicator, entry.unit)
    if slot is None:
        raise TransitionRefused(_("该数据已不在采集范围内。"))
    result = leaf.evaluate(
        slot.indicator,
        slot.points,
        slot.staffing,
        raw,
        heavy_share=entry.period.scheme.heavy_deduction_share,
        reason=reason,
    )
    if not result.complete and result.ok:
        raise TransitionRefused(_("更正后的数据未填写完整。"))
    if not result.ok:
        raise TransitionRefused(result.errors)
    return {
        "value": result.values.get("value"),
        "reference": result.values.get("reference"),
        "grade": result.values.get("grade") or "",
        "score": result.score,
    }


# -- the correction's workflow ----------------------------------------------------------


def correction_actors(user: User, correction: Correction) -> set[str]:
    actors: set[str] = set()
    if user.role == Role.OFFICE:
        actors.add("office")
    if user.role == Role.DEPARTMENT and user.organization_id == correction.item.entry.department_id:
        actors.add("department")
    return actors


def available(user: User, correction: Correction) -> list[str]:
    actors = correction_actors(user, correction)
    return [a for (st, a, who) in CORRECTION_TABLE if st == correction.status and who in actors]


def act_on_correction(
    user: User, correction: Correction, action: str, note: str = ""
) -> Correction:
    """Object (department, once), confirm or dismiss (office)."""
    if action not in ACTS:
        raise TransitionRefused(_("未知的操作。"))
    with transaction.atomic():
        correction = (
            Correction.objects.select_for_update(of=("self",))
            .select_related("item__entry__department", "item__checked_by", "proposed_by")
            .get(pk=correction.pk)
        )
        rule = resolve(
            CORRECTION_TABLE,
            correction.status,
            correction.get_status_display(),
            action,
            correction_actors(user, correction),
            act_label=lambda a: str(ACTS[a]),
            actor_label=lambda a: str(ACTORS[a]),
        )
        check_reason(rule, note, str(ACTS[action]))
        before = correction.status
        now = timezone.now()
        if action == "object":
            correction.objection = note.strip()
            correction.objected_by, correction.objected_at = user, now
        else:
            correction.decision_note = note.strip()
            correction.decided_by, correction.decided_at = user, now
        if action == "confirm":
            _apply(user, correction)
        correction.status = rule.to
        correction.version += 1
        correction.save()
        record(
            AuditAction.TRANSITION,
            correction,
            before={"status": before},
            after={"status": correction.status, "action": action},
            reason=note.strip(),
        )
    return correction


def _apply(user: User, correction: Correction) -> None:
    """Change the entry as a recheck answer does; the working run follows (incremental)."""
    entry = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("period__scheme", "indicator", "unit")
        .get(pk=correction.item.entry_id)
    )
    if entry.status not in CORRECTABLE:
        raise TransitionRefused(
            _("该数据处于“%(s)s”状态，待复核办结后再确认更正。") % {"s": entry.get_status_display()}
        )
    raw = {"value": correction.value, "reference": correction.reference, "grade": correction.grade}
    values = _evaluate(entry, raw, correction.reason)
    before = snapshot(entry, ENTRY_FIELDS)
    inspector = correction.item.checked_by
    # The explanation (得分溯源) shows the entry's 计分说明: it now says who corrected
    # what and why, and keeps the department's own text after it.
    note = _("察访核验更正：%(inspector)s 核验不属实，绩效办 %(office)s 确认；理由：%(reason)s") % {
        "inspector": inspector.display_name if inspector else "",
        "office": user.display_name,
        "reason": correction.reason.rstrip("。"),
    }
    correction.score_before = entry.score
    entry.value, entry.reference, entry.grade = (
        values["value"],
        values["reference"],
        values["grade"],
    )
    entry.score = values["score"]
    entry.reason = f"{note}。{_('原计分说明')}：{before['reason']}" if before["reason"] else note
    entry.version += 1
    entry.save()
    correction.score_after = entry.score
    after = snapshot(entry, ENTRY_FIELDS)
    record(
        AuditAction.UPDATE,
        entry,
        before={k: v for k, v in before.items() if after[k] != v} or None,
        after={k: v for k, v in after.items() if before[k] != v} or None,
        reason=note,
    )
    schedule_entry_recompute(entry.pk)


# -- low accuracy as a deduction ---------------------------------------------------------


def apply_accuracy_rule(user: User, period: CollectionPeriod) -> int:
    """Write the scheme's 核验准确率 indicators' entries from the spot checks so far (see
    `accuracy.py`); the working run recomputes the changed ones. Returns how many."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以将核验准确率计入考核。"))
    with transaction.atomic():
        changed = accuracy.write_entries(period)
        for entry in changed:
            schedule_entry_recompute(entry.pk)
    return len(changed)


# -- flags ------------------------------------------------------------------------------


def acknowledge_flag(user: User, flag: EntryFlag, note: str) -> EntryFlag:
    """The reviewer has looked at the flag and says why the entry may pass."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以确认异常提示。"))
    if not note.strip():
        raise TransitionRefused(_("请填写审核说明。"))
    with transaction.atomic():
        flag = EntryFlag.objects.select_for_update(of=("self",)).get(pk=flag.pk)
        flag.acknowledged_by, flag.acknowledged_at = user, timezone.now()
        flag.note = note.strip()
        flag.save()
        record(
            AuditAction.UPDATE,
            flag.entry,
            after={"flag": flag.reasons, "acknowledged": True},
            reason=_("确认异常提示：%(n)s") % {"n": flag.note},
        )
    return flag


def set_threshold(
    user: User,
    indicator: Any,
    *,
    ceiling: Decimal | None,
    jump_factor: Decimal | None,
    mad_k: Decimal | None,
    allow_negative: bool,
) -> FlagThreshold:
    """Tune one indicator's implausible-entry checks (blank: the default)."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以设置异常提示阈值。"))
    for value in (ceiling, jump_factor, mad_k):
        if value is not None and value <= 0:
            raise TransitionRefused(_("阈值须大于 0。"))
    if jump_factor is not None and jump_factor <= 1:
        raise TransitionRefused(_("跳变倍数须大于 1。"))
    fields = ["ceiling", "jump_factor", "mad_k", "allow_negative"]
    with transaction.atomic():
        row, created = FlagThreshold.objects.select_for_update(of=("self",)).get_or_create(
            indicator=indicator
        )
        before = None if created else snapshot(row, fields)
        row.ceiling, row.jump_factor, row.mad_k = ceiling, jump_factor, mad_k
        row.allow_negative = allow_negative
        row.save()
        record(
            AuditAction.CREATE if created else AuditAction.UPDATE,
            row,
            before=before,
            after=snapshot(row, fields),
        )
    return row


# -- 三定 duties --------------------------------------------------------------------------


def import_duties(user: User, year: AssessmentYear, rows: Sequence[DutyRow]) -> dict[str, int]:
    """Replace the duties of every unit in the file (all rows already valid): a number
    kept keeps its links, a new number is added, a number no longer listed is removed."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以导入三定职责。"))
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    with transaction.atomic():
        unit_ids = {r.unit.pk for r in rows}
        existing = {
            (d.unit_id, d.number): d
            for d in Duty.objects.select_for_update(of=("self",)).filter(
                year=year, unit_id__in=unit_ids
            )
        }
        listed = {(r.unit.pk, r.number) for r in rows}
        for row in rows:
            duty = existing.get((row.unit.pk, row.number))
            if duty is None:
                duty = Duty.objects.create(
                    year=year, unit=row.unit, number=row.number, text=row.text
                )
                record_create(duty, reason=_("导入三定职责"))
                counts["created"] += 1
            elif duty.text != row.text:
                before = snapshot(duty, ["text"])
                duty.text = row.text
                duty.version += 1
                duty.save(update_fields=["text", "version"])
                record_update(duty, before, reason=_("导入三定职责"))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        for key, duty in existing.items():
            if key not in listed:
                record(
                    AuditAction.DELETE,
                    duty,
                    before={"number": duty.number, "text": duty.text},
                    reason=_("导入三定职责：文件中已无此序号"),
                )
                duty.delete()
                counts["deleted"] += 1
    return counts


def link_duty(user: User, duty: Duty, indicator_ids: Sequence[int], expected_version: int) -> Duty:
    """Set the indicators that assess one duty (only those that apply to its unit)."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以设置职责对应的指标。"))
    allowed = {i.pk: i for i in duties.linkable(duty.year, duty.unit)}
    unknown = [pk for pk in indicator_ids if pk not in allowed]
    if unknown:
        raise TransitionRefused(_("所选指标不适用于该单位，请刷新后重新选择。"))
    with transaction.atomic():
        before = sorted(duty.indicators.values_list("code", flat=True))
        save_versioned(duty, expected_version, [])
        duty.indicators.set([allowed[pk] for pk in indicator_ids])
        after = sorted(allowed[pk].code for pk in indicator_ids)
        record(
            AuditAction.UPDATE,
            duty,
            before={"indicators": "、".join(before)},
            after={"indicators": "、".join(after)},
        )
    return duty


# -- the negative list (负面清单) ------------------------------------------------------------

NEGATIVE_FIELDS = ["name", "indicator", "points", "cap", "description", "sort_order", "is_active"]


def save_negative_item(
    user: User, item: NegativeItem, data: Mapping[str, Any], expected_version: int | None = None
) -> NegativeItem:
    """Add or change one behaviour of the list (office). Its ledger leaf must be a
    bonus–penalty leaf of the same scheme."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以设置负面清单。"))
    indicator: Indicator = data["indicator"]
    if (
        indicator.scheme_id != item.scheme_id
        or indicator.kind != IndicatorKind.BONUS_PENALTY
        or indicator.children.exists()
    ):
        raise TransitionRefused(_("负面清单事项须计入本年度方案中的加扣分指标（末级）。"))
    if indicator.owner_id is None:
        raise TransitionRefused(_("该加扣分指标未设置数据采集单位，无人可以登记。"))
    before = snapshot(item, NEGATIVE_FIELDS) if item.pk else None
    for name in NEGATIVE_FIELDS:
        setattr(item, name, data[name])
    with transaction.atomic():
        if before is None:
            item.save()
            record_create(item)
        else:
            save_versioned(
                item,
                expected_version if expected_version is not None else item.version,
                NEGATIVE_FIELDS,
            )
            record_update(item, before)
    return item


def negative_used(item: NegativeItem, unit_id: int) -> Decimal:
    """Points already deducted from the unit for this behaviour (events not sent back)."""
    total = (
        BonusPenaltyEvent.objects.counting()
        .filter(negative__item=item, unit_id=unit_id)
        .aggregate(total=Sum("points"))["total"]
    )
    return -(total or Decimal(0))


def record_negative_event(
    user: User,
    item: NegativeItem,
    *,
    unit: Organization,
    occurred_on: Any,
    description: str,
    document_number: str = "",
    files: Sequence[Any] = (),
) -> BonusPenaltyEvent:
    """A draft ledger event of the item's department, deducting the item's points (no
    more than what is left under the item's cap), with its evidence. It is then
    submitted and reviewed like any ledger event (collection/ledger.py)."""
    if not item.is_active:
        raise TransitionRefused(_("该负面清单事项已停用。"))
    if not description.strip():
        raise TransitionRefused(_("请填写事由。"))
    with transaction.atomic():
        # One unit's running total per item: lock the item so two records cannot both fit.
        item = (
            NegativeItem.objects.select_for_update(of=("self",))
            .select_related("indicator")
            .get(pk=item.pk)
        )
        points = item.points
        note = _("负面清单“%(name)s”：每次扣 %(points)s 分") % {
            "name": item.name,
            "points": _plain(item.points),
        }
        if item.cap is not None:
            used = negative_used(item, unit.pk)
            left = item.cap - used
            if left <= 0:
                raise TransitionRefused(
                    _("%(unit)s本年度“%(name)s”已扣满 %(cap)s 分（上限），不再扣分。")
                    % {"unit": unit.name, "name": item.name, "cap": _plain(item.cap)}
                )
            note += _("，全年最多扣 %(cap)s 分，已扣 %(used)s 分") % {
                "cap": _plain(item.cap),
                "used": _plain(used),
            }
            if left < points:
                points = left
                note += _("，本次按上限计 %(n)s 分") % {"n": _plain(left)}
        data = {
            "indicator": item.indicator,
            "unit": unit,
            "points": -points,
            "document_number": document_number.strip(),
            "occurred_on": occurred_on,
            "description": f"{note}。{description.strip()}",
        }
        try:
            event = ledger.save_event(user, BonusPenaltyEvent(), data)
        except ledger.LedgerError as error:
            raise TransitionRefused(str(error)) from error
        NegativeEvent.objects.create(event=event, item=item)
        try:
            for upload in files:
                attach(upload, user, bonus_event=event)
        except EvidenceRejected as error:
            raise TransitionRefused(str(error)) from error
    return event


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
