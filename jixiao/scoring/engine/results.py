"""Result application (结果运用), pure: grades, awards, warnings, coefficients, statistics and
quarterly accumulation. Everything works on the published 2-decimal totals and the
competition ranks of one category (`CategoryResult.units`).

Ties are never split: a group of tied units is always treated alike. Whether a tied group
straddling a boundary goes in or out is each rule's `tie_policy`:

* ``"exclude"`` — the group is left out unless all of it fits (a quota is a ceiling,
  "不超过30%"); the default for shares such as 优秀 = top 30%.
* ``"include"`` — the group is taken in if any of it fits; the default for counts such as
  后两位 and 争先.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .compute import UnitScore
from .fixed import HIGH, q2
from .types import LastYear

EXCLUDE = "exclude"
INCLUDE = "include"

EXCELLENT = "优秀"
DEFAULT_GRADE = "合格"
FOURTH_GRADE = "第四等次"
AWARD_MODEL = "标兵"
AWARD_EXCELLENT = "优秀"
AWARD_ADVANCE = "争先"
WARNING_BOTTOM = "bottom_two"
WARNING_BOTTOM_TWICE = "bottom_two_consecutive"


def quota(n: int, share: Decimal, rounding: str = "floor") -> int:
    """How many units a share of n allows: floor(n × share) by default (30% of 7 -> 2), or
    half up (30% of 5 -> 2; 30% of 7 -> 2; 30% of 9 -> 3) with rounding="half_up"."""
    mode = ROUND_FLOOR if rounding == "floor" else ROUND_HALF_UP
    return int((Decimal(n) * share).quantize(Decimal(1), rounding=mode, context=HIGH))


def _groups(units: Sequence[UnitScore]) -> list[list[UnitScore]]:
    """Tied groups, best rank first."""
    ordered = sorted(units, key=lambda u: (u.rank, u.unit_code))
    groups: list[list[UnitScore]] = []
    for unit in ordered:
        if groups and groups[-1][0].rank == unit.rank:
            groups[-1].append(unit)
        else:
            groups.append([unit])
    return groups


def select_top(units: Sequence[UnitScore], count: int, tie_policy: str = EXCLUDE) -> list[str]:
    """Codes of the best `count` units, ties never split (see module doc)."""
    chosen: list[str] = []
    taken = 0
    for group in _groups(units):
        first = taken + 1
        last = taken + len(group)
        fits = last <= count if tie_policy == EXCLUDE else first <= count
        if not fits:
            break
        chosen.extend(u.unit_code for u in group)
        taken = last
    return chosen


def select_bottom(units: Sequence[UnitScore], count: int, tie_policy: str = INCLUDE) -> list[str]:
    """Codes of the worst `count` units (后N位), ties never split (see module doc)."""
    chosen: list[str] = []
    taken = 0
    for group in reversed(_groups(units)):
        first = taken + 1
        last = taken + len(group)
        fits = last <= count if tie_policy == EXCLUDE else first <= count
        if not fits:
            break
        chosen.extend(u.unit_code for u in group)
        taken = last
    return sorted(chosen)


# Grades 等次 ---------------------------------------------------------------


@dataclass(frozen=True)
class GradeBand:
    """A grade given from the top: the best `top_share` of the category (cumulative, so
    bands can be 30% then 80%) or `top_count` units, optionally only at `min_total`+."""

    label: str
    top_share: Decimal | None = None
    top_count: int | None = None
    min_total: Decimal | None = None


@dataclass(frozen=True)
class BottomBand:
    """A grade given from the bottom (e.g. 第四等次, TX): the worst `bottom_count` units
    and/or every unit below `below_total`."""

    label: str = FOURTH_GRADE
    bottom_count: int | None = None
    below_total: Decimal | None = None
    tie_policy: str = INCLUDE


@dataclass(frozen=True)
class GradeRules:
    bands: tuple[GradeBand, ...] = (GradeBand(EXCELLENT, top_share=Decimal("0.30")),)
    default_label: str = DEFAULT_GRADE
    bottom: BottomBand | None = None
    quota_rounding: str = "floor"
    tie_policy: str = EXCLUDE


def assign_grades(units: Sequence[UnitScore], rules: GradeRules | None = None) -> dict[str, str]:
    """Grade of every unit of one category. The bottom band is decided first; a unit in it
    gets no top band. Then each top band, in order, over the remaining units."""
    rules = rules or GradeRules()
    n = len(units)
    grades: dict[str, str] = {}
    if rules.bottom is not None:
        bottom = rules.bottom
        codes: set[str] = set()
        if bottom.bottom_count:
            codes.update(select_bottom(units, bottom.bottom_count, bottom.tie_policy))
        if bottom.below_total is not None:
            codes.update(u.unit_code for u in units if u.total < bottom.below_total)
        for code in codes:
            grades[code] = bottom.label
    for band in rules.bands:
        limit = n
        if band.top_share is not None:
            limit = min(limit, quota(n, band.top_share, rules.quota_rounding))
        if band.top_count is not None:
            limit = min(limit, band.top_count)
        totals = {u.unit_code: u.total for u in units}
        for code in select_top(units, limit, rules.tie_policy):
            if code in grades:
                continue
            if band.min_total is not None and totals[code] < band.min_total:
                continue
            grades[code] = band.label
    for unit in units:
        grades.setdefault(unit.unit_code, rules.default_label)
    return grades


# Awards 标兵 / 优秀 / 争先 (ZJG) ---------------------------------------------


@dataclass(frozen=True)
class AwardRules:
    model_count: int = 1
    excellent_share: Decimal | None = Decimal("0.30")
    excellent_count: int | None = None
    advance_count: int = 1
    min_rise: int = 1
    #: Units in the bottom N (后两位) may not be awarded (取消评优资格).
    ineligible_bottom: int = 2
    quota_rounding: str = "floor"


@dataclass(frozen=True)
class Award:
    unit_code: str
    award: str
    reason: str


def assign_awards(
    units: Sequence[UnitScore],
    last_year: Mapping[str, LastYear] | None = None,
    rules: AwardRules | None = None,
) -> list[Award]:
    """标兵 = best `model_count`; 优秀 = next up to the top `excellent_share` (cumulative);
    争先 = the largest rise in rank against last year among the others (ties included).
    One award per unit; the units warned as the bottom `ineligible_bottom` (`bottom_warned`,
    the same set that `warnings_for` warns) get none."""
    rules = rules or AwardRules()
    last_year = last_year or {}
    n = len(units)
    # Barred exactly when warned (取消评优资格 is part of the 后N位 warning): one rule.
    barred = set(bottom_warned(units, rules.ineligible_bottom))
    eligible = [u for u in units if u.unit_code not in barred]
    awards: list[Award] = []
    given: set[str] = set()
    for code in select_top(eligible, rules.model_count, EXCLUDE):
        awards.append(Award(code, AWARD_MODEL, "类别内综合得分最高"))
        given.add(code)
    limit = n
    if rules.excellent_share is not None:
        limit = min(limit, quota(n, rules.excellent_share, rules.quota_rounding))
    if rules.excellent_count is not None:
        limit = min(limit, rules.excellent_count)
    for code in select_top(eligible, limit, EXCLUDE):
        if code not in given:
            awards.append(Award(code, AWARD_EXCELLENT, "类别内综合得分靠前"))
            given.add(code)
    rises: list[tuple[int, UnitScore]] = []
    for unit in eligible:
        previous = last_year.get(unit.unit_code)
        if unit.unit_code in given or previous is None or previous.rank is None:
            continue
        rise = previous.rank - unit.rank
        if rise >= rules.min_rise:
            rises.append((rise, unit))
    rises.sort(key=lambda item: (-item[0], item[1].unit_code))
    taken = 0
    index = 0
    while index < len(rises) and taken < rules.advance_count:
        rise = rises[index][0]
        group = [u for r, u in rises if r == rise]
        for unit in group:
            awards.append(Award(unit.unit_code, AWARD_ADVANCE, f"排名较上年上升 {rise} 位"))
        taken += len(group)
        index += len(group)
    order = {AWARD_MODEL: 0, AWARD_EXCELLENT: 1, AWARD_ADVANCE: 2}
    awards.sort(key=lambda a: (order[a.award], a.unit_code))
    return awards


# Warnings 后两位 (ZJG) ------------------------------------------------------


@dataclass(frozen=True)
class UnitWarning:
    unit_code: str
    kind: str
    message: str


def bottom_warned(units: Sequence[UnitScore], bottom_count: int) -> list[str]:
    """Codes of the units warned as the category's bottom `bottom_count` (后N位).

    A unit is in the bottom N when fewer than N units of its category rank below it, so a
    tie at the boundary is warned whole. A warning needs someone ranked above: when that
    set would be the whole category — N or more units in all, or everyone tied — nobody
    is warned (and so nobody loses award eligibility for it)."""
    if bottom_count <= 0:
        return []
    chosen = select_bottom(units, bottom_count, INCLUDE)
    return [] if len(chosen) >= len(units) else chosen


def warnings_for(
    units: Sequence[UnitScore],
    last_year: Mapping[str, LastYear] | None = None,
    bottom_count: int = 2,
    consecutive: bool = True,
) -> list[UnitWarning]:
    """The bottom `bottom_count` of the category (`bottom_warned`: 诫勉谈话, 取消评优资格)
    and, among them, those also warned last year under last year's rules
    (`LastYear.warned`; 连续两年位居后列: 组织处理)."""
    last_year = last_year or {}
    result = []
    for code in bottom_warned(units, bottom_count):
        result.append(
            UnitWarning(
                code, WARNING_BOTTOM, f"位于所属类别后{bottom_count}位：取消评优资格，诫勉谈话"
            )
        )
        previous = last_year.get(code)
        if consecutive and previous is not None and previous.warned:
            result.append(
                UnitWarning(
                    code, WARNING_BOTTOM_TWICE, "连续两年位居所属类别后列：对主要领导予以组织处理"
                )
            )
    return result


# Coefficients 考核系数 (YQ) -------------------------------------------------


@dataclass(frozen=True)
class CoefficientRules:
    by_grade: Mapping[str, Decimal]
    #: Category factor, e.g. front-line (招商、产业、发改) categories above 1.
    category_factor: Mapping[str, Decimal] = field(default_factory=dict)
    #: 末位零绩效: the last-ranked unit(s) of the category get coefficient 0.
    last_place_zero: bool = False


def coefficients(
    units: Sequence[UnitScore], grades: Mapping[str, str], rules: CoefficientRules
) -> dict[str, Decimal]:
    """考核系数 = grade coefficient × category factor (0 for 末位 when configured)."""
    worst = max((u.rank for u in units), default=0)
    result = {}
    for unit in units:
        factor = rules.category_factor.get(unit.category_code, Decimal(1))
        value = rules.by_grade.get(grades[unit.unit_code], Decimal(0)) * factor
        if rules.last_place_zero and unit.rank == worst and len(units) > 1:
            value = Decimal(0)
        result[unit.unit_code] = value
    return result


def award_amounts(coefficient_by_unit: Mapping[str, Decimal], base: Decimal) -> dict[str, Decimal]:
    """Award (e.g. 年终一次性综合考核奖励) = base × coefficient, ROUND_HALF_UP to the cent."""
    return {code: q2(base * value) for code, value in sorted(coefficient_by_unit.items())}


# Statistics (LW) -----------------------------------------------------------


@dataclass(frozen=True)
class ShareStat:
    count: int
    total: int
    share: Decimal


def share_at_least(
    units: Sequence[UnitScore], scale: Decimal, fraction: Decimal = Decimal("0.9")
) -> ShareStat:
    """Units with a total of at least fraction × scale (90 on 100, 900 on 1000)."""
    threshold = scale * fraction
    count = sum(1 for u in units if u.total >= threshold)
    total = len(units)
    share = (
        (Decimal(count) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if total
        else Decimal(0)
    )
    return ShareStat(count, total, share)


def new_top_entrants(
    units: Sequence[UnitScore],
    last_year: Mapping[str, LastYear],
    top: int = 10,
    include_unranked: bool = False,
) -> list[str]:
    """Units in the top `top` this year that were not last year (新晋前10名)."""
    result = []
    for unit in units:
        if unit.rank > top:
            continue
        previous = last_year.get(unit.unit_code)
        if previous is None or previous.rank is None:
            if include_unranked:
                result.append(unit.unit_code)
        elif previous.rank > top:
            result.append(unit.unit_code)
    return sorted(result)


# Quarterly accumulation 季度积分 (TX) ----------------------------------------


def accumulate_exact(
    quarter_totals: Mapping[str, Sequence[Decimal | None]], weights: Sequence[Decimal]
) -> dict[str, Decimal]:
    """Year total = Σ weight_q × quarter total_q, exact (not rounded). The quarter totals
    are the quarters' exact totals (`UnitScore.total_exact`), never their published
    2-decimal figures: rounding them first would round twice. Weights must add up to 1;
    a missing quarter counts 0 (like 未报送数据)."""
    if sum(weights, Decimal(0)) != 1 or any(w < 0 for w in weights):
        raise ValueError("季度权重必须非负且合计为1")
    result = {}
    for code, totals in sorted(quarter_totals.items()):
        if len(totals) != len(weights):
            raise ValueError(f"单位“{code}”的季度得分个数与权重个数不一致")
        result[code] = sum(
            (
                w * (t if t is not None else Decimal(0))
                for w, t in zip(weights, totals, strict=True)
            ),
            Decimal(0),
        )
    return result


def accumulate_quarters(
    quarter_totals: Mapping[str, Sequence[Decimal | None]], weights: Sequence[Decimal]
) -> dict[str, Decimal]:
    """The published year totals: `accumulate_exact` rounded once, ROUND_HALF_UP to 2
    decimals (80.005, 80.005, 70, 90 at 25% each: exactly 80.0025 → 80.00)."""
    return {code: q2(exact) for code, exact in accumulate_exact(quarter_totals, weights).items()}


def competition_ranks(totals: Mapping[str, Decimal]) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) of totals already rounded for publication."""
    values = sorted(totals.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for position, value in enumerate(values, start=1):
        first.setdefault(value, position)
    return {code: first[value] for code, value in sorted(totals.items())}
