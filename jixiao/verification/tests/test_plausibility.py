"""Implausible-entry checks at their boundaries, in plain Chinese."""

from __future__ import annotations

from decimal import Decimal

from jixiao.verification.plausibility import Thresholds, assess

PEERS = [1.0, 1.05, 0.95, 1.1, 0.9, 1.02]


def test_a_completion_ratio_just_above_the_ceiling_is_flagged_and_at_it_is_not() -> None:
    assert assess("completion", Decimal("300"), Decimal("100")) == []
    assert assess("completion", Decimal("301"), Decimal("100")) == ["完成率 301%，超过上限 300%"]


def test_a_typo_of_480_for_48_is_caught_by_the_ceiling_and_the_peers() -> None:
    reasons = assess("completion", 480, 100, peers=PEERS)
    assert reasons[0] == "完成率 480%，超过上限 300%"
    assert "明显偏离同类单位（中位数 101%" in reasons[1]


def test_a_jump_beyond_the_factor_against_last_year_names_the_peer_median() -> None:
    peers = [0.10, 0.12, 0.11, 0.13, 0.14, 0.12]
    reasons = assess("direct", Decimal("5.8"), None, previous=("上年", 1.0), peers=peers)
    assert reasons[0] == "较上年增长 480%，同类单位中位数 0.12"


def test_a_jump_exactly_at_the_factor_is_not_flagged() -> None:
    assert assess("direct", 3, None, previous=("上期", 1.0)) == []
    assert assess("direct", 1, None, previous=("上期", 3.0)) == []
    assert assess("direct", 0.9, None, previous=("上期", 3.0)) == ["较上期下降 70%"]


def test_negative_counts_are_flagged_unless_the_indicator_allows_them() -> None:
    assert assess("deduction", -1, None) == ["数值为负数（-1），该指标不应为负"]
    assert assess("deduction", -1, None, thresholds=Thresholds(allow_negative=True)) == []


def test_peers_are_only_compared_with_enough_of_them() -> None:
    assert assess("direct", 100, None, peers=PEERS[:4]) == []
    assert assess("direct", 100, None, peers=PEERS) != []


def test_an_ordinary_entry_raises_nothing() -> None:
    assert assess("completion", 98, 100, previous=("上年", 0.9), peers=PEERS) == []


def test_the_vectorised_pass_flags_what_the_one_by_one_check_flags() -> None:
    import numpy as np

    from jixiao.verification.plausibility import flag_mask

    x = np.array([1.0, 1.05, 0.95, 1.1, 0.9, 1.02, 4.8, 0.98, 1.0, np.nan])
    previous = np.array([1.0] * 8 + [0.2, np.nan])
    group = np.zeros(10, np.int64)
    ratio = np.ones(10, bool)
    mask = flag_mask(x, previous, group, ratio, x * 100)
    # 480%: ceiling and peers; 1.0 after 0.2 last year: a fivefold jump.
    assert mask.tolist() == [False] * 6 + [True, False, True, False]
