"""What-if trees: changed points keep every parent whole, drops hand points to siblings,
point-valued parameters follow their leaf, and impossible changes are refused in Chinese."""

from __future__ import annotations

import pytest

from jixiao.scoring.engine import CategoryTree, SchemeError, compile_tree
from jixiao.scoring.engine.tests.helpers import D, group, leaf
from jixiao.scoring.engine.whatif import apply_changes


def _tree() -> CategoryTree:
    return CategoryTree(
        "cat",
        D(100),
        (
            group("1", None, 60),
            leaf("1.1", "1", 40, "direct"),
            leaf("1.2", "1", 20, "deduction", {"per_occurrence": 2, "floor": 4}),
            leaf("2", None, 30, "evaluation", kind="evaluation"),
            leaf("3", None, 10, "grade"),
        ),
    )


def _points(tree: CategoryTree) -> dict[str, object]:
    return {n.code: n.points for n in tree.nodes}


def test_raising_a_leaf_takes_the_points_from_its_siblings_in_proportion() -> None:
    changed = apply_changes(_tree(), {"points": {"2": "45"}})
    assert _points(changed) == {
        "1": D("47.1429"),
        "1.1": D("31.4286"),
        "1.2": D("15.7143"),
        "2": D(45),
        "3": D("7.8571"),
    }
    compile_tree(changed)  # still valid


def test_a_leafs_point_valued_parameters_follow_it() -> None:
    changed = apply_changes(_tree(), {"points": {"1.2": "10"}})
    params = {n.code: n.params for n in changed.nodes}["1.2"]
    assert params == {"per_occurrence": "1.0000", "floor": "2.0000"}
    compile_tree(changed)


def test_a_dropped_indicator_hands_its_points_to_its_siblings() -> None:
    changed = apply_changes(_tree(), {"drop": ["3"]})
    assert _points(changed) == {
        "1": D("66.6667"),
        "1.1": D("44.4445"),
        "1.2": D("22.2222"),
        "2": D("33.3333"),
    }
    compile_tree(changed)


def test_changes_that_cannot_be_applied_are_all_listed() -> None:
    with pytest.raises(SchemeError) as refused:
        apply_changes(
            _tree(),
            {"points": {"1.1": "70", "9": "1"}, "methods": {"2": "completion"}},
        )
    problems = "；".join(refused.value.problems)
    assert "不能超过上级的 60 分" in problems
    assert "指标“9”不在类别“cat”中" in problems
    assert "录入项" in problems


def test_the_original_tree_is_left_as_it_was() -> None:
    tree = _tree()
    apply_changes(tree, {"points": {"2": "45"}, "drop": ["3"]})
    assert _points(tree)["2"] == D(30)


def test_unit_specific_variants_are_rescaled_as_one_block() -> None:
    from dataclasses import replace

    tree = CategoryTree(
        "cat",
        D(100),
        (
            group("1", None, 30),
            leaf("1.1", "1", 10, "direct"),
            replace(leaf("1.2", "1", 20, "direct"), units=frozenset({"U1"})),
            replace(leaf("1.3", "1", 20, "direct"), units=frozenset({"U2"})),
            leaf("2", None, 70, "direct"),
        ),
    )
    changed = apply_changes(tree, {"points": {"1": "45"}})
    assert _points(changed) == {"1": D(45), "1.1": D(15), "1.2": D(30), "1.3": D(30), "2": D(55)}
    compile_tree(changed, ["U1", "U2"])
    with pytest.raises(SchemeError, match="只适用于部分单位"):
        apply_changes(tree, {"drop": ["1.2"]})


@pytest.mark.parametrize(
    "changes",
    [
        {"points": {"C01-1": "1"}},
        {"drop": ["C01-2.2"]},
        {},
    ],
)
def test_rescoring_only_the_touched_leaves_equals_a_full_scoring(changes: dict) -> None:
    import numpy as np

    from bench.province import generate_province
    from jixiao.scoring.engine import score_category
    from jixiao.scoring.engine.whatif import scale_inputs, score_changed

    province = generate_province(60, 1, 30, 5, restricted=2)
    compiled = province.data.trees["C01"]
    data = province.data.data["C01"]
    base = score_category(compiled, data)
    tree = apply_changes(compiled.tree, changes)
    new_data = scale_inputs(data, compiled.tree, tree)
    new = compile_tree(tree)
    fast = score_changed(base, data, new, new_data)
    full = score_category(new, new_data)
    assert np.array_equal(fast.scores, full.scores)
    assert np.array_equal(fast.ranks, full.ranks)
