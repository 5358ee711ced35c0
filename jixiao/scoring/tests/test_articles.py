"""Worked examples from the articles, end to end: database -> loader -> engine -> stored rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.accounts.models import User
from jixiao.scoring.actions import compute_run
from jixiao.scoring.models import RankingsAudience, UnitResult
from jixiao.scoring.tests.factories import liwan_world, publish, zhangjiagang_world

D = Decimal
pytestmark = pytest.mark.django_db


def _results(run) -> dict[str, UnitResult]:  # type: ignore[no-untyped-def]
    return {r.unit.code: r for r in UnitResult.objects.filter(run=run).select_related("unit")}


def test_a_zhangjiagang_agency_is_stored_with_its_60_20_20_subtotals() -> None:
    w = zhangjiagang_world()
    run = compute_run(w.year)
    results = _results(run)
    fgj = results["FGJ"]
    # 25 × 0.9 + 15 × 0.8 = 34.5; (10 − 2) + 10 = 18; 18.4; 8.8 + 9.05; +1
    assert fgj.total == D("89.75")
    assert fgj.subtotals == {
        "bonus_penalty": "1.0000",
        "common": "18.0000",
        "evaluation": "36.2500",
        "individual": "34.5000",
    }
    codes = run.categories.get().node_codes
    scores = dict(zip(codes, fgj.scores, strict=True))
    assert scores["1"] == 525000
    assert scores["3"] == 178500
    assert results["JYJ"].total == D("90.50")  # 25 + 13.5 + 10 + 8 + 17 + 8.6 + 8.4
    assert results["MZJ"].total == D("67.90")  # ... − 2 (deduction event)
    assert [results[u].rank for u in ("JYJ", "FGJ", "MZJ")] == [1, 2, 3]
    assert results["JYJ"].grade == "合格"  # 30% of 3 -> 0 units 优秀 (a quota is a ceiling)


def test_liwan_grades_the_top_30_percent_excellent_and_shares_tied_ranks() -> None:
    w = liwan_world([99, 98, 97, 97, 90, 89, 88, 87, 86, 85])
    run = compute_run(w.year)
    results = _results(run)
    assert [results[f"U{i:02d}"].rank for i in range(5)] == [1, 2, 3, 3, 5]
    excellent = sorted(code for code, r in results.items() if r.grade == "优秀")
    # 30% of 10 = 3, but U02 and U03 tie for third: the tie is not split, both stay out.
    assert excellent == ["U00", "U01"]
    assert results["U00"].awards == [["标兵", "类别内综合得分最高"]]
    assert sorted(code for code, r in results.items() if r.warnings) == ["U08", "U09"]


def test_zhangjiagang_advance_award_and_two_years_warning_use_last_years_published_run(
    office: User,
) -> None:
    last = liwan_world([90, 80, 70, 60, 50], year=2025)
    publish(compute_run(last.year), user=office, audience=RankingsAudience.LEADERS)
    this = liwan_world([95, 60, 85, 55, 50], year=2026)
    results = _results(compute_run(this.year))
    assert results["U02"].last_rank == 3
    assert results["U02"].rank == 2
    assert ["争先", "排名较上年上升 1 位"] in results["U02"].awards
    assert results["U00"].awards[0][0] == "标兵"
    kinds = {code: [w[0] for w in r.warnings] for code, r in results.items() if r.warnings}
    assert kinds == {
        "U03": ["bottom_two", "bottom_two_consecutive"],
        "U04": ["bottom_two", "bottom_two_consecutive"],
    }
