"""Recomputing after one entry changes equals recomputing everything."""

from __future__ import annotations

from bench.province import generate_province
from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    LeafInput,
    rescore,
    score_category,
    score_province,
    update_entry,
)
from jixiao.scoring.engine.tests.helpers import D


def test_changing_one_entry_matches_a_full_recompute() -> None:
    province = generate_province(units=120, categories=3, leaves=30, seed=3)
    data = province.data
    result = score_province(data)
    category = data.data["C02"]
    for indicator in sorted(category.columns)[:10]:
        column = category.columns[indicator]
        entry = LeafInput(category.unit_codes[0], indicator, column.values_at(5), ref="new")
        data, result = update_entry(data, result, entry)
        full = score_province(data)
        assert (full.categories["C02"].scores == result.categories["C02"].scores).all()
        assert full.categories["C02"].units == result.categories["C02"].units
    assert result.categories["C01"] is not None
    assert data.data["C01"] is province.data.data["C01"]


def test_a_relative_method_rescores_the_whole_column() -> None:
    province = generate_province(units=60, categories=1, leaves=60, seed=5)
    data = province.data
    result = score_province(data)
    compiled = data.trees["C01"]
    rank_leaf = next(
        compiled.nodes[i].code
        for i in compiled.scored_leaves
        if compiled.nodes[i].method in ("rank", "value_added")
    )
    category = data.data["C01"]
    values = dict(category.columns[rank_leaf].values_at(0))
    field = "value" if "value" in values else "current"
    values[field] = D(10**9)
    data, result = update_entry(data, result, LeafInput(category.unit_codes[0], rank_leaf, values))
    full = score_province(data)
    assert (full.categories["C01"].scores == result.categories["C01"].scores).all()


def test_changed_events_are_picked_up_by_rescore() -> None:
    province = generate_province(units=30, categories=1, leaves=10, seed=9)
    compiled = province.data.trees["C01"]
    category = province.data.data["C01"]
    before = score_category(compiled, category)
    unit = category.unit_codes[0]
    changed = category.with_events([BonusPenaltyEvent(unit, "C01-9.1", D(100), "特大贡献")])
    after = rescore(before, changed, [])
    assert after.score(unit, "C01-9") == D(5)  # capped at scale / 20
    assert (after.scores == score_category(compiled, changed).scores).all()
