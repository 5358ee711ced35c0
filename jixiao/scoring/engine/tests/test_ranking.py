"""Ranking within a category: competition ranks on the published total, ties by unit code."""

from __future__ import annotations

import random

from jixiao.scoring.engine import LeafInput
from jixiao.scoring.engine.tests.helpers import D, run, single_leaf_tree, units


def _ranked(scores: dict[str, str]) -> list[tuple[str, int, int]]:
    tree = single_leaf_tree("direct", 100)
    inputs = [LeafInput(u, "L", {"score": s}) for u, s in scores.items()]
    _, result = run(tree, units(*scores), inputs)
    return [(u.unit_code, u.rank, u.position) for u in result.units]


def test_ties_share_a_rank_and_the_next_rank_is_skipped() -> None:
    ranked = _ranked({"A": "90", "B": "85", "C": "85", "D": "80"})
    assert ranked == [("A", 1, 1), ("B", 2, 2), ("C", 2, 3), ("D", 4, 4)]


def test_tied_units_are_listed_by_unit_code() -> None:
    ranked = _ranked({"Z": "85", "A": "85", "M": "85"})
    assert ranked == [("A", 1, 1), ("M", 1, 2), ("Z", 1, 3)]


def test_ranking_uses_the_published_two_decimal_total() -> None:
    # 85.004 and 85.001 both publish as 85.00, so they tie; 85.005 publishes as 85.01
    ranked = _ranked({"A": "85.001", "B": "85.004", "C": "85.005"})
    assert ranked == [("C", 1, 1), ("A", 2, 2), ("B", 2, 3)]


def test_shuffled_input_gives_identical_output() -> None:
    tree = single_leaf_tree("completion", 100)
    rnd = random.Random(7)
    codes = [f"U{i:03d}" for i in range(60)]
    inputs = [LeafInput(c, "L", {"actual": rnd.randint(0, 120), "target": 100}) for c in codes]
    _, first = run(tree, units(*codes), inputs)
    for _ in range(5):
        rnd.shuffle(inputs)
        rnd.shuffle(codes)
        _, again = run(tree, units(*codes), inputs)
        assert again.units == first.units
        assert (again.scores == first.scores).all()
    assert D(0) <= first.units[-1].total <= first.units[0].total
