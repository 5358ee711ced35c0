"""Award amounts (考核系数, YQ) of stored results: derived from the rules stored with the
run category and the stored grades and ranks, so a frozen run's amounts never move."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jixiao.scoring.models import UnitResult
from jixiao.scoring.outcomes import Payout, payouts


def category_payouts(
    run_category_id: int, rules: Mapping[str, Any], category_code: str = ""
) -> dict[str, Payout]:
    """Unit code -> payout for every unit of a run category (one query; none when the
    rules set no award base)."""
    if rules.get("award_base") is None:
        return {}
    rows = UnitResult.objects.filter(run_category_id=run_category_id).values_list(
        "unit__code", "grade", "rank"
    )
    return payouts(rules, rows, category_code)


def result_payout(result: UnitResult) -> Payout | None:
    rc = result.run_category
    return category_payouts(rc.pk, rc.rules, rc.category.code).get(result.unit.code)
