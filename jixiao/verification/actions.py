"""Every write of the verification app: one transaction each, audit rows inside it.

Spot checks: draw → inspector records 属实 / 不属实 (+ correction, photos) → the
department may object once → the office confirms (the entry changes, the working score
run recomputes it through the same path as a recheck answer) or dismisses. Corrections
move through CORRECTION_TABLE with collection's transition resolver.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, snapshot
from jixiao.collection import leaf
from jixiao.collection.evidence import EvidenceRejected, inspect_upload
from jixiao.collection.models import NOT_YET_SCORED, CollectionPeriod, Entry, EntryStatus
from jixiao.collection.scope import slot_for
from jixiao.core.workflow import Rule, TransitionRefused, check_reason, resolve
from jixiao.scoring.tasks import schedule_entry_recompute
from jixiao.verification import sampling
from jixiao.verification.models import (
    Correction,
    CorrectionStatus,
    EntryFlag,
    FlagThreshold,
    InspectionPhoto,
    ItemStatus,
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
    """Through collection's evidence door (type by content, size), written on commit."""
    data, mime, extension = inspect_upload(upload)
    name = (getattr(upload, "name", "") or "file").replace("\\", "/").rsplit("/", 1)[-1]
    photo = InspectionPhoto(
        item=item,
        original_name=name[:200],
        content_type=mime,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    photo.file.name = photo.file.field.generate_filename(photo, name)
    photo.save()
    record(AuditAction.CREATE, photo, after={"name": photo.original_name, "sha256": photo.sha256})
    transaction.on_commit(partial(_write, photo.file.name, data))
    return photo


def _write(name: str, data: bytes) -> None:
    InspectionPhoto._meta.get_field("file").storage.save(name, ContentFile(data))


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


# -- flags ------------------------------------------------------------------------------


def acknowledge_flag(user: User, flag: EntryFlag, note: str) -> EntryFlag:
    """The reviewer has looked at the flag and says why the entry may pass."""
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以确认异常提示。"))
    if not note.strip():
        raise TransitionRefused(_("请填写审核说明。"))
    with transaction.atomic():
        flag = EntryFlag.objects.select_for_update().get(pk=flag.pk)
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
        row, created = FlagThreshold.objects.select_for_update().get_or_create(indicator=indicator)
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
