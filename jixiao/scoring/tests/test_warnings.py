"""Warnings end to end (后N位, 连续两年后列): last year's warning is read from last year's
published run, as it was published under last year's rules, never guessed from a rank."""

from __future__ import annotations

import pytest

from jixiao.accounts.models import User
from jixiao.scoring.actions import compute_run, publish_run
from jixiao.scoring.models import CategoryRules, RankingsAudience, UnitResult
from jixiao.scoring.tests.factories import liwan_world

pytestmark = pytest.mark.django_db


def _warnings(run) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    rows = UnitResult.objects.filter(run=run).values_list("unit__code", "warnings")
    return {code: [w[0] for w in warnings] for code, warnings in rows if warnings}


def _year(scores: list[int], year: int, bottom: int):  # type: ignore[no-untyped-def]
    w = liwan_world(scores, year=year)
    CategoryRules.objects.create(category=w.categories["ZF"], warning_bottom=bottom)
    run = compute_run(w.year)
    return run, w


def test_third_of_five_warned_under_last_years_bottom_three_is_warned_twice_when_last(
    office: User,
) -> None:
    last, _ = _year([90, 80, 70, 60, 50], 2025, 3)
    assert _warnings(last) == {"U02": ["bottom_two"], "U03": ["bottom_two"], "U04": ["bottom_two"]}
    publish_run(last, user=office, audience=RankingsAudience.LEADERS)
    this, _ = _year([90, 80, 60, 70, 95], 2026, 3)
    # U02 is now last (60): warned last year as 3rd of 5, so this is the second year.
    assert _warnings(this)["U02"] == ["bottom_two", "bottom_two_consecutive"]


def test_fourth_of_five_under_last_years_bottom_one_was_not_warned(office: User) -> None:
    last, _ = _year([90, 80, 70, 60, 50], 2025, 1)
    assert _warnings(last) == {"U04": ["bottom_two"]}
    publish_run(last, user=office, audience=RankingsAudience.LEADERS)
    this, _ = _year([90, 80, 70, 50, 60], 2026, 1)
    assert _warnings(this) == {"U03": ["bottom_two"]}


def test_a_three_way_tie_warned_last_year_counts_this_year(office: User) -> None:
    last, _ = _year([90, 80, 70, 70, 70], 2025, 3)
    assert set(_warnings(last)) == {"U02", "U03", "U04"}
    publish_run(last, user=office, audience=RankingsAudience.LEADERS)
    this, _ = _year([50, 90, 85, 60, 55], 2026, 3)
    assert _warnings(this) == {
        "U00": ["bottom_two"],
        "U03": ["bottom_two", "bottom_two_consecutive"],
        "U04": ["bottom_two", "bottom_two_consecutive"],
    }


def test_a_category_of_n_or_fewer_units_is_neither_warned_nor_barred(office: User) -> None:
    run, _ = _year([90, 80], 2026, 2)
    rows = dict(UnitResult.objects.filter(run=run).values_list("unit__code", "awards"))
    assert _warnings(run) == {}
    assert rows["U00"] == [["标兵", "类别内综合得分最高"]]


def test_an_unpublished_last_year_counts_for_nothing(office: User) -> None:
    _year([90, 80, 70, 60, 50], 2025, 2)
    this, _ = _year([90, 80, 70, 60, 50], 2026, 2)
    assert _warnings(this) == {"U03": ["bottom_two"], "U04": ["bottom_two"]}


def test_a_snapshot_from_before_the_rule_is_read_with_the_rule_it_was_computed_with() -> None:
    from jixiao.scoring.snapshot import last_year_from_layout

    old = last_year_from_layout({"last_year": {"A": ["60.00", 4, 5], "B": ["70.00", 3, 5]}})
    assert (old["A"].warned, old["B"].warned) == (True, False)  # then: last two ranks
    new = last_year_from_layout({"last_year": {"B": ["70.00", 3, 5, True]}})
    assert new["B"].warned is True
