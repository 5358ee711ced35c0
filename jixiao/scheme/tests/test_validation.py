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


# Individual targets (个性指标): indicators for some units only -----------------------

UNITS_CTX = Context(
    scales={"AG": Decimal(100), "ST": Decimal(1000)},
    units_by_category={
        "AG": frozenset({"FGJ", "JYJ"}),
        "ST": frozenset({"JD01", "JD02", "JD03"}),
    },
    departments=frozenset({"FGJ", "JYJ"}),
)


def individual_tree(jd03: tuple[str, ...] = ("JD03",)) -> list[NodeData]:
    """A2 (依法行政, 20 / 200) is replaced on the streets by each street's own 200-point
    个性指标: JD01 and JD02 their own, JD03 (by default) a third one."""
    nodes = [replace(n, points={"AG": Decimal(20)}) if n.code == "A2" else n for n in small_tree()]

    def own(code: str, name: str, units: tuple[str, ...]) -> NodeData:
        return NodeData(
            code,
            "A",
            2,
            name,
            "individual",
            owner_code="FGJ",
            method="completion",
            points={"ST": Decimal(200)},
            unit_codes=units,
        )

    return [
        *nodes,
        own("A3", "东湖街道：老旧小区改造", ("JD01",)),
        own("A4", "西关街道：历史街区活化", ("JD02",)),
        own("A5", "南岸街道：滨江步道贯通", jd03),
    ]


def test_each_units_own_indicators_add_up_to_the_parent_unit_by_unit() -> None:
    report = validate(individual_tree(), UNITS_CTX)
    assert report.issues == []


def test_a_unit_without_its_own_indicator_is_an_error_naming_the_unit_and_indicator() -> None:
    report = validate(individual_tree(jd03=("JD02",)), UNITS_CTX)
    assert [i.message for i in report.errors] == [
        "A 实绩评估：ST中适用于单位 JD02 的下级指标分值合计 800，与本指标分值 600 不一致",
        "A 实绩评估：ST中适用于单位 JD03 的下级指标分值合计 400，与本指标分值 600 不一致",
    ]
    assert {i.rule for i in report.errors} == {Rule.CHILDREN_SUM}
    assert all(i.code == "A" for i in report.errors)


def test_units_getting_the_same_wrong_total_are_named_together() -> None:
    ctx = replace(
        UNITS_CTX,
        units_by_category={
            **UNITS_CTX.units_by_category,
            "ST": frozenset({"JD01", "JD02", *(f"JD1{i}" for i in range(6))}),
        },
    )
    report = validate(individual_tree(), ctx)
    [issue] = report.errors
    assert "单位 JD10、JD11、JD12、JD13、JD14 等 6 个单位" in issue.message
    assert "合计 400" in issue.message


def test_level_one_indicators_for_some_units_must_reach_the_scale_for_every_unit() -> None:
    nodes = [replace(n, unit_codes=("FGJ",)) if n.code == "B" else n for n in small_tree()]
    report = validate(nodes, UNITS_CTX)
    messages = [i.message for i in report.errors if i.rule == Rule.SCALE_TOTAL]
    assert any("JYJ" in m and "合计 60" in m for m in messages)
    assert any("单位 JD01、JD02、JD03" in m and "合计 600" in m for m in messages)


def test_a_restriction_on_a_parent_also_holds_for_its_children() -> None:
    nodes = individual_tree()
    nodes = [replace(n, unit_codes=("JD01",)) if n.code == "A" else n for n in nodes]
    # A applies only to JD01 (and FGJ is not listed: A no longer applies to the agencies).
    report = validate(nodes, UNITS_CTX)
    warnings = [i for i in report.warnings if i.code == "A4"]
    assert warnings
    assert "不在上级指标“A”的适用单位中" in warnings[0].message
    # Streets JD02/JD03 and both agencies lose A: their level-1 total falls short.
    assert {i.rule for i in report.errors} == {Rule.SCALE_TOTAL}


def test_the_engine_agrees_with_per_unit_sums() -> None:
    # A clean tree passes the engine's own check too (it gets the units and restrictions).
    report = validate(individual_tree(), UNITS_CTX)
    assert not any(i.rule == Rule.ENGINE for i in report.issues)
