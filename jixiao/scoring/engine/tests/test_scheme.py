"""Scheme validation: the tree must add up and every leaf must be scoreable."""

from __future__ import annotations

from jixiao.scoring.engine import CategoryTree, Node, validate_tree
from jixiao.scoring.engine.tests.helpers import D, bonus, group, leaf


def test_a_valid_tree_has_no_problems() -> None:
    tree = CategoryTree(
        "c",
        D(100),
        (group("1", None, 100), leaf("1.1", "1", 100, "direct"), bonus("9", None, 3, 5)),
    )
    assert validate_tree(tree) == []


def test_every_problem_is_reported_in_chinese() -> None:
    tree = CategoryTree(
        "c",
        D(100),
        (
            group("1", None, 90),
            leaf("1.1", "1", 50, "direct"),
            Node("1.2", "1", 2, "无方法", "individual", D(40)),
            Node("2.1", "X", 2, "孤儿", "individual", D(10), "direct"),
            bonus("9", None, None, 5),
            leaf("9.1", "9", 1, "direct"),
        ),
    )
    problems = validate_tree(tree)
    assert "指标“1.2 无方法”：末级指标必须设置计分方法" in problems
    assert "指标“2.1 孤儿”：上级指标“X”不存在" in problems
    assert "指标“9 9”：必须设置加分上限" in problems
    assert "指标“9 9”：加扣分指标下只能设加扣分指标" in problems
    assert "指标“9.1 9.1”：加扣分指标下只能设加扣分指标" in problems


def test_top_level_points_must_add_up_to_the_scale() -> None:
    tree = CategoryTree("c", D(1000), (leaf("1", None, 990, "direct"),))
    assert validate_tree(tree) == ["一级指标分值合计 990 与满分 1000 不一致"]
