"""Property tests on random schemes: bounds, competition ranks, monotonicity, and the fast
path equal to the Decimal reference."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryTree,
    LeafInput,
    Node,
    UnitInfo,
    compile_tree,
)
from jixiao.scoring.engine.reference import reference_category
from jixiao.scoring.engine.tests.helpers import D, bonus, leaf_score, run

METHOD_CODES = [
    "direct",
    "deduction",
    "completion",
    "tiered",
    "rank",
    "yoy_growth",
    "schedule_progress",
    "value_added",
    "grade",
    "staffing_task",
    "evaluation",
    "spot_accuracy",
]
TIERS = [{"min": 60, "share": "0.6"}, {"min": 80, "share": "0.8"}, {"min": 90, "share": "1"}]
LOWER_TIERS = [{"max": 5, "share": 1}, {"max": 10, "share": "0.5"}]


def numbers(low: int, high: int, places: int = 3) -> st.SearchStrategy[Decimal]:
    return st.decimals(low, high, places=places, allow_nan=False, allow_infinity=False)


SIGNED = st.one_of(numbers(-1000, 100_000), numbers(-(10**15), 10**15, 4), st.just(D(0)))


@st.composite
def params_for(draw: st.DrawFn, method: str, points: Decimal) -> dict[str, Any]:
    if method == "deduction":
        return {
            "per_occurrence": draw(st.sampled_from([D("0.5"), D(1), D("2.25")])),
            "floor": draw(st.sampled_from([D(0), points / 4])),
        }
    if method == "completion":
        return {
            "lower_is_better": draw(st.booleans()),
            "zero_below": draw(st.sampled_from([D(0), D("0.5"), D(1)])),
        }
    if method == "tiered":
        lower = draw(st.booleans())
        return {"tiers": LOWER_TIERS if lower else TIERS, "lower_is_better": lower}
    if method == "rank":
        mode = draw(st.sampled_from(["fixed", "step", "proportional"]))
        higher = draw(st.booleans())
        if mode == "fixed":
            return {
                "mode": mode,
                "points_by_rank": [points, points / 2],
                "higher_is_better": higher,
            }
        if mode == "step":
            return {
                "mode": mode,
                "step": D("0.75"),
                "floor": points / 4,
                "higher_is_better": higher,
            }
        return {"mode": mode, "higher_is_better": higher}
    if method == "yoy_growth":
        return {"target_growth": draw(st.sampled_from([D("0.05"), D("0.08"), D("0.5"), D(3)]))}
    if method == "spot_accuracy":
        cap = draw(st.sampled_from([None, D(1), D("2.5"), points + 5]))
        standard = draw(st.sampled_from([D("0.9"), D("0.95"), D(1), D("0.333")]))
        return {
            "standard": standard,
            "per_wrong": draw(st.sampled_from([D("0.5"), D(1), D(3)])),
            "cap": cap,
        }
    if method == "staffing_task":
        return {"base": draw(st.sampled_from([D(3), D(4), D(5), D("2.5")]))}
    return {}


@st.composite
def values_for(draw: st.DrawFn, method: str, points: Decimal) -> dict[str, Any]:
    if method == "direct":
        return {"score": draw(numbers(0, int(points), 5).filter(lambda v: v <= points))}
    if method == "deduction":
        return {"count": draw(st.integers(0, 12))}
    if method == "completion":
        return {"actual": draw(SIGNED), "target": draw(numbers(1, 10**6, 2))}
    if method in ("tiered", "rank"):
        return {"value": draw(SIGNED)}
    if method in ("yoy_growth", "value_added"):
        return {"current": draw(SIGNED), "last_year": draw(SIGNED)}
    if method == "schedule_progress":
        return {"actual": draw(SIGNED), "planned": draw(numbers(0, 1000))}
    if method == "grade":
        return {"grade": draw(st.sampled_from("ABCD"))}
    if method == "staffing_task":
        return {"completed": draw(numbers(0, 30, 1))}
    if method == "spot_accuracy":
        checked = draw(st.integers(0, 300))
        return {"checked": checked, "wrong": draw(st.integers(0, checked))}
    if method == "evaluation":
        return {"rating": draw(numbers(0, 100, 2))}
    raise AssertionError(method)


def _add_leaves(
    draw: st.DrawFn,
    nodes: list[Node],
    inputs: list[LeafInput],
    unit_list: list[UnitInfo],
    parent: str,
    level: int,
    points_list: list[Decimal],
    units: frozenset[str] | None,
    prefix: str,
) -> None:
    """Leaves under `parent` with these points, all restricted to `units`; every unit
    (applicable or not: a stale entry must be ignored) may have an entry."""
    for k, points in enumerate(points_list):
        method = draw(st.sampled_from(METHOD_CODES))
        params = draw(params_for(method, points))
        code = f"{parent}.{prefix}{k}"
        nodes.append(
            Node(code, parent, level, code, "individual", points, method, params, units=units)
        )
        for unit in unit_list:
            if draw(st.integers(0, 9)) == 0:
                continue  # missing entry
            inputs.append(LeafInput(unit.unit_code, code, draw(values_for(method, points))))


def _subset(draw: st.DrawFn, unit_list: list[UnitInfo]) -> frozenset[str]:
    """A random non-empty unit restriction, sometimes naming a unit of another category."""
    chosen = {u.unit_code for u in unit_list if draw(st.booleans())}
    if draw(st.integers(0, 4)) == 0:
        chosen.add("ELSEWHERE")
    return frozenset(chosen or {"ELSEWHERE"})


def _blocks(draw: st.DrawFn, unit_list: list[UnitInfo], count: int) -> list[frozenset[str]]:
    """The units split into `count` blocks (some may be empty), as restrictions."""
    assigned: list[set[str]] = [set() for _ in range(count)]
    for unit in unit_list:
        assigned[draw(st.integers(0, count - 1))].add(unit.unit_code)
    return [frozenset(b or {"ELSEWHERE"}) for b in assigned]


def _points(draw: st.DrawFn) -> Decimal:
    return D(draw(st.integers(1, 40))) / draw(st.sampled_from([1, 2, 4]))


@st.composite
def scenarios(
    draw: st.DrawFn, restrictions: bool = True
) -> tuple[CategoryTree, list[UnitInfo], list[LeafInput], list[Any]]:
    """A random valid category. With `restrictions`, some groups carry 个性指标: the units
    are split into blocks, each block with its own leaves adding up to the same points, or
    a level-1 group applies to some units and a twin group of equal points to the rest;
    restricted groups sometimes also restrict their leaves again with a superset."""
    nodes: list[Node] = []
    n_units = draw(st.integers(1, 6))
    unit_list = [UnitInfo(f"U{i}", "cat", draw(st.integers(1, 60))) for i in range(n_units)]
    inputs: list[LeafInput] = []
    scale = D(0)
    for g in range(draw(st.integers(1, 3))):
        code = f"G{g}"
        shape = draw(st.sampled_from(["plain", "blocks", "twins"])) if restrictions else "plain"
        if shape == "twins":
            first = _subset(draw, unit_list)
            rest = frozenset(u.unit_code for u in unit_list if u.unit_code not in first)
            leaf_points = [_points(draw) for _ in range(draw(st.integers(1, 3)))]
            total = sum(leaf_points, D(0))
            for suffix, units in (("a", first), ("b", rest or frozenset({"ELSEWHERE"}))):
                group_code = f"{code}{suffix}"
                nodes.append(
                    Node(group_code, None, 1, group_code, "individual", total, units=units)
                )
                own = None if draw(st.booleans()) else units | {"ELSEWHERE"}
                _add_leaves(draw, nodes, inputs, unit_list, group_code, 2, leaf_points, own, "")
            scale += total
            continue
        common = [_points(draw) for _ in range(draw(st.integers(0 if shape == "blocks" else 1, 3)))]
        _add_leaves(draw, nodes, inputs, unit_list, code, 2, common, None, "")
        total = sum(common, D(0))
        if shape == "blocks":
            share = D(draw(st.integers(2, 40)))
            for b, block in enumerate(_blocks(draw, unit_list, draw(st.integers(1, 3)))):
                parts = [share]
                if draw(st.booleans()):
                    first_part = D(draw(st.integers(1, int(share) - 1)))
                    parts = [first_part, share - first_part]
                _add_leaves(draw, nodes, inputs, unit_list, code, 2, parts, block, f"b{b}.")
            total += share
        nodes.append(Node(code, None, 1, code, "individual", total, None, {}))
        scale += total
    events: list[BonusPenaltyEvent] = []
    if draw(st.booleans()):
        only = _subset(draw, unit_list) if restrictions and draw(st.booleans()) else None
        nodes.append(
            replace(bonus("B", None, draw(st.integers(0, 5)), draw(st.integers(0, 5))), units=only)
        )
        nodes.append(bonus("B.1", "B", None, None))
        for _ in range(draw(st.integers(0, 6))):
            unit_code = draw(st.sampled_from(unit_list)).unit_code
            amount = D(draw(st.integers(-400, 400))) / 100
            events.append(
                BonusPenaltyEvent(unit_code, draw(st.sampled_from(["B", "B.1"])), amount, "x")
            )
    return CategoryTree("cat", scale, tuple(nodes)), unit_list, inputs, events


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_the_fast_path_equals_the_decimal_reference(scenario: Any) -> None:
    tree, unit_list, inputs, events = scenario
    _, result = run(tree, unit_list, inputs, events)
    reference = reference_category(tree, unit_list, inputs, events)
    for unit in unit_list:
        code = unit.unit_code
        assert result.node_scores(code) == reference.node_scores[code]
        assert result.unit(code).total_exact == reference.totals[code]
        assert result.unit(code).total == reference.published[code]
        assert result.unit(code).rank == reference.ranks[code]
        assert set(result.unit(code).missing) == reference.missing[code]


@SETTINGS
@given(scenarios())
def test_a_total_stays_within_its_scale_plus_bonus_caps_and_minus_penalty_caps(
    scenario: Any,
) -> None:
    tree, unit_list, inputs, events = scenario
    _, result = run(tree, unit_list, inputs, events)
    bonus_caps, penalty_caps = compile_tree(tree).outer_bonus_caps
    for unit in result.units:
        assert -penalty_caps <= unit.total_exact <= tree.scale + bonus_caps
    for node in tree.nodes:
        if node.method:
            for unit in unit_list:
                assert D(0) <= result.score(unit.unit_code, node.code) <= node.points


@SETTINGS
@given(scenarios())
def test_ranks_are_competition_ranks_of_the_published_totals(scenario: Any) -> None:
    tree, unit_list, inputs, events = scenario
    _, result = run(tree, unit_list, inputs, events)
    ranked = result.units
    totals = [u.total for u in ranked]
    assert totals == sorted(totals, reverse=True)
    for position, unit in enumerate(ranked, start=1):
        assert unit.position == position
        assert unit.rank == 1 + sum(1 for other in totals if other > unit.total)
        if position > 1 and ranked[position - 2].total == unit.total:
            assert ranked[position - 2].unit_code < unit.unit_code
    assert sorted(u.unit_code for u in ranked) == sorted(u.unit_code for u in unit_list)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.randoms(use_true_random=False))
def test_shuffling_the_input_order_changes_nothing(scenario: Any, rnd: random.Random) -> None:
    tree, unit_list, inputs, events = scenario
    _, first = run(tree, unit_list, inputs, events)
    nodes, units_, inputs_, events_ = (
        list(tree.nodes),
        list(unit_list),
        list(inputs),
        list(events),
    )
    for items in (nodes, units_, inputs_, events_):
        rnd.shuffle(items)
    shuffled = CategoryTree(tree.category_code, tree.scale, tuple(nodes))
    _, second = run(shuffled, units_, inputs_, events_)
    assert first.units == second.units
    assert (first.scores == second.scores).all()


# Monotonicity: more of a good thing never lowers a score ---------------------

GOOD_FIELDS = {
    "direct": "score",
    "completion": "actual",
    "tiered": "value",
    "schedule_progress": "actual",
    "staffing_task": "completed",
    "evaluation": "rating",
    "yoy_growth": "current",
}


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_more_of_a_good_thing_never_lowers_a_score(data: st.DataObject) -> None:
    method = data.draw(st.sampled_from(sorted(GOOD_FIELDS)))
    points = D(data.draw(st.integers(1, 40)))
    params = data.draw(params_for(method, points))
    if method == "completion":
        params["lower_is_better"] = False
    if method == "tiered":
        params = {"tiers": TIERS}
    values = data.draw(values_for(method, points))
    field = GOOD_FIELDS[method]
    more = dict(values)
    more[field] = values[field] + data.draw(numbers(0, 1000, 2))
    if method == "direct":
        more[field] = min(more[field], points)
    if method == "evaluation":
        more[field] = min(more[field], D(100))
    staffing = 12
    assert leaf_score(method, points, more, params, staffing) >= leaf_score(
        method, points, values, params, staffing
    )


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_raising_a_units_own_value_never_lowers_its_relative_score(data: st.DataObject) -> None:
    method = data.draw(st.sampled_from(["rank", "value_added"]))
    points = D(data.draw(st.integers(1, 40)))
    params = data.draw(params_for(method, points))
    if method == "rank":
        params["higher_is_better"] = True
    peers = data.draw(st.lists(values_for(method, points), min_size=1, max_size=5))
    field = "value" if method == "rank" else "current"
    own = data.draw(values_for(method, points))
    better = dict(own)
    better[field] = own[field] + data.draw(numbers(0, 10**6, 2))
    tree = CategoryTree(
        "cat", points, (Node("L", None, 1, "L", "individual", points, method, params),)
    )
    unit_list = [UnitInfo(f"P{i}", "cat") for i in range(len(peers))] + [UnitInfo("ME", "cat")]

    def score(mine: dict[str, Any]) -> Decimal:
        inputs = [LeafInput(f"P{i}", "L", v) for i, v in enumerate(peers)]
        inputs.append(LeafInput("ME", "L", mine))
        _, result = run(tree, unit_list, inputs)
        return result.score("ME", "L")

    assert score(better) >= score(own)


# Applicability (个性指标): restricted indicators ---------------------------------


def _applies(tree: CategoryTree, unit_code: str, code: str | None) -> bool:
    by_code = {n.code: n for n in tree.nodes}
    while code is not None:
        node = by_code[code]
        if node.units is not None and unit_code not in node.units:
            return False
        code = node.parent_code
    return True


@SETTINGS
@given(scenarios())
def test_entries_for_indicators_that_do_not_apply_to_a_unit_change_nothing(
    scenario: Any,
) -> None:
    tree, unit_list, inputs, events = scenario
    _, result = run(tree, unit_list, inputs, events)
    kept = [i for i in inputs if _applies(tree, i.unit_code, i.indicator_code)]
    _, again = run(tree, unit_list, kept, events)
    assert (result.scores == again.scores).all()
    assert (result.missing == again.missing).all()
    assert result.units == again.units


@SETTINGS
@given(scenarios())
def test_every_unit_is_scored_on_the_same_scale(scenario: Any) -> None:
    tree, unit_list, inputs, events = scenario
    _, result = run(tree, unit_list, inputs, events)
    compiled = result.compiled
    for unit in unit_list:
        code = unit.unit_code
        applicable = [
            compiled.nodes[i]
            for i in compiled.scored_leaves
            if result.applies(code, compiled.nodes[i].code)
        ]
        assert sum((n.points for n in applicable), D(0)) == tree.scale
        for node in tree.nodes:
            assert result.applies(code, node.code) == _applies(tree, code, node.code)
            if not result.applies(code, node.code):
                assert result.score(code, node.code) == 0
                assert node.code not in result.unit(code).missing
