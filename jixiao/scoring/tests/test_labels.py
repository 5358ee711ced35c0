"""The engine's Chinese labels reach the English UI translated, through scoring/labels.py;
and a method's parameters read as docs/scoring.md words them."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from jixiao.scoring.labels import engine_text, method_text, params_text


def test_engine_labels_follow_the_active_language() -> None:
    labels = ("优秀", "标兵", "按次扣分", "共性指标", "得分 = 分值 × 评议得分 ÷ 100")
    with translation.override("en"):
        english = [engine_text(t) for t in labels]
        # Each label goes through the catalog (new msgids get English at the next refresh).
        assert english == [gettext(t) for t in labels]
        assert engine_text("优秀") == "Excellent"
    assert engine_text("优秀") == "优秀"  # Chinese by default


def test_labels_with_a_number_keep_the_number() -> None:
    assert engine_text("排名较上年上升 3 位") == "排名较上年上升 3 位"
    with translation.override("en"):
        assert "3" in engine_text("排名较上年上升 3 位")


def test_an_office_defined_grade_is_shown_as_typed() -> None:
    assert engine_text("较好") == "较好"
    assert engine_text(None) == ""


def test_parameters_read_as_the_docs_word_them() -> None:
    assert method_text("deduction", {"per_occurrence": "2", "floor": "4"}) == (
        "按次扣分（每次扣 2 分，最低 4 分）"
    )
    assert params_text("rank", {"mode": "fixed", "points_by_rank": ["10", "8"]}) == (
        "固定分值，各名次分值 10、8"
    )
    assert params_text("tiered", {"tiers": [{"min": "60", "share": "0.6"}]}) == "达到 60 得 60%"
    assert params_text("yoy_growth", {"target_growth": "0.08"}) == "目标增幅 8%"
    assert method_text("direct", {}) == "直接打分"
