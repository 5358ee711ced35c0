"""The draw: every stratum covered, reproducible from the seed, weighted to flags."""

from __future__ import annotations

import numpy as np
import pytest

from jixiao.verification import sampling


def _population(n: int = 10_000, strata: int = 37) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    ids = rng.permutation(np.arange(1, n + 1, dtype=np.int64) * 3)
    # Skewed strata: some have one entry only.
    stratum = np.minimum(rng.geometric(0.15, n) - 1, strata - 1).astype(np.int64)
    return ids, stratum


def test_every_stratum_gets_at_least_one_entry_even_with_a_tiny_fraction() -> None:
    ids, strata = _population()
    drawn = sampling.draw(ids, strata, None, fraction=0.001, seed=7)
    covered = set(strata[np.isin(ids, drawn.ids)].tolist())
    assert covered == set(strata.tolist())
    assert drawn.strata == len(set(strata.tolist()))


def test_each_stratum_gets_its_proportion() -> None:
    ids, strata = _population()
    drawn = sampling.draw(ids, strata, None, fraction=0.1, seed=7)
    for s in set(strata.tolist()):
        size = int((strata == s).sum())
        got = int(np.isin(ids[strata == s], drawn.ids).sum())
        assert got == min(size, max(1, round(size * 0.1)))


def test_the_same_seed_and_population_give_the_same_sample_in_any_order() -> None:
    ids, strata = _population()
    first = sampling.draw(ids, strata, None, fraction=0.1, seed=42)
    order = np.random.default_rng(3).permutation(len(ids))
    again = sampling.draw(ids[order], strata[order], None, fraction=0.1, seed=42)
    assert np.array_equal(first.ids, again.ids)
    assert first.fingerprint == again.fingerprint
    other = sampling.draw(ids, strata, None, fraction=0.1, seed=43)
    assert not np.array_equal(first.ids, other.ids)


def test_a_changed_population_changes_the_fingerprint() -> None:
    ids, strata = _population()
    flagged = np.zeros(len(ids), bool)
    before = sampling.fingerprint(ids, strata, flagged)
    flagged[5] = True
    assert sampling.fingerprint(ids, strata, flagged) != before


def test_flagged_entries_are_drawn_more_often_when_weighted() -> None:
    ids, strata = np.arange(1, 10_001, dtype=np.int64), np.zeros(10_000, np.int64)
    flagged = ids % 10 == 0  # 10% flagged
    plain = sampling.draw(ids, strata, flagged, fraction=0.05, seed=1)
    weighted = sampling.draw(ids, strata, flagged, fraction=0.05, seed=1, flag_weight=10)
    share = lambda d: float(np.isin(d.ids, ids[flagged]).mean())  # noqa: E731
    assert share(plain) < 0.2 < 0.4 < share(weighted)


def test_a_fraction_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="fraction"):
        sampling.draw(np.arange(3), np.zeros(3, np.int64), None, fraction=0, seed=1)
