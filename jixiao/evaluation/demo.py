"""Demo evaluations: every evaluation score of the demo years comes from here.

Runs before the scoring demo (INSTALLED_APPS order), after collection's. Per year:

* a ballot round for the evaluation leaves (领导评价, 基层评议, 作风效能调查, 群众满意度调查
  …): groups 区领导 and 特邀监察员 (all categories) and 基层单位 (agencies only), weights
  50/30/20 (60/40 where 基层单位 does not rate), 2026 with sub-items on 区四套班子领导评价
  and trimmed means; ballots cast through one-time codes (and the demo 评议人 account
  赵敏 in 2026), closed, published;
* a satisfaction round for 服务对象点击评价器: a QR window per street plus two named
  windows, a few thousand ratings, and in 2026 a burst of identical comments from one
  address that intake quarantined;
* forced distribution on 党建工作综合评价 (a qualitative grade indicator scored by 区委组织部),
  warn-and-penalise: 组织部's all-A grades break it, so it has a breach and a −0.2 event
  (approved in 2025, awaiting review in 2026) and is listed for the next year.

Scores derive from the codes (collection's `performance` levels plus a hash), so the
demo is deterministic. Idempotent: a year with rounds is left as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.demo import TWINS, performance
from jixiao.collection.models import BonusPenaltyStatus, CollectionPeriod
from jixiao.collection.workflow import Act, BonusTransition, TransitionRefused
from jixiao.evaluation import actions, intake, marks, qualitative
from jixiao.evaluation.models import (
    DistributionPolicy,
    DistributionSetting,
    Round,
    RoundSource,
)
from jixiao.evaluation.public_models import (
    RatingStatus,
    SatisfactionRating,
    ServiceWindow,
    new_window_code,
)
from jixiao.evaluation.scope import Layout, layout_for
from jixiao.org.models import AssessmentYear, UnitCategory, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorKind, IndicatorPoints, Scheme

AGENCY_CATEGORIES = ("DQ", "ZF")
CLICK = "点击评价器"
BURST_COMMENT = "排队时间太长，工作人员态度差"


def _u(*parts: str) -> float:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16) / 16**8


def build_demo(district: Any) -> None:
    office = User.objects.filter(username="office").first()
    for scheme in Scheme.objects.select_related("year").order_by("year__year"):
        if Round.objects.filter(scheme=scheme).exists():
            continue
        leaves = list(
            Indicator.objects.filter(
                scheme=scheme, kind=IndicatorKind.EVALUATION, method="evaluation"
            ).filter(children__isnull=True)
        )
        if not leaves:
            continue
        year = scheme.year
        ballots = [i for i in leaves if CLICK not in i.name]
        clicks = [i for i in leaves if CLICK in i.name]
        if ballots:
            _ballot_round(scheme, year, ballots)
        if clicks:
            _satisfaction_round(scheme, year, clicks)
        _distribution(scheme, office)
        # The office's 带入本年度方案 (breaches page): last year's marks beside the indicator.
        previous = Scheme.objects.filter(year__year=year.year - 1).first()
        if previous is not None:
            marks.carry_marks(scheme, previous)


# Ballots ------------------------------------------------------------------------------


def _ballot_round(scheme: Scheme, year: AssessmentYear, leaves: list[Indicator]) -> None:
    new = year.year >= 2026
    round_ = actions.create_round(
        Round(
            year=year,
            scheme=scheme,
            name=f"{year.year} 年度领导评价与社会评议",
            trim=1 if new else 0,
            min_ballots=5,
        )
    )
    categories = list(UnitCategory.objects.filter(year=year))
    agencies = [c for c in categories if c.code in AGENCY_CATEGORIES]
    leaders = actions.add_group(round_, "区领导", categories)
    grassroots = actions.add_group(round_, "基层单位", agencies)
    supervisors = actions.add_group(round_, "特邀监察员", categories)
    applies = set(
        IndicatorPoints.objects.filter(indicator__in=leaves).values_list(
            "indicator_id", "category__code"
        )
    )
    for indicator in leaves:
        ri = actions.add_indicator(round_, indicator)
        for_agencies = any((indicator.pk, c) in applies for c in AGENCY_CATEGORIES)
        weights = (
            {leaders: Decimal(50), grassroots: Decimal(30), supervisors: Decimal(20)}
            if for_agencies
            else {leaders: Decimal(60), supervisors: Decimal(40)}
        )
        actions.set_weights(ri, weights)
        if new and indicator.code == "DX01":
            actions.set_items(ri, [("工作实绩", Decimal(60)), ("作风建设", Decimal(40))])
    sizes = (
        {leaders: 6, grassroots: 8, supervisors: 5}
        if new
        else {
            leaders: 5,
            grassroots: 6,
            supervisors: 5,
        }
    )
    reviewers = []
    for group, n in sizes.items():
        reviewers += actions.issue_codes(round_, group, n)
    account = User.objects.filter(username="reviewer").first()
    if new and account is not None:
        reviewers += actions.add_reviewer_accounts(round_, supervisors, [account])
    actions.open_round(round_)
    layouts: dict[tuple[int, int | None], Layout] = {}
    for i, reviewer in enumerate(reviewers):
        key = (reviewer.group_id, reviewer.organization_id)
        layout = layouts.get(key) or layouts.setdefault(key, layout_for(reviewer))
        post = {}
        for screen in layout.screens:
            for column in screen.columns:
                for unit in screen.units:
                    post[actions.cell_name(column.key, unit.pk)] = _score(
                        unit.code, column.key, i, year.year, screen.category.scale
                    )
        actions.cast_ballot(reviewer, post, layout)
    actions.close_round(round_)
    actions.publish_round(round_)


def _score(unit_code: str, column: str, ballot: int, year: int, scale: int) -> str:
    """Around 80 … 96 by the unit's level (a little flatter on the 1000-point streets, whose
    totals stay below 975); twins (collection's TWINS) score alike."""
    code = TWINS.get(unit_code, unit_code)
    level = performance(code, year)
    noise = _u("ballot", code, column, str(ballot), str(year)) - 0.5
    base, spread = (80, 14) if scale == 1000 else (80, 17)
    return f"{min(max(base + spread * level + 10 * noise, 70), 99):.1f}"


# Satisfaction -------------------------------------------------------------------------


def _satisfaction_round(scheme: Scheme, year: AssessmentYear, leaves: list[Indicator]) -> None:
    categories = IndicatorPoints.objects.filter(indicator__in=leaves).values("category_id")
    units = [
        e.unit
        for e in UnitEnrollment.objects.filter(year=year, category_id__in=categories)
        .select_related("unit")
        .order_by("unit__code")
    ]
    windows = _windows(units)
    _ratings(windows, year.year)
    round_ = actions.create_round(
        Round(
            year=year,
            scheme=scheme,
            name=f"{year.year} 年度服务对象点击评价",
            source=RoundSource.SATISFACTION,
        )
    )
    for indicator in leaves:
        actions.add_indicator(round_, indicator)
    actions.open_round(round_)
    actions.close_round(round_)
    actions.publish_round(round_)


def _windows(units: list[Any]) -> list[ServiceWindow]:
    have = {(w.unit_id, w.name): w for w in ServiceWindow.objects.filter(unit__in=units)}
    wanted = [(u, "") for u in units]
    if units:
        wanted += [(units[0], "便民服务中心综合窗口"), (units[0], "社保医保窗口")]
    out = []
    for unit, name in wanted:
        window = have.get((unit.pk, name))
        if window is None:
            code = "d" + hashlib.sha256(f"{unit.code}|{name}".encode()).hexdigest()[:5]
            code = (
                code if not ServiceWindow.objects.filter(code=code).exists() else new_window_code()
            )
            window = ServiceWindow.objects.create(
                unit=unit,
                name=name,
                code=code,
                items="户籍办理\n社保医保\n民政救助" if name else "",
            )
        out.append(window)
    return out


def _ratings(windows: list[ServiceWindow], year: int) -> None:
    """A few thousand ratings over the year so far, better where the unit performs well."""
    today = timezone.localdate()
    last = min(date(year, 12, 31), today - timedelta(days=1))
    first = date(year, 1, 1)
    span = (last - first).days + 1
    per_window = 140 if year >= 2026 else 90
    rows = []
    for window in windows:
        twin = TWINS.get(window.unit.code, window.unit.code)
        level = performance(twin, year)
        for n in range(per_window):
            key = (twin, window.name, str(year), str(n))
            day = first + timedelta(days=int(_u("d", *key) * span))
            r = _u("c", *key) + 0.2 * (level - 0.5)
            choice = 5 if r > 0.5 else 4 if r > 0.08 else 3 if r > 0.02 else 2 if r > 0 else 1
            rows.append(
                SatisfactionRating(
                    window=window,
                    unit_id=window.unit_id,
                    day=day,
                    device=hashlib.sha256("|".join((window.code, *key)).encode()).hexdigest()[:24],
                    choice=choice,
                    comment="办事效率高，服务热情" if n % 37 == 0 and choice >= 4 else "",
                    address=f"10.8.{n % 250}.{(n * 7) % 250 + 1}",
                    status=RatingStatus.ACCEPTED,
                )
            )
    SatisfactionRating.objects.bulk_create(rows, batch_size=2000)
    if year >= 2026 and windows:
        _burst(windows[-1], last)


def _burst(window: ServiceWindow, day: date) -> None:
    """Forty identical one-star ratings from one address: intake quarantines the repeats."""
    cache.delete_many([f"jx:sat:addr:10.99.1.7:{b}" for b in (0, 1)])
    for n in range(40):
        try:
            intake.accept(
                window,
                device=f"burst-{n}",
                choice=1,
                item="",
                comment=BURST_COMMENT,
                address="10.99.1.7",
                day=day,
                bucket=1,
            )
        except intake.RatingRefused:
            break


# Forced distribution in collection ------------------------------------------------------


def _distribution(scheme: Scheme, office: User | None) -> None:
    indicator = Indicator.objects.filter(scheme=scheme, code="SJ202", is_qualitative=True).first()
    penalty = Indicator.objects.filter(
        scheme=scheme, code="JK01", kind=IndicatorKind.BONUS_PENALTY
    ).first()
    if indicator is None or indicator.owner is None:
        return
    DistributionSetting.objects.get_or_create(
        indicator=indicator,
        defaults={"policy": DistributionPolicy.PENALISE, "penalty_indicator": penalty},
    )
    period = (
        CollectionPeriod.objects.filter(scheme=scheme, kind=indicator.period)
        .order_by("-ends_on")
        .first()
    )
    if period is None:
        return
    # The department's scores as the collection demo entered them (mostly A = full marks).
    qualitative.check_department(indicator.owner, period, {indicator.pk})
    if scheme.year.year < 2026 and office is not None:
        from jixiao.evaluation.models import DistributionBreach

        for breach in DistributionBreach.objects.filter(scheme=scheme, event__isnull=False):
            event = breach.event
            if event is not None and event.status == BonusPenaltyStatus.SUBMITTED:
                with contextlib.suppress(TransitionRefused):
                    BonusTransition(Act.APPROVE, office).execute(event)
