"""Light rules at their boundaries and the expected-progress curves (pure, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from jixiao.monitoring import lights
from jixiao.monitoring.lights import GREEN, RED, YELLOW, Rule

RULES = (Rule(RED, D(20)), Rule(YELLOW, D(5)))


@pytest.mark.parametrize(
    ("lag", "expected"),
    [
        (D("-3"), GREEN),
        (D("0"), GREEN),
        (D("4.99"), GREEN),
        (D("5"), YELLOW),  # a threshold reached is a match (lag ≥ threshold)
        (D("19.99"), YELLOW),
        (D("20"), RED),
        (D("75"), RED),
    ],
)
def test_the_first_rule_the_lag_reaches_gives_the_colour(lag: D, expected: str) -> None:
    assert lights.color(lag, RULES) == expected


def test_rules_are_tried_in_order_so_a_loose_first_rule_hides_a_stricter_one() -> None:
    assert lights.color(D(30), (Rule(YELLOW, D(5)), Rule(RED, D(20)))) == YELLOW


def test_no_rules_means_green_and_a_done_node_is_green() -> None:
    assert lights.color(D(99), ()) == GREEN
    assert lights.color(None, RULES) == GREEN


def test_linear_expected_progress_is_the_share_of_the_year_gone() -> None:
    assert lights.expected_share(1, D(1200), None) == D(1) / 12
    assert lights.expected_share(6, D(1200), None) == D("0.5")
    assert lights.expected_share(12, D(1200), None) == D(1)


def test_the_milestone_plan_sets_expected_progress_when_there_is_one() -> None:
    plan = lights.profile_milestones(D(1000), "back_loaded")
    assert lights.expected_share(3, D(1000), plan) == D("0.15")
    assert lights.expected_share(12, D(1000), plan) == D(1)


def test_an_even_plan_reaches_the_annual_target_in_december() -> None:
    plan = lights.even_milestones(D(100))
    assert plan[0] == D("8.3333")
    assert plan[5] == D(50)
    assert plan[11] == D(100)


def test_quarterly_typed_targets_hold_flat_inside_each_quarter() -> None:
    plan = lights.typed_milestones(D(100), [D(10), D(40), D(70), D(100)])
    assert plan == [D(x) for x in (0, 0, 10, 10, 10, 40, 40, 40, 70, 70, 70, 100)]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ([D(1)] * 5, "12 个月"),
        ([D(10), D(5), *[D(100)] * 10], "逐月减少"),
        ([*[D(10)] * 11, D(90)], "等于年度目标"),
    ],
)
def test_a_typed_plan_that_cannot_be_is_refused_in_chinese(typed: list[D], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lights.typed_milestones(D(100), typed)


def test_a_target_lag_is_percentage_points_behind_the_plan() -> None:
    # Half the year gone, 40 of 100 done: 10 points behind → yellow.
    lag = lights.target_lag(D(40), D(100), D("0.5"))
    assert lag == D("10.00")
    assert lights.color(lag, RULES) == YELLOW
    # Nothing entered counts as nothing done.
    assert lights.target_lag(None, D(100), D("0.5")) == D("50.00")


def test_a_node_lags_by_the_days_past_its_due_date_until_it_is_done() -> None:
    due = date(2026, 6, 30)
    node_rules = lights.DEFAULT_NODE_RULES
    assert lights.color(lights.node_lag(due, None, date(2026, 6, 22)), node_rules) == GREEN
    assert lights.color(lights.node_lag(due, None, date(2026, 6, 23)), node_rules) == YELLOW
    assert lights.color(lights.node_lag(due, None, date(2026, 6, 30)), node_rules) == YELLOW
    assert lights.color(lights.node_lag(due, None, date(2026, 7, 1)), node_rules) == RED
    assert lights.node_lag(due, date(2026, 7, 5), date(2026, 8, 1)) is None


def test_the_lights_module_does_not_import_django() -> None:
    import ast
    from pathlib import Path

    for name in ("lights.py", "zjg.py"):
        tree = ast.parse((Path(lights.__file__).parent / name).read_text())
        modules = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(m.startswith("django") for m in modules), name
