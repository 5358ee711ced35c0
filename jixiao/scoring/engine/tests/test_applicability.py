"""Indicators that apply to some units only (个性指标, `Node.units`)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryTree,
    LeafInput,
    SchemeError,
    compile_tree,
    explain,
    score_category,
    score_province,
    update_entry,
    validate_tree,
)
from jixiao.scoring.engine.reference import reference_category
from jixiao.scoring.engine.tests.helpers import D, bonus, group, leaf, run, units

STREETS = ("JD01", "JD02", "JD03", "JD04")


def street_tree(**overrides: frozenset[str] | None) -> CategoryTree:
    """攻坚克难 50: a common item 20, then each street's own 30-point item (东湖 JD01 and
    西关 JD02 their own, the other streets a shared one)."""
    restrictions = {
        "2.1": frozenset({"JD01"}),
        "2.2": frozenset({"JD02"}),
        "2.3": frozenset({"JD03", "JD04"}),
    }
    restrictions.update(overrides)
    return CategoryTree(
        "cat",
        D(100),
        (
            group("1", None, 50, kind="common"),
            leaf("1.1", "1", 50, "direct", kind="common"),
            group("2", None, 50),
            leaf("2.0", "2", 20, "completion"),
            replace(
                leaf("2.1", "2", 30, "completion", name="东湖：老旧小区改造"),
                units=restrictions["2.1"],
            ),
            replace(
                leaf("2.2", "2", 30, "completion", name="西关：历史街区活化"),
                units=restrictions["2.2"],
            ),
            replace(
                leaf("2.3", "2", 30, "completion", name="其他街道：攻坚项目"),
                units=restrictions["2.3"],
            ),
        ),
    )


def full_inputs(skip: set[tuple[str, str]] = set()) -> list[LeafInput]:  # noqa: B006
    result = []
    for unit in STREETS:
        result.append(LeafInput(unit, "1.1", {"score": 40}))
        result.append(LeafInput(unit, "2.0", {"actual": 10, "target": 10}))
    result += [
        LeafInput("JD01", "2.1", {"actual": 50, "target": 100}),
        LeafInput("JD02", "2.2", {"actual": 100, "target": 100}),
        LeafInput("JD03", "2.3", {"actual": 80, "target": 100}),
        LeafInput("JD04", "2.3", {"actual": 90, "target": 100}),
    ]
    return [i for i in result if (i.unit_code, i.indicator_code) not in skip]


def test_a_units_own_indicator_is_scored_and_the_others_neither_scored_nor_missing() -> None:
    _, result = run(street_tree(), units(*STREETS), full_inputs())
    assert result.score("JD01", "2.1") == D("15.0000")
    assert result.score("JD01", "2.2") == 0
    assert result.score("JD01", "2") == D("35.0000")
    assert result.score("JD02", "2") == D("50.0000")
    assert result.score("JD03", "2") == D("44.0000")
    assert [u.missing for u in result.units] == [()] * 4
    assert {u.unit_code: u.total for u in result.units} == {
        "JD01": D("75.00"),
        "JD02": D("90.00"),
        "JD03": D("84.00"),
        "JD04": D("87.00"),
    }
    assert result.applies("JD01", "2.1")
    assert not result.applies("JD01", "2.2")
    assert result.applies("JD01", "2")


def test_only_an_applicable_leaf_without_data_is_missing() -> None:
    _, result = run(street_tree(), units(*STREETS), full_inputs({("JD01", "2.1")}))
    assert result.unit("JD01").missing == ("2.1",)
    assert result.unit("JD02").missing == ()


def test_entries_for_an_indicator_that_does_not_apply_are_ignored() -> None:
    stale = [LeafInput("JD02", "2.1", {"actual": 0, "target": 100})]
    _, clean = run(street_tree(), units(*STREETS), full_inputs())
    _, with_stale = run(street_tree(), units(*STREETS), full_inputs() + stale)
    assert (clean.scores == with_stale.scores).all()


def test_rank_methods_compare_only_the_units_an_indicator_applies_to() -> None:
    tree = CategoryTree(
        "cat",
        D(10),
        (
            group("1", None, 10),
            replace(
                leaf("1.1", "1", 10, "rank", {"mode": "step", "step": 2}),
                units=frozenset({"A", "B"}),
            ),
            replace(
                leaf("1.2", "1", 10, "rank", {"mode": "proportional"}), units=frozenset({"C", "D"})
            ),
        ),
    )
    inputs = [
        LeafInput("A", "1.1", {"value": 80}),
        LeafInput("B", "1.1", {"value": 90}),
        LeafInput("C", "1.1", {"value": 1000}),  # stale: 1.1 is not C's indicator
        LeafInput("C", "1.2", {"value": 40}),
        LeafInput("D", "1.2", {"value": 50}),
        LeafInput("A", "1.2", {"value": 500}),  # stale
    ]
    province, result = run(tree, units("A", "B", "C", "D"), inputs)
    assert result.score("A", "1.1") == D("8.0000")  # second of two, not third of three
    assert result.score("B", "1.1") == D("10.0000")
    assert result.score("C", "1.2") == D("8.0000")  # 10 × 40 ÷ 50, not ÷ 500
    assert result.score("D", "1.2") == D("10.0000")
    text = explain(result, province.data["cat"], "C").as_text()
    assert "10 × 40 ÷ 50" in text


def test_value_added_takes_the_best_increment_among_applicable_units() -> None:
    tree = CategoryTree(
        "cat",
        D(10),
        (
            replace(leaf("1", None, 10, "value_added"), units=frozenset({"A", "B"})),
            replace(leaf("2", None, 10, "direct"), units=frozenset({"C"})),
        ),
    )
    inputs = [
        LeafInput("A", "1", {"current": 130, "last_year": 100}),
        LeafInput("B", "1", {"current": 110, "last_year": 100}),
        LeafInput("C", "1", {"current": 1000, "last_year": 0}),  # stale
        LeafInput("C", "2", {"score": 7}),
    ]
    _, result = run(tree, units("A", "B", "C"), inputs)
    assert result.score("A", "1") == D("10.0000")
    assert result.score("B", "1") == D("3.3333")
    assert result.unit("C").total == D("7.00")


def test_a_restriction_on_a_group_applies_to_its_descendants() -> None:
    tree = CategoryTree(
        "cat",
        D(10),
        (
            replace(group("1", None, 10), units=frozenset({"A"})),
            leaf("1.1", "1", 10, "direct"),
            replace(group("2", None, 10), units=frozenset({"B"})),
            replace(leaf("2.1", "2", 10, "direct"), units=frozenset({"A", "B"})),
        ),
    )
    inputs = [LeafInput("A", "1.1", {"score": 6}), LeafInput("B", "2.1", {"score": 9})]
    _, result = run(tree, units("A", "B"), inputs)
    assert not result.applies("B", "1.1")
    assert not result.applies("A", "2.1")  # listed, but its group is B's only
    assert result.unit("A").total == D("6.00")
    assert result.unit("B").total == D("9.00")
    assert result.unit("A").missing == result.unit("B").missing == ()


def test_a_restricted_bonus_penalty_item_ignores_other_units_events() -> None:
    tree = CategoryTree(
        "cat",
        D(10),
        (
            leaf("1", None, 10, "direct"),
            replace(bonus("9", None, 3, 3), units=frozenset({"A"})),
        ),
    )
    events = [
        BonusPenaltyEvent("A", "9", D(2), "表彰"),
        BonusPenaltyEvent("B", "9", D(2), "表彰"),
    ]
    inputs = [LeafInput("A", "1", {"score": 5}), LeafInput("B", "1", {"score": 5})]
    _, result = run(tree, units("A", "B"), inputs, events)
    assert result.unit("A").total == D("7.00")
    assert result.unit("B").total == D("5.00")


def test_explanations_leave_out_other_units_indicators_and_still_add_up() -> None:
    province, result = run(street_tree(), units(*STREETS), full_inputs())
    explanation = explain(result, province.data["cat"], "JD01")
    codes = [n.code for n in explanation.walk()]
    assert codes == ["1", "1.1", "2", "2.0", "2.1"]
    second = next(n for n in explanation.walk() if n.code == "2")
    assert second.formula == "20.0000 + 15.0000 = 35.0000"
    assert second.lost == D(15)
    assert "西关" not in explanation.as_text()


def test_the_fast_path_equals_the_reference_with_restrictions() -> None:
    tree = street_tree()
    unit_list = units(*STREETS)
    stale = LeafInput("JD01", "2.3", {"actual": 1, "target": 9})
    inputs = [*full_inputs({("JD04", "2.3")}), stale]
    _, result = run(tree, unit_list, inputs)
    reference = reference_category(tree, unit_list, inputs)
    for unit in STREETS:
        assert result.node_scores(unit) == reference.node_scores[unit]
        assert result.unit(unit).rank == reference.ranks[unit]
        assert set(result.unit(unit).missing) == reference.missing[unit]


def test_changing_an_entry_that_does_not_apply_changes_no_score() -> None:
    province, result = run(street_tree(), units(*STREETS), full_inputs())
    full = score_province(province)
    new_province, new = update_entry(
        province, full, LeafInput("JD03", "2.1", {"actual": 100, "target": 1})
    )
    assert (new.categories["cat"].scores == result.scores).all()
    new_province, new = update_entry(
        new_province, new, LeafInput("JD01", "2.1", {"actual": 100, "target": 100})
    )
    assert new.categories["cat"].unit("JD01").total == D("90.00")
    again = score_category(new_province.trees["cat"], new_province.data["cat"])
    assert (again.scores == new.categories["cat"].scores).all()


# Validation: every unit's applicable children add up --------------------------------


def test_per_unit_sums_are_checked_against_the_categorys_units() -> None:
    tree = street_tree(**{"2.3": frozenset({"JD03"})})  # JD04 has no 30-point item
    assert validate_tree(tree) == []  # without the units: left to scoring time
    assert validate_tree(tree, STREETS) == [
        "单位“JD04”：指标“2 2”适用的下级指标分值合计 20 与本指标分值 50 不一致"
    ]
    assert validate_tree(tree, ("JD01", "JD02", "JD03")) == []
    with pytest.raises(SchemeError) as raised:
        compile_tree(tree, STREETS)
    assert "JD04" in raised.value.problems[0]


def test_scoring_refuses_a_category_where_a_unit_would_be_on_another_scale() -> None:
    tree = street_tree(**{"2.3": frozenset({"JD03", "JD04", "JD01"})})  # JD01 gets 2.1 and 2.3
    with pytest.raises(SchemeError) as raised:
        run(tree, units(*STREETS), full_inputs())
    assert list(raised.value.problems) == [
        "类别“cat”：单位“JD01”：指标“2 2”适用的下级指标分值合计 80 与本指标分值 50 不一致"
    ]
    compiled = compile_tree(tree)  # structure is fine; the units decide
    province, _ = run(street_tree(), units(*STREETS), full_inputs())
    with pytest.raises(SchemeError):
        score_category(compiled, province.data["cat"])


def test_units_with_the_same_problem_are_named_together() -> None:
    many = tuple(f"U{i}" for i in range(7))
    tree = CategoryTree(
        "cat",
        D(10),
        (
            group("1", None, 10),
            leaf("1.1", "1", 4, "direct"),
            replace(leaf("1.2", "1", 6, "direct"), units=frozenset({"U0"})),
        ),
    )
    who = "单位“U1、U2、U3、U4、U5等6个单位”"
    assert validate_tree(tree, many) == [
        f"{who}：指标“1 1”适用的下级指标分值合计 4 与本指标分值 10 不一致"
    ]


def test_level_one_restrictions_are_checked_against_the_scale() -> None:
    tree = CategoryTree(
        "cat",
        D(100),
        (
            replace(leaf("A", None, 100, "direct"), units=frozenset({"X"})),
            replace(leaf("B", None, 90, "direct"), units=frozenset({"Y"})),
        ),
    )
    assert validate_tree(tree, ("X", "Y")) == [
        "单位“Y”：适用的一级指标分值合计 90 与满分 100 不一致"
    ]


def test_an_empty_restriction_is_refused() -> None:
    tree = CategoryTree("cat", D(10), (replace(leaf("1", None, 10, "direct"), units=frozenset()),))
    assert validate_tree(tree) == ["指标“1 1”：适用单位不能为空（不限单位时不设适用单位）"]


def test_a_tree_without_restrictions_behaves_as_before() -> None:
    tree = CategoryTree("cat", D(10), (group("1", None, 10), leaf("1.1", "1", 9, "direct")))
    assert validate_tree(tree, ("A",)) == ["指标“1 1”：下级指标分值合计 9 与本指标分值 10 不一致"]
    assert compile_tree(replace(tree, nodes=(leaf("1", None, 10, "direct"),))).restricted == ()
    assert Decimal(10) == tree.scale


def test_incremental_recompute_with_individual_indicators_matches_a_full_recompute() -> None:
    from bench.province import generate_province

    province = generate_province(units=90, categories=2, leaves=24, seed=5, restricted=2)
    data = province.data
    result = score_province(data)
    category = data.data["C01"]
    restricted = [c for c in sorted(category.columns) if c.count("-") == 2][:4]
    assert len(restricted) == 4
    for row, indicator in enumerate(restricted):
        column = category.columns[indicator]
        source = int(column.reported.argmax())
        entry = LeafInput(category.unit_codes[row], indicator, column.values_at(source))
        data, result = update_entry(data, result, entry)
        full = score_province(data)
        assert (full.categories["C01"].scores == result.categories["C01"].scores).all()
        assert full.categories["C01"].units == result.categories["C01"].units
    scale = province.trees[0].scale
    compiled = result.categories["C01"].compiled
    for unit in category.unit_codes:
        applicable = [
            compiled.nodes[i].points
            for i in compiled.scored_leaves
            if result.categories["C01"].applies(unit, compiled.nodes[i].code)
        ]
        assert sum(applicable, Decimal(0)) == scale
