"""Worked examples taken from the five source articles (shared/seeds)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryTree,
    LeafInput,
    SchemeError,
    UnitInfo,
    explain,
    score_records,
)
from jixiao.scoring.engine.results import (
    BottomBand,
    GradeRules,
    accumulate_quarters,
    assign_grades,
    competition_ranks,
    share_at_least,
)
from jixiao.scoring.engine.tests.helpers import D, bonus, group, leaf, run, units

# Zhangjiagang (ZJG): 实绩评估 60 / 定性评价 20 / 社会评议 20, social evaluation half 基层评议
# half 作风效能调查.
ZJG_AGENCY = CategoryTree(
    "econ",
    D(100),
    (
        group("1", None, 60, name="实绩评估"),
        group("1.1", "1", 40, name="个性指标"),
        leaf("1.1.1", "1.1", 25, "completion", name="重点工作完成率"),
        leaf("1.1.2", "1.1", 15, "schedule_progress", name="重大项目推进"),
        group("1.2", "1", 20, kind="common", name="共性指标"),
        leaf(
            "1.2.1", "1.2", 10, "deduction", {"per_occurrence": 1}, kind="common", name="依法行政"
        ),
        leaf("1.2.2", "1.2", 10, "grade", kind="common", name="政务公开"),
        leaf("2", None, 20, "evaluation", kind="evaluation", name="定性评价（领导评价）"),
        group("3", None, 20, kind="evaluation", name="社会评议"),
        leaf("3.1", "3", 10, "evaluation", kind="evaluation", name="区镇基层板块评议"),
        leaf("3.2", "3", 10, "evaluation", kind="evaluation", name="作风效能调查评议"),
        bonus("9", None, 3, 5),
    ),
)


def test_a_zhangjiagang_agency_adds_up_60_20_20() -> None:
    inputs = [
        LeafInput("U1", "1.1.1", {"actual": 90, "target": 100}),
        LeafInput("U1", "1.1.2", {"actual": 80, "planned": 100}),
        LeafInput("U1", "1.2.1", {"count": 2}),
        LeafInput("U1", "1.2.2", {"grade": "A"}),
        LeafInput("U1", "2", {"rating": 92}),
        LeafInput("U1", "3.1", {"rating": 88}),
        LeafInput("U1", "3.2", {"rating": "90.5"}),
    ]
    events = [BonusPenaltyEvent("U1", "9", D(1), "创建十佳机关服务品牌")]
    province, result = run(ZJG_AGENCY, units("U1", category="econ"), inputs, events)
    scores = result.node_scores("U1")
    assert scores["1.1"] == D("34.5")  # 25 × 0.9 + 15 × 0.8
    assert scores["1.2"] == D(18)  # (10 − 2) + 10
    assert scores["1"] == D("52.5")
    assert scores["2"] == D("18.4")
    assert scores["3"] == D("17.85")  # 8.8 + 9.05
    assert result.unit("U1").total == D("89.75")
    assert result.kind_subtotals("U1") == {
        "individual": D("34.5"),
        "common": D(18),
        "evaluation": D("36.25"),
        "bonus_penalty": D(1),
    }
    text = explain(result, province.data["econ"], "U1").as_text()
    assert "25 × min(90 ÷ 100, 1) = 22.5000" in text
    assert "创建十佳机关服务品牌" in text


def _one_leaf_category(code: str) -> CategoryTree:
    return CategoryTree(code, D(100), (leaf("S", None, 100, "direct"),))


def test_liwan_grades_the_top_30_percent_of_each_category_excellent() -> None:
    sizes = {"党群类": 7, "政府及法检类": 10, "街道类": 22}
    trees = [_one_leaf_category(code) for code in sizes]
    unit_list = [UnitInfo(f"{c}{i:02d}", c) for c, n in sizes.items() for i in range(n)]
    inputs = [LeafInput(u.unit_code, "S", {"score": 99 - i % 40}) for i, u in enumerate(unit_list)]
    _, result = score_records(trees, unit_list, inputs)
    excellent = {
        code: sorted(
            u for u, g in assign_grades(result.categories[code].units).items() if g == "优秀"
        )
        for code in sizes
    }
    # 30% of 7 = 2.1 -> 2, of 10 -> 3, of 22 = 6.6 -> 6 (a quota is a ceiling)
    assert {code: len(v) for code, v in excellent.items()} == {
        "党群类": 2,
        "政府及法检类": 3,
        "街道类": 6,
    }
    assert excellent["党群类"] == ["党群类00", "党群类01"]


def test_liwan_never_splits_a_tie_at_the_30_percent_boundary() -> None:
    tree = _one_leaf_category("gov")
    scores = [99, 98, 97, 97, 90, 89, 88, 87, 86, 85]
    unit_list = units(*(f"G{i}" for i in range(10)), category="gov")
    inputs = [LeafInput(f"G{i}", "S", {"score": s}) for i, s in enumerate(scores)]
    _, result = run(tree, unit_list, inputs)
    strict = assign_grades(result.units)
    assert sorted(u for u, g in strict.items() if g == "优秀") == ["G0", "G1"]
    lenient = assign_grades(result.units, GradeRules(tie_policy="include"))
    assert sorted(u for u, g in lenient.items() if g == "优秀") == ["G0", "G1", "G2", "G3"]


def test_liwan_sub_weight_of_an_evaluation_is_child_points() -> None:
    # 令行禁止、有呼必应 = 30% of 基层评议机关综合评分 (here worth 10 points)
    tree = CategoryTree(
        "street",
        D(10),
        (
            group("1", None, 10, kind="evaluation", name="基层评议机关综合评分"),
            leaf("1.1", "1", 3, "evaluation", kind="evaluation", name="令行禁止、有呼必应"),
            leaf("1.2", "1", 7, "evaluation", kind="evaluation", name="其他评议"),
        ),
    )
    inputs = [LeafInput("S1", "1.1", {"rating": 80}), LeafInput("S1", "1.2", {"rating": 90})]
    _, result = run(tree, units("S1", category="street"), inputs)
    assert result.score("S1", "1") == D("8.7")  # 3 × 0.8 + 7 × 0.9
    wrong = CategoryTree("street", D(10), (*tree.nodes[:2], leaf("1.2", "1", 6, "evaluation")))
    with pytest.raises(SchemeError, match="下级指标分值合计 9 与本指标分值 10 不一致"):
        run(wrong, units("S1", category="street"), [])


def test_jiangsu_staffing_to_task_ratio_rewards_fewer_staff_for_the_same_work() -> None:
    bases = {"服务经济": 3, "社会民生": 4, "综合保障": 5}
    trees = [
        CategoryTree(c, D(30), (leaf("K", None, 30, "staffing_task", {"base": b}),))
        for c, b in bases.items()
    ]
    unit_list = [UnitInfo(f"{c}-大", c, 60) for c in bases] + [
        UnitInfo(f"{c}-小", c, 36) for c in bases
    ]
    inputs = [LeafInput(u.unit_code, "K", {"completed": 12}) for u in unit_list]
    _, result = score_records(trees, unit_list, inputs)
    big = {c: result.categories[c].score(f"{c}-大", "K") for c in bases}
    small = {c: result.categories[c].score(f"{c}-小", "K") for c in bases}
    # 60 staff: required 20 / 15 / 12 tasks; 12 done
    assert big == {"服务经济": D(18), "社会民生": D(24), "综合保障": D(30)}
    # 36 staff: required 12 / 9 / 7.2 tasks; 12 done is full marks everywhere
    assert small == {"服务经济": D(30), "社会民生": D(30), "综合保障": D(30)}
    assert all(small[c] >= big[c] for c in bases)


def test_taixing_scores_towns_by_their_rank_and_grades_a_fourth_tier() -> None:
    tree = CategoryTree(
        "town",
        D(100),
        (
            leaf(
                "1",
                None,
                60,
                "rank",
                {"mode": "step", "step": 5, "floor": 40},
                name="高质量发展监测",
            ),
            leaf("2", None, 40, "evaluation", kind="evaluation", name="公众评议"),
        ),
    )
    values = {"T1": 9.1, "T2": 8.7, "T3": 8.7, "T4": 7.9, "T5": 6.5}
    inputs = [LeafInput(t, "1", {"value": str(v)}) for t, v in values.items()]
    inputs += [LeafInput(t, "2", {"rating": 90}) for t in values]
    _, result = run(tree, units(*values, category="town"), inputs)
    assert [result.score(t, "1") for t in values] == [D(60), D(55), D(55), D(45), D(40)]
    assert [u.rank for u in result.units] == [1, 2, 2, 4, 5]
    grades = assign_grades(result.units, GradeRules(bottom=BottomBand(bottom_count=1)))
    assert grades["T5"] == "第四等次"
    assert [grades[t] for t in ("T1", "T2", "T3", "T4")] == ["优秀", "合格", "合格", "合格"]


def test_taixing_quarterly_points_accumulate_into_the_year() -> None:
    quarters: dict[str, list[Decimal | None]] = {
        "T1": [D(90), D(92), D(88), D(95)],
        "T2": [D(95), D(91), None, D(96)],
    }
    year = accumulate_quarters(quarters, [D("0.2"), D("0.2"), D("0.2"), D("0.4")])
    assert year == {"T1": D("92.00"), "T2": D("75.60")}
    assert competition_ranks(year) == {"T1": 1, "T2": 2}
    with pytest.raises(ValueError, match="合计为1"):
        accumulate_quarters(quarters, [D("0.3")] * 4)


def _town_tree() -> CategoryTree:
    nodes = [
        group("1", None, 490, name="关键绩效指标"),
        group("2", None, 440, name="现代化指标"),
        group("3", None, 70, kind="common", name="保障工作指标"),
    ]
    nodes += [leaf(f"1.{i}", "1", 35, "completion") for i in range(1, 15)]
    nodes += [leaf(f"2.{i}", "2", 11, "direct") for i in range(1, 41)]
    nodes += [
        leaf("3.1", "3", 30, "evaluation", kind="common"),
        leaf("3.2", "3", 20, "grade", kind="common"),
        leaf("3.3", "3", 20, "deduction", {"per_occurrence": 5}, kind="common"),
    ]
    nodes += [bonus("8", None, 30, 0), bonus("9", None, 0, 50)]
    return CategoryTree("town", D(1000), tuple(nodes))


def test_a_thousand_point_town_caps_its_bonus_and_deduction_items() -> None:
    tree = _town_tree()
    assert sum(1 for n in tree.nodes if n.method) == 14 + 40 + 3
    inputs = []
    for town in ("Z1", "Z2"):
        inputs += [
            LeafInput(town, f"1.{i}", {"actual": 100, "target": 100})
            for i in range(1, 15)
            if not (town == "Z2" and i == 14)
        ]
        inputs += [LeafInput(town, f"2.{i}", {"score": 11}) for i in range(1, 41)]
        inputs += [
            LeafInput(town, "3.1", {"rating": 100}),
            LeafInput(town, "3.2", {"grade": "A"}),
            LeafInput(town, "3.3", {"count": 0}),
        ]
    events = [
        BonusPenaltyEvent("Z1", "8", D(20), "争创国家级示范"),
        BonusPenaltyEvent("Z1", "8", D(20), "重大项目突破"),
        BonusPenaltyEvent("Z2", "9", D(-30), "安全生产事故"),
        BonusPenaltyEvent("Z2", "9", D(-40), "环保督察问题"),
    ]
    province, result = run(tree, units("Z1", "Z2", category="town"), inputs, events)
    assert result.unit("Z1").total == D("1030.00")  # 1000 + bonus capped at 30
    assert result.unit("Z2").total == D("915.00")  # 1000 − 35 missing − deductions capped at 50
    assert result.unit("Z2").missing == ("1.14",)
    assert share_at_least(result.units, tree.scale).count == 2  # ≥ 900 on a 1000 scale
    bonus_node = next(
        n for n in explain(result, province.data["town"], "Z1").nodes if n.code == "8"
    )
    assert bonus_node.formula == "加分 40 分，按上限计 30 分（上限 +30 / −0） → 30.0000"
    assert bonus_node.cap_note == "加分 40 分，按上限计 30 分"
