"""Explanations equal the computed scores exactly, from the total down to each leaf."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings

from jixiao.scoring.engine import BonusPenaltyEvent, LeafInput, explain
from jixiao.scoring.engine.tests.helpers import D, run, units
from jixiao.scoring.engine.tests.test_articles import ZJG_AGENCY
from jixiao.scoring.engine.tests.test_properties import scenarios


def test_every_figure_in_an_explanation_equals_the_computed_score() -> None:
    inputs = [
        LeafInput("U1", "1.1.1", {"actual": 85, "target": 100}, ref=101),
        LeafInput("U1", "1.1.2", {"actual": 2, "planned": 3}, ref=102),
        LeafInput("U1", "1.2.1", {"count": 3}, ref=103),
        LeafInput("U1", "2", {"rating": 91}, ref=104),
        LeafInput("U1", "3.1", {"rating": 88}, ref=105),
    ]
    events = [BonusPenaltyEvent("U1", "9", D(-2), "通报批评", ref="e1")]
    province, result = run(ZJG_AGENCY, units("U1", category="econ"), inputs, events)
    explanation = explain(result, province.data["econ"], "U1")
    scores = result.node_scores("U1")
    for node in explanation.walk():
        assert node.score == scores[node.code]
        assert node.formula.endswith(str(node.score))
        if node.lost is not None:
            assert node.lost == node.points - node.score
    leaf = next(n for n in explanation.walk() if n.code == "1.1.1")
    assert leaf.formula == "25 × min(85 ÷ 100, 1) = 21.2500"
    assert leaf.method_label == "完成率"
    assert leaf.ref == 101
    assert [(v.label, v.value) for v in leaf.values] == [("实际完成值", "85"), ("目标值", "100")]
    progress = next(n for n in explanation.walk() if n.code == "1.1.2")
    assert progress.formula == "15 × min(2 ÷ 3, 1) = 10.0000"
    missing = next(n for n in explanation.walk() if n.code == "1.2.2")
    assert missing.missing
    assert "未报送数据" in missing.formula
    assert explanation.missing == ("1.2.2", "3.2")
    penalty = next(n for n in explanation.walk() if n.code == "9")
    assert [(e.points, e.description, e.ref) for e in penalty.events] == [(D(-2), "通报批评", "e1")]
    assert explanation.total == result.unit("U1").total
    assert explanation.formula.endswith(str(explanation.total_exact))
    assert sum((n.score for n in explanation.nodes), Decimal(0)) == explanation.total_exact
    assert "失分" in explanation.as_text()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_explanations_of_random_schemes_match_the_scores(scenario: Any) -> None:
    tree, unit_list, inputs, events = scenario
    province, result = run(tree, unit_list, inputs, events)
    for unit in unit_list:
        explanation = explain(result, province.data["cat"], unit.unit_code)
        scores = result.node_scores(unit.unit_code)
        for node in explanation.walk():
            assert node.score == scores[node.code]
            assert node.formula.endswith(str(node.score))
