"""The formulas, explanations and cap notes the pure engine builds in Chinese reach the
English UI translated (scoring/labels.py `engine_formula`, the `|formula` filter), and the
Chinese UI shows them exactly as the engine wrote them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from jixiao.accounts.models import User
from jixiao.scoring import actions
from jixiao.scoring.engine.caps import CappedSum
from jixiao.scoring.engine.methods import METHODS, ColumnContext
from jixiao.scoring.labels import engine_formula
from jixiao.scoring.models import UnitResult
from jixiao.scoring.tests.factories import zhangjiagang_world
from jixiao.scoring.views_support import card_for

D = Decimal
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _ctx(values: tuple[str, ...] = (), best: str | None = None, total: str | None = None) -> Any:
    return ColumnContext(
        values=tuple(D(v) for v in values),
        best=None if best is None else D(best),
        positive_sum=None if total is None else D(total),
    )


# (method, params, values, context, staffing): every branch of every evaluator.
CASES: list[tuple[str, dict[str, Any], dict[str, Any], Any, int | None]] = [
    ("direct", {}, {"score": D(8)}, None, None),
    ("deduction", {"per_occurrence": 2, "floor": 4}, {"count": D(3)}, None, None),
    ("completion", {}, {"actual": D(85), "target": D(100)}, None, None),
    ("completion", {"zero_below": "0.6"}, {"actual": D(50), "target": D(100)}, None, None),
    ("completion", {"lower_is_better": True}, {"actual": D(0), "target": D(5)}, None, None),
    ("tiered", {"tiers": [{"min": 60, "share": "0.6"}]}, {"value": D(70)}, None, None),
    ("tiered", {"tiers": [{"min": 60, "share": "0.6"}]}, {"value": D(50)}, None, None),
    (
        "tiered",
        {"tiers": [{"max": 5, "share": 1}], "lower_is_better": True},
        {"value": D(3)},
        None,
        None,
    ),
    ("rank", {"mode": "fixed", "points_by_rank": [10, 8]}, {"value": D(5)}, _ctx(("5", "9")), None),
    (
        "rank",
        {"mode": "fixed", "points_by_rank": [10]},
        {"value": D(1)},
        _ctx(("1", "5", "9")),
        None,
    ),
    ("rank", {"mode": "step", "step": 2}, {"value": D(5)}, _ctx(("5", "9")), None),
    ("rank", {"mode": "proportional"}, {"value": D(5)}, _ctx(("5", "9"), "9"), None),
    ("rank", {"mode": "proportional"}, {"value": D(0)}, _ctx(("0", "9"), "9"), None),
    (
        "rank",
        {"mode": "proportional", "higher_is_better": False},
        {"value": D(5)},
        _ctx(("2", "5"), "2"),
        None,
    ),
    (
        "rank",
        {"mode": "proportional", "higher_is_better": False},
        {"value": D(0)},
        _ctx(("0", "5"), "0"),
        None,
    ),
    (
        "rank",
        {"mode": "proportional", "higher_is_better": False},
        {"value": D(5)},
        _ctx(("-1", "5"), "-1"),
        None,
    ),
    ("yoy_growth", {"target_growth": "0.1"}, {"current": D(105), "last_year": D(100)}, None, None),
    ("yoy_growth", {"target_growth": "0.1"}, {"current": D(5), "last_year": D(0)}, None, None),
    ("yoy_growth", {"target_growth": "0.1"}, {"current": D(0), "last_year": D(0)}, None, None),
    ("schedule_progress", {}, {"actual": D(40), "planned": D(50)}, None, None),
    ("schedule_progress", {}, {"actual": D(40), "planned": D(0)}, None, None),
    ("value_added", {}, {"current": D(120), "last_year": D(100)}, _ctx((), "40", "60"), None),
    ("value_added", {}, {"current": D(90), "last_year": D(100)}, _ctx((), "40", "60"), None),
    ("grade", {}, {"grade": "B"}, None, None),
    ("staffing_task", {"base": 10}, {"completed": D(3)}, None, 40),
    ("evaluation", {}, {"rating": D(92)}, None, None),
    ("supervision_cards", {"cap": 3}, {"red": D(2), "yellow": D(3)}, None, None),
]


# The English catalog gains these msgids when the lead regenerates it.
SPOT_CASES: list[tuple[str, dict[str, Any], dict[str, Any], Any, int | None]] = [
    (
        "spot_accuracy",
        {"per_wrong": "0.5", "cap": 2},
        {"checked": D(20), "wrong": D(3)},
        None,
        None,
    ),
    ("spot_accuracy", {"per_wrong": "0.5"}, {"checked": D(20), "wrong": D(1)}, None, None),
    ("spot_accuracy", {"per_wrong": "0.5"}, {"checked": D(0), "wrong": D(0)}, None, None),
]


def _formula(method: str, params: dict[str, Any], values: Any, ctx: Any, staffing: Any) -> str:
    spec = METHODS[method]
    return spec.evaluate(D(10), spec.normalize_params(params), values, ctx, staffing).formula


def test_every_method_is_covered() -> None:
    assert {case[0] for case in CASES + SPOT_CASES} == set(METHODS)


@pytest.mark.parametrize(
    "case",
    [*CASES, *SPOT_CASES],
    ids=lambda c: c[0],
)
def test_every_method_formula_reads_in_english(case: Any) -> None:
    text = _formula(*case)
    assert engine_formula(text) == text  # Chinese UI: exactly as the engine wrote it
    with translation.override("en"):
        english = engine_formula(text)
    assert not CJK.search(english), (text, english)
    numbers = re.findall(r"\d+(?:\.\d+)?", text)
    assert re.findall(r"\d+(?:\.\d+)?", english) == numbers  # every figure kept, in order


def test_cap_notes_and_missing_data_read_in_english() -> None:
    capped = CappedSum(D(2), D(7), D(3), D(5))
    texts = [
        capped.note(),
        capped.text(),
        CappedSum(D(0), D(0), None, None).text(),
        CappedSum(D(40), D(0), D(30), D(0)).text(),
        "未报送数据（缺少：实际完成值、目标值）→ 0.0000",
        "未报送数据（缺少：评议得分（百分制））→ 0.0000",
    ]
    assert capped.note() == "扣分 7 分，按上限计 5 分"
    for text in texts:
        assert engine_formula(text) == text
        with translation.override("en"):
            english = engine_formula(text)
        assert not CJK.search(english), (text, english)
    with translation.override("en"):
        assert engine_formula(capped.note()) == "Deductions 7 points, counted at the cap: 5 points"
        assert engine_formula("优秀") == "Excellent"  # a plain label too
        assert engine_formula("较好") == "较好"  # unknown text is left as it is


@pytest.mark.django_db
def test_the_report_card_formulas_render_in_english(office: User) -> None:
    w = zhangjiagang_world()
    run = actions.compute_run(w.year, user=office)
    template = Template(
        "{% load scoring_labels %}{% for l in lines %}"
        "{{ l.formula|formula }}|{{ l.reason|formula }}\n{% endfor %}"
    )
    for code in ("FGJ", "MZJ"):
        result = UnitResult.objects.select_related("unit", "run_category", "run").get(
            run=run, unit__code=code
        )
        card = card_for(result)
        leaves = [line for line in card.lines if line.is_leaf]
        assert leaves
        chinese = template.render(Context({"lines": card.lines}))
        assert chinese == "".join(f"{line.formula}|{line.reason}\n" for line in card.lines)
        with translation.override("en"):
            english = template.render(Context({"lines": card.lines}))
        for line in leaves:
            with translation.override("en"):
                assert not CJK.search(engine_formula(line.formula)), line.formula
        assert "min(" in english
