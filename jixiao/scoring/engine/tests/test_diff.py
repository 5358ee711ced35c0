"""Diff between two result sets: who moved rank, by how much, which nodes changed."""

from __future__ import annotations

from jixiao.scoring.engine import CategoryResult, CategoryTree, LeafInput, diff_results
from jixiao.scoring.engine.tests.helpers import D, group, leaf, run, units

TREE = CategoryTree(
    "cat",
    D(100),
    (group("1", None, 100), leaf("1.1", "1", 60, "direct"), leaf("1.2", "1", 40, "direct")),
)


def _result(scores: dict[str, tuple[int, int]]) -> CategoryResult:
    inputs = []
    for unit, (a, b) in scores.items():
        inputs += [LeafInput(unit, "1.1", {"score": a}), LeafInput(unit, "1.2", {"score": b})]
    return run(TREE, units(*scores), inputs)[1]


def test_the_diff_lists_rank_moves_and_changed_nodes() -> None:
    old = _result({"A": (50, 30), "B": (40, 30), "C": (30, 30)})
    new = _result({"A": (50, 30), "B": (40, 30), "C": (55, 30)})
    diff = diff_results(old, new)
    assert [c.unit_code for c in diff.changes] == ["A", "B", "C"]
    moved = {c.unit_code: c.rank_change for c in diff.moved()}
    assert moved == {"C": 2, "A": -1, "B": -1}
    change_c = next(c for c in diff.changes if c.unit_code == "C")
    assert change_c.total_change == D(25)
    assert [(n.node_code, n.old, n.new) for n in change_c.nodes] == [
        ("1", D(60), D(85)),
        ("1.1", D(30), D(55)),
    ]
    assert next(c for c in diff.changes if c.unit_code == "A").nodes == ()


def test_identical_results_have_an_empty_diff() -> None:
    scores = {"A": (50, 30), "B": (40, 30)}
    diff = diff_results(_result(scores), _result(scores))
    assert diff.changes == ()
    assert diff.added == ()
    assert diff.removed == ()
