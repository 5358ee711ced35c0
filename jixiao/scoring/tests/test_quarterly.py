"""Quarterly accumulation (季度积分, TX): the year total is the weighted sum of the quarter
totals, ranked within the category; grades, awards and warnings follow that ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import CollectionPeriod, Entry, PeriodStatus
from jixiao.scheme.models import DataPeriod
from jixiao.scoring import actions
from jixiao.scoring.engine import ScoringError
from jixiao.scoring.models import RankingsAudience, RunCategory, ScoreRun, UnitResult, YearRules
from jixiao.scoring.quarterly import quarter_of
from jixiao.scoring.tests.factories import World, make_world, publish

D = Decimal
pytestmark = pytest.mark.django_db

QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
#: unit -> its directly entered score (out of 100) per quarter; None: no entry.
SCORES: dict[str, list[float | None]] = {
    "A": [90, 90, 90, 70],
    "B": [80, 80, 80, 85],
    "C": [70, 100, 75.5, 90],
    "D": [100, None, 100, 100],
}


def _quarterly_world(scores: dict[str, list[float | None]] | None = None) -> World:
    scores_by_unit = SCORES if scores is None else scores
    w = make_world()
    w.category("ZF", 100, "政府及法检类")
    for code in scores_by_unit:
        w.unit(code, "ZF")
    w.indicator("S", None, 100, "direct", name="季度综合得分")
    for q, (month, day) in enumerate(QUARTER_ENDS, start=1):
        period = CollectionPeriod.objects.create(
            scheme=w.scheme,
            kind=DataPeriod.QUARTERLY,
            code=f"2026-Q{q}",
            name=f"2026年第{q}季度",
            starts_on=dt.date(2026, month - 2, 1),
            ends_on=dt.date(2026, month, day),
            deadline=timezone.make_aware(dt.datetime(2027, 1, 15)),
            status=PeriodStatus.OPEN,
        )
        for unit, row in scores_by_unit.items():
            if row[q - 1] is not None:
                w.entry(unit, "S", row[q - 1], period=period)
    return w


def _quarterly_on(w: World, weights: list[str]) -> None:
    YearRules.objects.create(year=w.year, quarterly=True, quarter_weights=weights)


def _results(run: ScoreRun) -> dict[str, tuple[Decimal, int, int, str]]:
    return {
        code: (total, rank, position, grade)
        for code, total, rank, position, grade in UnitResult.objects.filter(run=run).values_list(
            "unit__code", "total", "rank", "position", "grade"
        )
    }


def test_the_year_total_accumulates_the_quarters_by_weight(office: User) -> None:
    """Worked example, weights 20/20/20/40 (checked by hand):

    * A: 0.2×90 + 0.2×90 + 0.2×90 + 0.4×70 = 18 + 18 + 18 + 28 = 82.00
    * B: 0.2×80 + 0.2×80 + 0.2×80 + 0.4×85 = 16 + 16 + 16 + 34 = 82.00
    * C: 0.2×70 + 0.2×100 + 0.2×75.5 + 0.4×90 = 14 + 20 + 15.1 + 36 = 85.10
    * D: 0.2×100 + 0.2×0 (no Q2 entry: 0) + 0.2×100 + 0.4×100 = 20 + 0 + 20 + 40 = 80.00

    Competition ranks: C 1, A 2, B 2 (tied; position by code), D 4. On the year-end
    figure alone (Q4) D would be first (100) and A last (70): the accumulated ranking is
    the one stored, and 优秀 (top 30% of 4 = 1 unit) goes to C; D is among the bottom two.
    """
    w = _quarterly_world()
    _quarterly_on(w, ["0.2", "0.2", "0.2", "0.4"])
    run = actions.compute_run(w.year, user=office)
    results = _results(run)
    assert {code: r[0] for code, r in results.items()} == {
        "A": D("82.00"),
        "B": D("82.00"),
        "C": D("85.10"),
        "D": D("80.00"),
    }
    assert {code: (r[1], r[2]) for code, r in results.items()} == {
        "C": (1, 1),
        "A": (2, 2),
        "B": (2, 3),
        "D": (4, 4),
    }
    assert results["C"][3] == "优秀"
    assert results["D"][3] != "优秀"
    warnings = dict(UnitResult.objects.filter(run=run).values_list("unit__code", "warnings"))
    assert warnings["D"]
    assert not warnings["C"]
    layout = RunCategory.objects.get(run=run).layout["quarters"]
    assert layout["weights"] == ["0.2", "0.2", "0.2", "0.4"]
    assert layout["totals"]["C"] == ["70.0000", "100.0000", "75.5000", "90.0000"]
    assert layout["totals"]["D"] == ["100.0000", "0.0000", "100.0000", "100.0000"]
    assert run.summary["quarterly"] == ["20%", "20%", "20%", "40%"]


def test_the_year_is_accumulated_exactly_and_rounded_once(office: User) -> None:
    """X: 0.25 × (80.005 + 80.005 + 70 + 90) = 80.0025 exactly → 80.00 (rounding each
    quarter first would give 80.01 and put X alone in first place). Y: 80.00. They tie
    for first, so neither is 标兵 alone (ties are never split)."""
    w = _quarterly_world(
        {"X": ["80.005", "80.005", 70, 90], "Y": [80, 80, 70, 90], "Z": [60, 60, 60, 60]}
    )
    _quarterly_on(w, ["0.25", "0.25", "0.25", "0.25"])
    run = actions.compute_run(w.year, user=office)
    results = _results(run)
    assert {code: r[:2] for code, r in results.items()} == {
        "X": (D("80.00"), 1),
        "Y": (D("80.00"), 1),
        "Z": (D("60.00"), 3),
    }
    exact = dict(UnitResult.objects.filter(run=run).values_list("unit__code", "total_exact"))
    assert exact["X"] == D("80.0025")
    awards = dict(UnitResult.objects.filter(run=run).values_list("unit__code", "awards"))
    assert not any(a[0] == "标兵" for rows in awards.values() for a in rows)


def test_a_quarter_without_any_period_counts_zero(office: User) -> None:
    """Weights 25/25/25/25 with only the Q1 and Q4 periods kept: C = 0.25×70 + 0.25×90 =
    17.5 + 22.5 = 40.00; A = 0.25×90 + 0.25×70 = 40.00; B = 20 + 21.25 = 41.25;
    D = 25 + 25 = 50.00."""
    w = _quarterly_world()
    Entry.objects.filter(period__code__in=["2026-Q2", "2026-Q3"]).delete()
    CollectionPeriod.objects.filter(code__in=["2026-Q2", "2026-Q3"]).delete()
    _quarterly_on(w, ["0.25", "0.25", "0.25", "0.25"])
    run = actions.compute_run(w.year, user=office)
    totals = {code: r[0] for code, r in _results(run).items()}
    assert totals == {"A": D("40.00"), "B": D("41.25"), "C": D("40.00"), "D": D("50.00")}
    layout = RunCategory.objects.get(run=run).layout["quarters"]
    assert layout["totals"]["A"] == ["90.0000", None, None, "70.0000"]


def test_periods_go_to_the_quarter_their_end_date_falls_in() -> None:
    assert quarter_of(dt.date(2026, 1, 31), 2026) == 1
    assert quarter_of(dt.date(2026, 6, 30), 2026) == 2  # first half-year
    assert quarter_of(dt.date(2026, 12, 31), 2026) == 4  # second half-year, annual
    assert quarter_of(dt.date(2025, 12, 31), 2026) == 1
    assert quarter_of(dt.date(2027, 1, 15), 2026) == 4


def test_quarterly_off_gives_exactly_the_usual_results(office: User) -> None:
    w = _quarterly_world()
    plain = actions.compute_run(w.year, user=office)
    YearRules.objects.create(year=w.year, quarterly=False, quarter_weights=["0.2"] * 5)
    off = actions.compute_run(w.year, user=office)
    assert off.fingerprint == plain.fingerprint
    assert _results(off) == _results(plain)
    # The year-end figure (Q4) counts: D 100, C 90, B 85, A 70.
    assert _results(plain)["D"][:2] == (D("100.00"), 1)
    assert "quarterly" not in off.summary
    assert "quarters" not in RunCategory.objects.get(run=off).layout


def test_invalid_stored_weights_stop_the_computation_with_a_message(office: User) -> None:
    w = _quarterly_world()
    _quarterly_on(w, ["0.5", "0.5"])
    with pytest.raises(ScoringError) as error:
        actions.compute_run(w.year, user=office)
    assert "季度积分的权重无效" in error.value.problems[0]
    assert not ScoreRun.objects.filter(year=w.year).exists()


def test_a_quarterly_year_is_not_recomputed_incrementally(office: User) -> None:
    w = _quarterly_world()
    _quarterly_on(w, ["0.2", "0.2", "0.2", "0.4"])
    run = actions.compute_run(w.year, user=office)
    before = _results(run)
    entry = Entry.objects.get(unit__code="A", period__code="2026-Q4")
    entry.value = D(100)
    entry.save()
    assert actions.recompute_entry(entry.pk) is None
    run.refresh_from_db()
    assert _results(run) == before
    # A full computation takes the change: A = 54 + 0.4×100 = 94.00, first.
    again = actions.compute_run(w.year, user=office)
    assert _results(again)["A"][:2] == (D("94.00"), 1)


def test_the_card_shows_the_quarters_and_the_run_page_says_recompute_in_full(
    office: User, office_client: Client
) -> None:
    w = _quarterly_world()
    _quarterly_on(w, ["0.2", "0.2", "0.2", "0.4"])
    run = actions.compute_run(w.year, user=office)
    page = office_client.get(f"/scoring/runs/{run.pk}/").content.decode()
    assert "本版本按季度积分计算" in page
    card = office_client.get(f"/scoring/runs/{run.pk}/units/{w.units['C'].pk}/").content.decode()
    assert "季度积分" in card
    for text in ("75.50", "× 40%", "85.10"):
        assert text in card
    explained = office_client.get(
        f"/scoring/runs/{run.pk}/units/{w.units['C'].pk}/explain/"
    ).content.decode()
    assert "全年（年末）数据" in explained


def test_a_unit_still_sees_only_its_own_quarterly_card(
    office: User, unit: User, other_unit: User
) -> None:
    from jixiao.core.testing import login

    w = _quarterly_world()
    _quarterly_on(w, ["0.2", "0.2", "0.2", "0.4"])
    run = actions.compute_run(w.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    client = Client()
    login(client, unit)
    url = f"/scoring/runs/{run.pk}/units/{w.units['C'].pk}/"
    assert client.get(url).status_code == 404
