"""Demo spot checks and flags, made through the app's own actions.

* 2026-Q1: the office draws 8% of the reviewed entries (seed 20260401, every indicator
  type × department covered) for the inspector 孙强 (`inspector`). Four findings are
  recorded: two 属实, two 不属实 with corrections — one the office confirmed (the score
  changes and the explanation says so), one FGJ objected to, waiting for the office.
* 2026-Q2: FGJ saves two implausible figures (ten times the usual) and submits them;
  with the other departments' submissions checked too, flagged entries wait in the
  office's review queue for an acknowledgment.

* 三定 duties of three 2026 agencies (发改局, 教育局, 民政局), imported as the office's
  Excel file would be, most linked to their individual indicators: each unit keeps one
  duty no indicator covers (职责未覆盖), and some indicators match no duty.
* The negative list: 被上级通报批评 (0.5 per notice, at most 1 a year, recorded by FGJ
  under JK02) and 重大安全事故 (20 per accident, at most 40, YJJ under JF01); FGJ has
  recorded one notice against 教育局 and submitted it for review.

Idempotent: nothing is done when a spot check exists already.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.collection import actions as collection_actions
from jixiao.collection.models import BonusPenaltyEvent, CollectionPeriod, Entry, EntryStatus
from jixiao.collection.scope import slot_for
from jixiao.collection.workflow import Act, BonusTransition, TransitionRefused
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Indicator, IndicatorKind
from jixiao.verification import actions, duties, flags
from jixiao.verification.models import Correction, NegativeItem, SpotCheck

SEED = 20260401


def build_demo(district: Any) -> None:
    office = User.objects.filter(username="office").first()
    inspector = User.objects.filter(username="inspector").first()
    q1 = CollectionPeriod.objects.filter(code="2026-Q1").first()
    if office is None or inspector is None or q1 is None or SpotCheck.objects.exists():
        return
    with acting_as(office):
        check = actions.draw_sample(
            office,
            q1,
            fraction=Decimal("0.08"),
            flag_weight=Decimal(3),
            seed=SEED,
            inspector=inspector,
        )
    _findings(check, office, inspector)
    _flags()
    _duties(office)
    _negative_list(office)


def _findings(check: SpotCheck, office: User, inspector: User) -> None:
    base = (
        check.items.select_related("entry__indicator", "entry__department")
        .filter(
            entry__indicator__method__in=["completion", "schedule_progress", "tiered", "direct"],
            entry__value__gt=0,
            entry__status__in=actions.CORRECTABLE,
        )
        .order_by("entry_id")
    )
    # The confirmed one on an indicator Q2 has no figures for, so that Q1 counts for it.
    confirmed = base.exclude(entry__indicator__entries__period__code="2026-Q2").first()
    # The objected one from a department with a demo account to object.
    with_accounts = User.objects.filter(role="department").values("organization_id")
    objected = (
        base.exclude(pk__in=[confirmed.pk] if confirmed else [])
        .filter(entry__department_id__in=with_accounts)
        .first()
    )
    items = [i for i in (confirmed, objected) if i is not None]
    accurate = check.items.exclude(pk__in=[i.pk for i in items]).order_by("entry_id")[:2]
    with acting_as(inspector):
        for item in accurate:
            actions.record_finding(
                inspector, item, accurate=True, note="现场查看台账和原始记录，与报送一致。"
            )
        for item in items:
            value = item.entry.value or Decimal(0)
            found = (value * Decimal("0.8")).quantize(Decimal("0.01"))
            raw = {"value": str(found)}
            if item.entry.reference is not None:
                raw["reference"] = str(item.entry.reference)
            actions.record_finding(
                inspector,
                item,
                accurate=False,
                note="现场台账与报送数据不一致。",
                raw=raw,
                reason=f"现场核实原始记录，实际完成 {found}，报送 {value.normalize():f} 依据不足。",
            )
    if confirmed is not None:
        with acting_as(office):
            actions.act_on_correction(
                office,
                Correction.objects.get(item=confirmed),
                "confirm",
                "以现场核实的原始记录为准。",
            )
    if objected is not None:
        department = User.objects.filter(
            organization_id=objected.entry.department_id, role="department"
        ).first()
        if department is not None:
            with acting_as(department):
                actions.act_on_correction(
                    department,
                    Correction.objects.get(item=objected),
                    "object",
                    "另有补充台账在档案室，请再次核实。",
                )


def _flags() -> None:
    q2 = CollectionPeriod.objects.filter(code="2026-Q2").first()
    fgj = User.objects.filter(username="fgj").first()
    if q2 is None or fgj is None:
        return
    drafts = list(
        Entry.objects.filter(period=q2, department_id=fgj.organization_id, status=EntryStatus.DRAFT)
        .exclude(value=None)
        .select_related("indicator", "unit")
        .order_by("indicator__code", "unit__code")[:2]
    )
    rows = []
    for entry in drafts:
        slot = slot_for(q2, entry.indicator, entry.unit)
        if slot is None:
            continue
        raw = {"value": str((entry.value or Decimal(0)) * 10)}
        if entry.reference is not None:
            raw["reference"] = str(entry.reference)
        rows.append(
            collection_actions.RowInput(slot, raw, entry.reason or "数据已核对。", entry.version)
        )
    with acting_as(fgj):
        saved = collection_actions.save_rows(fgj, q2, rows).saved if rows else []
        try:
            if saved:
                collection_actions.submit_entries(fgj, saved)
        except TransitionRefused:
            pass  # an incomplete draft stays a draft; its flag still shows in the grid
    # The other departments' submissions were loaded in bulk: check them as a save would.
    flags.flag_entries(
        list(
            Entry.objects.filter(period=q2, status=EntryStatus.SUBMITTED).values_list(
                "pk", flat=True
            )
        )
    )


DUTIES = {
    "FGJ": [
        "拟订并组织实施国民经济和社会发展规划，统筹协调经济社会发展",
        "统筹安排政府投资，审批、核准重大建设项目",
        "推进经济体制改革和优化营商环境",
        "负责全区粮食和物资储备管理",
    ],
    "JYJ": [
        "贯彻执行教育方针政策，拟订全区教育发展规划",
        "统筹推进义务教育均衡发展和学前教育普及",
        "负责全区教师队伍建设和管理",
        "负责学校安全和校园周边环境综合治理",
    ],
    "MZJ": [
        "拟订社会救助规划并组织实施，保障困难群众基本生活",
        "推进养老服务体系建设",
        "负责社会组织登记和监督管理",
        "负责婚姻登记和殡葬管理",
    ],
}


def _duties(office: User) -> None:
    year = AssessmentYear.objects.filter(year=2026).first()
    if year is None:
        return
    units = {o.code: o for o in Organization.objects.filter(code__in=DUTIES)}
    rows = [
        duties.DutyRow(n, units[code], n, text)
        for code, texts in DUTIES.items()
        if code in units
        for n, text in enumerate(texts, start=1)
    ]
    with acting_as(office):
        actions.import_duties(office, year, rows)
        for code, unit in units.items():
            own = [i for i in duties.linkable(year, unit) if i.kind == IndicatorKind.INDIVIDUAL]
            # Every duty but the last gets one indicator; the rest stay unmatched.
            for duty, indicators in zip(
                unit.duties.filter(year=year).order_by("number")[: len(DUTIES[code]) - 1],
                (own[0:1], own[1:2], own[2:3]),
                strict=False,
            ):
                if indicators:
                    actions.link_duty(office, duty, [i.pk for i in indicators], duty.version)


def _negative_list(office: User) -> None:
    year = AssessmentYear.objects.filter(year=2026).first()
    fgj = User.objects.filter(username="fgj").first()
    if year is None or fgj is None:
        return
    leaves = {
        i.code: i
        for i in Indicator.objects.filter(scheme__year=year, code__in=["JK02", "JF01"])
        .select_related("scheme")
        .filter(children__isnull=True)
    }
    items = []
    with acting_as(office):
        for sort, (code, name, points, cap, text) in enumerate(
            [
                ("JK02", "被上级通报批评", "0.5", "1", "工作被市级以上党委、政府通报批评。"),
                ("JF01", "重大安全事故", "20", "40", "发生较大及以上生产安全事故。"),
            ],
            start=1,
        ):
            indicator = leaves.get(code)
            if indicator is None:
                continue
            data = {
                "name": name,
                "indicator": indicator,
                "points": Decimal(points),
                "cap": Decimal(cap),
                "description": text,
                "sort_order": sort,
                "is_active": True,
            }
            items.append(
                actions.save_negative_item(office, NegativeItem(scheme=indicator.scheme), data)
            )
    notice = next((i for i in items if i.name == "被上级通报批评"), None)
    jyj = Organization.objects.filter(code="JYJ").first()
    if notice is None or jyj is None:
        return
    with acting_as(fgj):
        event: BonusPenaltyEvent = actions.record_negative_event(
            fgj,
            notice,
            unit=jyj,
            occurred_on=datetime.date(2026, 4, 20),
            description="校舍维修项目进度滞后，被市政府专项督查通报。",
            document_number="市督查〔2026〕12号",
        )
        BonusTransition(Act.SUBMIT, fgj).execute(event)
