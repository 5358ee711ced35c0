"""Property tests of the result rules against brute-force references written plainly here:
warnings with ties (this year and last), quarterly accumulation, bonus–penalty caps.
The references share no code with the engine: they count, loop and use Fractions."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.scoring.engine import BonusPenaltyEvent, CategoryTree, LastYear, LeafInput, explain
from jixiao.scoring.engine.compute import UnitScore
from jixiao.scoring.engine.results import (
    AwardRules,
    accumulate_quarters,
    assign_awards,
    competition_ranks,
    warnings_for,
)
from jixiao.scoring.engine.tests.helpers import D, bonus, leaf, run, units

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Warnings -----------------------------------------------------------------------


def _scores(totals: dict[str, Decimal]) -> list[UnitScore]:
    """UnitScores with competition ranks counted by hand (1 + how many are better)."""
    n = len(totals)
    return [
        UnitScore(code, "cat", total, total, 1 + sum(t > total for t in totals.values()), i, n, ())
        for i, (code, total) in enumerate(sorted(totals.items()), start=1)
    ]


def reference_warned(totals: dict[str, Decimal], bottom: int) -> set[str]:
    """后N位: a unit fewer than N units rank below; nobody when that is everyone."""
    warned = {
        code for code, total in totals.items() if sum(t < total for t in totals.values()) < bottom
    }
    return set() if len(warned) == len(totals) else warned


TOTALS = st.dictionaries(
    st.sampled_from([f"U{i}" for i in range(8)]),
    st.integers(60, 66).map(D),  # few distinct values: many ties
    min_size=1,
)


@SETTINGS
@given(TOTALS, st.integers(0, 4), st.data())
def test_warnings_with_ties_this_year_and_last_match_the_reference(
    this_year: dict[str, Decimal], bottom: int, data: Any
) -> None:
    last_totals = data.draw(TOTALS)
    last_bottom = data.draw(st.integers(0, 4))
    consecutive = data.draw(st.booleans())
    last_warned = {w.unit_code for w in warnings_for(_scores(last_totals), {}, last_bottom)}
    assert last_warned == reference_warned(last_totals, last_bottom)
    last = {code: LastYear(code, warned=code in last_warned) for code in last_totals}

    warnings = warnings_for(_scores(this_year), last, bottom, consecutive)
    warned = {w.unit_code for w in warnings if w.kind == "bottom_two"}
    twice = {w.unit_code for w in warnings if w.kind == "bottom_two_consecutive"}
    expected = reference_warned(this_year, bottom)
    assert warned == expected
    assert twice == (
        expected & reference_warned(last_totals, last_bottom) if consecutive else set()
    )


@SETTINGS
@given(
    TOTALS,
    st.integers(0, 4),
    st.dictionaries(st.sampled_from(["U0", "U1", "U2"]), st.integers(1, 9)),
)
def test_exactly_the_warned_units_are_barred_from_every_award(
    totals: dict[str, Decimal], bottom: int, last_ranks: dict[str, int]
) -> None:
    last = {code: LastYear(code, rank=rank) for code, rank in last_ranks.items()}
    awarded = {
        a.unit_code
        for a in assign_awards(_scores(totals), last, AwardRules(ineligible_bottom=bottom))
    }
    assert not awarded & reference_warned(totals, bottom)


# Quarterly accumulation -------------------------------------------------------------


def reference_half_up(value: Fraction, places: int) -> Decimal:
    """Round half away from zero, by integer arithmetic on the exact fraction."""
    scaled = abs(value) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places)


WEIGHTS = (
    st.lists(st.integers(0, 10_000), min_size=3, max_size=3)
    .filter(lambda ws: sum(ws) <= 10_000)
    .map(lambda ws: [D(w) / 10_000 for w in [*ws, 10_000 - sum(ws)]])
)
QUARTER = st.one_of(
    st.none(),
    st.decimals(-50, 1000, places=4, allow_nan=False, allow_infinity=False),
    st.sampled_from([D("80.005"), D("80.0050"), D("69.885"), D("-85.505")]),
)


@SETTINGS
@given(
    st.dictionaries(st.sampled_from("ABCDEF"), st.lists(QUARTER, min_size=4, max_size=4)), WEIGHTS
)
def test_quarterly_totals_are_accumulated_exactly_and_rounded_once(
    quarters: dict[str, list[Decimal | None]], weights: list[Decimal]
) -> None:
    totals = accumulate_quarters(quarters, weights)
    expected: dict[str, Decimal] = {}
    for code, values in quarters.items():
        exact = Fraction(0)
        for weight, value in zip(weights, values, strict=True):
            exact += Fraction(weight) * Fraction(value if value is not None else 0)
        expected[code] = reference_half_up(exact, 2)
    assert totals == expected
    assert all(total.as_tuple().exponent == -2 for total in totals.values())
    ranks = competition_ranks(totals)
    for code, total in totals.items():
        assert ranks[code] == 1 + sum(t > total for t in totals.values())


def test_the_worked_quarterly_example_rounds_once() -> None:
    weights = [D("0.25")] * 4
    quarters = {"X": [D("80.005"), D("80.005"), D(70), D(90)]}
    assert accumulate_quarters(quarters, weights) == {"X": D("80.00")}


# Bonus–penalty caps ---------------------------------------------------------------------


def reference_capped(
    events: list[tuple[str, Decimal]], code: str, caps: dict[str, tuple[int, int]]
) -> tuple[Decimal, Decimal]:
    """(counted bonuses, counted deductions) of node `code` ("B" holds "B.1"), by hand."""
    plus = Decimal(0)
    minus = Decimal(0)
    if code == "B":
        plus, minus = reference_capped(events, "B.1", caps)
    for node, points in events:
        if node != code:
            continue
        if points > 0:
            plus += points
        else:
            minus += -points
    bonus_cap, penalty_cap = caps[code]
    return min(plus, D(bonus_cap)), min(minus, D(penalty_cap))


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["U1", "U2"]),
        st.sampled_from(["B", "B.1"]),
        st.integers(-800, 800).filter(bool).map(lambda p: D(p) / 100),
    ),
    max_size=10,
)


@SETTINGS
@given(EVENTS, st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6))
def test_caps_apply_per_sign_on_every_node(
    drawn: list[tuple[str, str, Decimal]], b: int, p: int, b1: int, p1: int
) -> None:
    caps = {"B": (b, p), "B.1": (b1, p1)}
    tree = CategoryTree(
        "cat",
        D(100),
        (leaf("L", None, 100, "direct"), bonus("B", None, b, p), bonus("B.1", "B", b1, p1)),
    )
    events = [BonusPenaltyEvent(u, node, points, "事项") for u, node, points in drawn]
    inputs = [LeafInput(u, "L", {"score": 50}) for u in ("U1", "U2")]
    province, result = run(tree, units("U1", "U2"), inputs, events)
    for unit in ("U1", "U2"):
        mine = [(node, points) for u, node, points in drawn if u == unit]
        for code in ("B", "B.1"):
            plus, minus = reference_capped(mine, code, caps)
            assert result.score(unit, code) == plus - minus
        plus, minus = reference_capped(mine, "B", caps)
        assert result.unit(unit).total_exact == 50 + plus - minus
        node = next(n for n in explain(result, province.data["cat"], unit).nodes if n.code == "B")
        raw_minus = -sum((pt for nd, pt in mine if pt < 0 and nd == "B"), Decimal(0))
        raw_minus += reference_capped(mine, "B.1", caps)[1]
        assert ("扣分" in node.cap_note) == (raw_minus > minus)


def test_a_deduction_past_the_cap_is_clamped_per_sign_not_netted() -> None:
    """+2 then −3 with caps ±2: bonuses 2, deductions 3 counted as 2, net 0 (not −1)."""
    tree = CategoryTree("cat", D(100), (leaf("L", None, 100, "direct"), bonus("B", None, 2, 2)))
    events = [
        BonusPenaltyEvent("U1", "B", D(2), "表彰"),
        BonusPenaltyEvent("U1", "B", D(-3), "通报"),
    ]
    province, result = run(tree, units("U1"), [LeafInput("U1", "L", {"score": 80})], events)
    assert result.score("U1", "B") == D(0)
    node = next(n for n in explain(result, province.data["cat"], "U1").nodes if n.code == "B")
    assert node.cap_note == "扣分 3 分，按上限计 2 分"
    assert node.formula == "加分 2 分；扣分 3 分，按上限计 2 分（上限 +2 / −2）：2 − 2 → 0.0000"
