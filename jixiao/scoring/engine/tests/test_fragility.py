"""Rank fragility: margins match a brute-force sweep through the real rules, the hand-built
优秀-line case, and a deterministic noise simulation."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest

from jixiao.scoring.engine import LeafInput
from jixiao.scoring.engine.compute import CategoryResult, UnitScore
from jixiao.scoring.engine.fragility import (
    DecisionRules,
    competition_ranks_2d,
    fragility,
    hinges,
    rank_intervals,
)
from jixiao.scoring.engine.results import (
    INCLUDE,
    AwardRules,
    BottomBand,
    GradeBand,
    GradeRules,
    assign_awards,
    assign_grades,
    competition_ranks,
    warnings_for,
)
from jixiao.scoring.engine.tests.helpers import D, run, single_leaf_tree, units


def _category(totals: dict[str, str]) -> CategoryResult:
    tree = single_leaf_tree("direct", 100)
    inputs = [LeafInput(u, "L", {"score": s}) for u, s in totals.items()]
    return run(tree, units(*totals), inputs)[1]


def _real(totals: dict[str, Decimal], rules: DecisionRules) -> dict[str, dict[str, object]]:
    """Every unit's decisions through the engine's own rules (争先 off)."""
    ranks = competition_ranks(totals)
    n = len(totals)
    scores = [UnitScore(c, "cat", t, t, ranks[c], 0, n, ()) for c, t in totals.items()]
    bottom = None
    if rules.bottom_count or rules.below_total is not None:
        bottom = BottomBand(bottom_count=rules.bottom_count or None, below_total=rules.below_total)
    bands = tuple(GradeBand(label, top_share=share) for label, share in rules.bands)
    grades = assign_grades(
        scores,
        GradeRules(
            bands=bands,
            bottom=bottom,
            quota_rounding=rules.quota_rounding,
            tie_policy=rules.tie_policy,
        ),
    )
    awards = {
        a.unit_code: a.award
        for a in assign_awards(
            scores,
            {},
            AwardRules(
                model_count=rules.model_count,
                excellent_share=rules.excellent_share,
                advance_count=0,
                ineligible_bottom=rules.warning_bottom,
                quota_rounding=rules.quota_rounding,
            ),
        )
    }
    warned: set[str] = set()
    if rules.warning_bottom and n > rules.warning_bottom:
        warned = {w.unit_code for w in warnings_for(scores, {}, rules.warning_bottom)}
    return {
        c: {
            "rank": ranks[c],
            "grade": grades[c],
            "award": awards.get(c, ""),
            "warning": c in warned,
        }
        for c in totals
    }


def _brute(totals: dict[str, Decimal], rules: DecisionRules, unit: str) -> dict[str, tuple]:
    base = _real(totals, rules)[unit]
    low = min(totals.values()) - D("0.05")
    high = max(totals.values()) + D("0.05")
    found: dict[str, list[Decimal | None]] = {k: [None, None] for k in base}
    x = low
    while x <= high:
        if x != totals[unit]:
            moved = _real({**totals, unit: x}, rules)[unit]
            distance = x - totals[unit]
            side = 0 if distance > 0 else 1
            for k, v in moved.items():
                best = found[k][side]
                if v != base[k] and (best is None or abs(distance) < best):
                    found[k][side] = abs(distance)
        x += Decimal("0.01")
    return {k: tuple(v) for k, v in found.items()}


def test_two_units_five_hundredths_apart_across_the_excellent_line_both_hinge() -> None:
    totals = {f"U{i}": f"{95 - 2 * i}" for i in range(10)}
    totals["U2"] = "90.05"  # third of ten: the last 优秀 (30%)
    totals["U3"] = "90.00"
    result = _category(totals)
    margins = {u.unit_code: u for u in fragility(result, DecisionRules())}
    assert margins["U2"].grade == "优秀"
    assert margins["U2"].margins["grade"] == (None, D("0.05"))  # a tie puts both out
    assert margins["U3"].margins["grade"] == (D("0.06"), None)  # must pass, not tie
    flipped = {(h.unit_code, h.decision) for h in hinges(list(margins.values()))}
    assert ("U2", "grade") in flipped
    assert ("U3", "grade") in flipped
    assert ("U0", "grade") not in flipped


@pytest.mark.parametrize("seed", range(12))
def test_margins_equal_a_cent_by_cent_sweep_through_the_real_rules(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(4, 8)
    totals = {f"U{i}": Decimal(rng.randint(9000, 9012)) / 100 for i in range(n)}
    rules = DecisionRules(
        bands=(("优秀", D("0.3")), ("良好", D("0.7")))
        if seed % 2
        else (("优秀", D(rng.choice(["0.2", "0.4"]))),),
        bottom_count=rng.choice([0, 1]),
        below_total=rng.choice([None, D("90.05")]),
        quota_rounding=rng.choice(["floor", "half_up"]),
        tie_policy=rng.choice(["exclude", INCLUDE]),
        model_count=rng.choice([0, 1, 2]),
        warning_bottom=rng.choice([0, 1, 2]),
    )
    result = _category({u: str(t) for u, t in totals.items()})
    for unit in fragility(result, rules):
        expected = _brute(totals, rules, unit.unit_code)
        assert unit.margins == expected, (unit.unit_code, rules)


def test_the_top_unit_cannot_rise_and_a_lone_last_cannot_fall() -> None:
    result = _category({"A": "90", "B": "80", "C": "70"})
    by = {u.unit_code: u for u in fragility(result, DecisionRules())}
    assert by["A"].margins["rank"] == (None, D("10.01"))
    assert by["C"].margins["rank"] == (D("10.00"), None)


def test_the_noise_simulation_is_deterministic_and_brackets_the_rank() -> None:
    totals = {f"U{i:02d}": str(60 + i) for i in range(30)}
    result = _category(totals)
    first = rank_intervals(result, draws=200, seed=3)
    again = rank_intervals(result, draws=200, seed=3)
    assert (first.low == again.low).all()
    assert (first.high == again.high).all()
    ranks = np.asarray(result.ranks)
    assert (first.low <= ranks).all()
    assert (ranks <= first.high).all()
    assert (first.high - first.low).max() >= 1  # one point of noise moves close units


def test_competition_ranks_of_many_draws_share_places_on_ties() -> None:
    ranks = competition_ranks_2d(np.array([[5, 7, 7, 1], [1, 1, 1, 1]]))
    assert ranks.tolist() == [[3, 1, 1, 4], [1, 1, 1, 1]]


def test_the_clipped_noise_moments_match_a_direct_simulation() -> None:
    from jixiao.scoring.engine.fragility import clipped_uniform_moments

    low = np.array([-5.0, -0.3, 0.0, -2.0])
    high = np.array([5.0, 4.0, 0.0, 0.5])
    mean, variance = clipped_uniform_moments(low, high, 1.0)
    draws = np.clip(np.random.default_rng(0).uniform(-1, 1, (400_000, 1)), low, high)
    assert np.allclose(mean, draws.mean(axis=0), atol=0.005)
    assert np.allclose(variance, draws.var(axis=0), atol=0.005)
    assert mean[0] == 0
    assert variance[0] == pytest.approx(1 / 3)
    assert variance[2] == 0  # a leaf that does not apply never moves
