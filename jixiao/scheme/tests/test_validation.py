from dataclasses import replace
from decimal import Decimal

from jixiao.scheme.tests.conftest import small_tree
from jixiao.scheme.tree import NodeData
from jixiao.scheme.validation import Context, Rule, Severity, validate

CTX = Context(
    scales={"AG": Decimal(100), "ST": Decimal(1000)},
    units_by_category={"AG": frozenset({"FGJ", "JYJ"}), "ST": frozenset({"JD01"})},
    departments=frozenset({"FGJ", "JYJ"}),
)


def rules(nodes: list[NodeData], severity: Severity = Severity.ERROR) -> set[Rule]:
    return {i.rule for i in validate(nodes, CTX).issues if i.severity == severity}


def edit(code: str, **changes: object) -> list[NodeData]:
    return [replace(n, **changes) if n.code == code else n for n in small_tree()]  # type: ignore[arg-type]


def test_the_small_tree_is_clean() -> None:
    assert validate(small_tree(), CTX).issues == []


def test_children_must_add_up_to_their_parent_in_every_category() -> None:
    nodes = edit("A1", points={"AG": Decimal(40), "ST": Decimal(390)})
    report = validate(nodes, CTX)
    messages = [i.message for i in report.errors]
    assert any("下级指标分值合计 590" in m and "600" in m for m in messages)
    assert Rule.CHILDREN_SUM in {i.rule for i in report.errors}


def test_bonus_penalty_children_are_left_out_of_sums() -> None:
    nodes = [
        *small_tree(),
        NodeData(
            "A9",
            "A",
            2,
            "附加",
            "bonus_penalty",
            owner_code="FGJ",
            points={"AG": Decimal(5)},
            bonus_cap=Decimal(1),
            penalty_cap=Decimal(1),
        ),
    ]
    assert Rule.CHILDREN_SUM not in rules(nodes)


def test_every_leaf_needs_an_owner_and_a_method() -> None:
    assert Rule.OWNER in rules(edit("A1", owner_code=None))
    assert Rule.METHOD in rules(edit("A1", method=""))
    assert Rule.OWNER in rules(edit("A1", owner_code="NOPE"))


def test_method_parameters_are_checked_with_the_registry() -> None:
    report = validate(edit("A2", params={}), CTX)
    assert any("每次扣分" in i.message for i in report.errors if i.rule == Rule.PARAMS)
    assert Rule.PARAMS in rules(edit("A2", params={"per_occurrence": "1", "bogus": 1}))


def test_a_categorys_level_one_total_must_equal_its_scale() -> None:
    nodes = edit("B", points={"AG": Decimal(30), "ST": Decimal(400)})
    nodes = [
        replace(n, points={"AG": Decimal(30), "ST": Decimal(400)}) if n.code == "B1" else n
        for n in nodes
    ]
    report = validate(nodes, CTX)
    assert [i.rule for i in report.errors] == [Rule.SCALE_TOTAL]
    assert "90" in report.errors[0].message


def test_duplicate_codes_are_errors() -> None:
    assert Rule.DUPLICATE_CODE in rules([*small_tree(), small_tree()[1]])


def test_depth_is_limited_to_three_levels() -> None:
    nodes = [*small_tree()]
    nodes = [replace(n, method="", owner_code=None) if n.code == "A1" else n for n in nodes]
    nodes += [
        NodeData("A11", "A1", 3, "三级", "common", points={"AG": Decimal(40), "ST": Decimal(400)}),
        NodeData(
            "A111",
            "A11",
            4,
            "四级",
            "common",
            owner_code="FGJ",
            method="direct",
            points={"AG": Decimal(40), "ST": Decimal(400)},
        ),
    ]
    assert Rule.DEPTH in rules(nodes)


def test_outermost_bonus_penalty_nodes_need_both_caps() -> None:
    report = validate(edit("C", penalty_cap=None), CTX)
    assert any("扣分上限" in i.message for i in report.errors)


def test_qualitative_indicators_below_sixty_percent_quantitative_only_warn() -> None:
    nodes = edit("A", is_qualitative=True)
    nodes = [replace(n, is_qualitative=True) if n.code == "A1" else n for n in nodes]
    report = validate(nodes, CTX)
    assert report.ok
    assert Rule.QUALITATIVE in {i.rule for i in report.warnings}
    assert "33.3%" in report.warnings[0].message


def test_qualitative_indicators_with_enough_quantitative_points_pass() -> None:
    nodes = edit("A", is_qualitative=True)
    nodes = [replace(n, is_qualitative=True) if n.code == "A2" else n for n in nodes]
    assert validate(nodes, CTX).issues == []


def test_indicators_that_apply_to_no_unit_are_warnings() -> None:
    assert Rule.NO_UNITS in rules(edit("C1", unit_codes=("JD99",)), Severity.WARNING)
    no_units = Context(scales=CTX.scales, departments=CTX.departments)
    report = validate(small_tree(), no_units)
    assert report.ok
    assert {i.rule for i in report.warnings} == {Rule.NO_UNITS}


def test_a_child_cannot_apply_to_a_category_its_parent_does_not() -> None:
    nodes = edit("A", points={"AG": Decimal(60)})
    assert Rule.CHILDREN_SUM in rules(nodes)
