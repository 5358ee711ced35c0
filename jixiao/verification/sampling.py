"""The spot-check draw (抽样): a pure function over plain arrays, no ORM.

Stratified so that every stratum (indicator type × data department) is covered: each
stratum gets round(fraction × size), at least one entry, at most its size. Within a
stratum entries are drawn without replacement, optionally weighted towards flagged
entries (weight `flag_weight` instead of 1) with the Efraimidis–Spirakis keys
(u^(1/w), largest first), which is what makes one vectorised pass enough for 2 M
entries. The draw depends only on the seed and the population (ids in ascending
order, strata, flags), and `fingerprint` hashes that population, so anyone can redraw
the same sample from the recorded seed and compare fingerprints (a "redraw to audit").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Draw:
    ids: IntArray  # the drawn entry ids, ascending
    fingerprint: str
    strata: int


def _canonical(ids: IntArray) -> IntArray | None:
    """The order that sorts `ids` (None when they already are: the usual case)."""
    if len(ids) < 2 or bool(np.all(ids[1:] > ids[:-1])):
        return None
    return np.argsort(ids, kind="stable")


def fingerprint(ids: IntArray, strata: IntArray, flagged: npt.NDArray[np.bool_]) -> str:
    """SHA-256 of the population as drawn from (order-independent: sorted by id)."""
    order = _canonical(ids)
    if order is not None:
        ids, strata, flagged = ids[order], strata[order], flagged[order]
    return _digest(ids, strata, flagged)


def _digest(ids: IntArray, strata: IntArray, flagged: npt.NDArray[np.bool_]) -> str:
    digest = hashlib.sha256()
    for array in (ids, strata, flagged.astype(np.int8)):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def draw(
    ids: IntArray,
    strata: IntArray,
    flagged: npt.NDArray[np.bool_] | None,
    *,
    fraction: float,
    seed: int,
    flag_weight: float = 1.0,
) -> Draw:
    """Draw a stratified sample. `strata` are small non-negative ints (one per key)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    ids = np.asarray(ids, dtype=np.int64)
    strata = np.asarray(strata, dtype=np.int64)
    flagged = np.zeros(len(ids), bool) if flagged is None else np.asarray(flagged, bool)
    # The population in a canonical order, so the input order never changes the draw.
    order = _canonical(ids)
    if order is not None:
        ids, strata, flagged = ids[order], strata[order], flagged[order]
    print_ = _digest(ids, strata, flagged)
    if len(ids) == 0:
        return Draw(np.empty(0, np.int64), print_, 0)
    rng = np.random.default_rng(seed)
    # Efraimidis–Spirakis: key u^(1/w), largest first (w = 1, or flag_weight if flagged).
    keys = rng.random(len(ids))
    if flag_weight != 1.0:
        keys[flagged] **= 1.0 / max(flag_weight, 1e-9)
    # Group by stratum with a stable radix sort on small ints, then take each stratum's
    # largest keys with a partial sort (linear time; a stratum is an indicator type ×
    # department, so there are hundreds or thousands, not millions).
    small = strata.astype(np.int16) if strata.min() >= 0 and strata.max() < 2**15 else strata
    by = np.argsort(small, kind="stable")
    sorted_strata = strata[by]
    starts = np.flatnonzero(np.r_[True, sorted_strata[1:] != sorted_strata[:-1]])
    ends = np.r_[starts[1:], len(ids)]
    sorted_keys = keys[by]
    picks = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        size = end - start
        k = min(size, max(1, round(size * fraction)))
        if k == size:
            picks.append(by[start:end])
        else:
            top = np.argpartition(sorted_keys[start:end], size - k)[size - k :]
            picks.append(by[start + top])
    chosen = ids[np.concatenate(picks)]
    return Draw(np.sort(chosen), print_, len(starts))
