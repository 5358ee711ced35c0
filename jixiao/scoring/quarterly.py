"""Quarterly accumulation (季度积分, TX: "强化过程管理、季度积分"): when the year's
`YearRules.quarterly` is on, a unit's year total is the weighted sum of its four quarter
totals, ranked again within its category.

* Each collection period belongs to the quarter its `ends_on` falls in (months 1–3 → 第一
  季度 …; a period ending before or after the assessment year counts in the first or
  fourth quarter). So monthly and quarterly data count in their own quarter, a half-year
  period ending 30 June in the second quarter and one ending 31 December in the fourth,
  and an annual period in the fourth quarter.
* A quarter is scored through the engine exactly like a year, from its own periods only
  (`loader.load_year(year, periods=...)`: per indicator the latest of those periods with
  data). An indicator without data in a quarter scores 0 there for every unit of the
  category; a quarter without any period counts 0 (`accumulate_quarters`).
* Year total = Σ weight × quarter total, accumulated on the quarters' exact totals and
  rounded once, ROUND_HALF_UP to 2 decimals (`engine.results.accumulate_exact`; the
  exact figure is kept as the total_exact, to 4 decimals); ranks are competition ranks of
  the published totals within the category (`competition_ranks`), display order rank
  then unit code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from jixiao.collection.models import CollectionPeriod
from jixiao.org.models import AssessmentYear
from jixiao.scoring import loader
from jixiao.scoring.engine import ScoringError, UnitScore, score_province
from jixiao.scoring.engine.fixed import q2, q4
from jixiao.scoring.engine.results import accumulate_exact, competition_ranks
from jixiao.scoring.models import YearRules
from jixiao.scoring.rules import share_text

QUARTERS = (1, 2, 3, 4)


class QuarterlyRulesError(ScoringError):
    pass


def year_rules(year: AssessmentYear) -> YearRules | None:
    """The year's rules when quarterly accumulation is on, else None."""
    rules = YearRules.objects.filter(year=year).first()
    return rules if rules is not None and rules.quarterly else None


def weights_of(rules: YearRules) -> list[Decimal]:
    """The four stored weights as Decimals adding up to 1; ScoringError otherwise."""
    try:
        weights = [Decimal(str(w)) for w in rules.quarter_weights]
    except (InvalidOperation, TypeError, ValueError):
        weights = []
    if len(weights) != 4 or sum(weights, Decimal(0)) != 1 or any(w < 0 for w in weights):
        raise QuarterlyRulesError([_("季度积分的权重无效：需要四个非负权重，合计 100%")])
    return weights


def quarter_of(ends_on: dt.date, year: int) -> int:
    if ends_on.year < year:
        return 1
    if ends_on.year > year:
        return 4
    return (ends_on.month - 1) // 3 + 1


def quarter_periods(year: AssessmentYear, scheme_id: int) -> dict[int, list[int]]:
    """Quarter (1..4) -> ids of the scheme's collection periods ending in it."""
    groups: dict[int, list[int]] = {q: [] for q in QUARTERS}
    rows = CollectionPeriod.objects.filter(scheme_id=scheme_id).order_by("ends_on", "id")
    for pk, ends_on in rows.values_list("id", "ends_on"):
        groups[quarter_of(ends_on, year.year)].append(pk)
    return groups


@dataclass(frozen=True)
class Accumulated:
    weights: list[Decimal]
    periods: dict[int, list[int]]
    #: category code -> unit code -> the four quarter totals (None: not scored)
    quarter_totals: dict[str, dict[str, list[Decimal | None]]]
    #: category code -> units in display order with the accumulated total and rank
    units: dict[str, tuple[UnitScore, ...]]

    def layout(self, category_code: str) -> dict[str, Any]:
        """What `RunCategory.layout["quarters"]` stores (part of the digest)."""
        return {
            "weights": [str(w) for w in self.weights],
            "periods": {str(q): ids for q, ids in self.periods.items()},
            "totals": {
                unit: [None if t is None else str(t) for t in totals]
                for unit, totals in self.quarter_totals[category_code].items()
            },
        }


def accumulate(
    year: AssessmentYear,
    scheme_id: int,
    weights: Sequence[Decimal],
    year_units: Mapping[str, Sequence[UnitScore]],
) -> Accumulated:
    """Score each quarter and accumulate per unit. `year_units`: the full-year result's
    units per category (who is assessed, and their missing leaves)."""
    periods = quarter_periods(year, scheme_id)
    per_quarter: list[dict[str, dict[str, Decimal]]] = []
    for q in QUARTERS:
        ids = periods.get(q, [])
        if not ids:
            per_quarter.append({})
            continue
        quarter = score_province(loader.load_year(year, periods=ids).province)
        per_quarter.append(
            {
                # Exact totals: the year is rounded once, after accumulating.
                code: {u.unit_code: u.total_exact for u in result.units}
                for code, result in quarter.categories.items()
            }
        )
    quarter_totals: dict[str, dict[str, list[Decimal | None]]] = {}
    units: dict[str, tuple[UnitScore, ...]] = {}
    for code, category_units in year_units.items():
        totals = {
            u.unit_code: [per_quarter[i].get(code, {}).get(u.unit_code) for i in range(4)]
            for u in category_units
        }
        quarter_totals[code] = totals
        exact = accumulate_exact(totals, list(weights))
        year_totals = {unit: q2(value) for unit, value in exact.items()}
        ranks = competition_ranks(year_totals)
        ordered = sorted(category_units, key=lambda u: (ranks[u.unit_code], u.unit_code))
        units[code] = tuple(
            replace(
                u,
                total=year_totals[u.unit_code],
                total_exact=q4(exact[u.unit_code]),
                rank=ranks[u.unit_code],
                position=position,
            )
            for position, u in enumerate(ordered, start=1)
        )
    return Accumulated(list(weights), periods, quarter_totals, units)


def card_quarters(layout: Mapping[str, Any], unit_code: str) -> list[tuple[int, str, Any]]:
    """(quarter, weight as a percentage, quarter total or None) for a report card; empty
    when the run was not computed with quarterly accumulation."""
    quarters = layout.get("quarters")
    if not quarters:
        return []
    totals = quarters["totals"].get(unit_code, [None] * 4)
    return [
        (q, share_text(Decimal(w)), None if t is None else Decimal(t))
        for q, w, t in zip(QUARTERS, quarters["weights"], totals, strict=True)
    ]
