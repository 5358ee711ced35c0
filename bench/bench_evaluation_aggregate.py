"""Aggregating a province-scale evaluation: 1,000,000 public ratings and 50,000 ballots.

Pure (no database): the same functions the app uses (`jixiao/evaluation/aggregate.py`).

* 1,000,000 satisfaction ratings over 2,000 windows → a satisfaction index per window
  (`satisfaction_indices`: numpy counts, exact averages);
* 50,000 ballots in 5 reviewer groups, each scoring the 20 units of one of 25 categories on
  an indicator with 2 sub-items (2,000,000 scores) → trimmed means per (unit, group, item)
  (`columnar_means`), group scores and the 500 units' ratings (`group_of_means`, `combine`).

Target: ≤ 2 s for both together.

    .venv/bin/python bench/bench_evaluation_aggregate.py [--repeat 3] [--check]
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jixiao.evaluation.aggregate import (
    ItemInput,
    columnar_means,
    combine,
    group_of_means,
    satisfaction_indices,
)

RATINGS = 1_000_000
WINDOWS = 2_000
BALLOTS = 50_000
GROUPS = 5
CATEGORIES = 25
UNITS_PER_CATEGORY = 20
ITEMS = 2
POINTS = {5: Decimal(100), 4: Decimal(80), 3: Decimal(60), 2: Decimal(40), 1: Decimal(20)}
WEIGHTS = [Decimal(w) for w in (40, 20, 20, 10, 10)]
ITEM_INPUTS = [
    ItemInput("令行禁止、有呼必应", Decimal(30), ()),
    ItemInput("综合评价", Decimal(70), ()),
]


def generate(seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    ballot_group = rng.integers(0, GROUPS, BALLOTS)
    ballot_category = rng.integers(0, CATEGORIES, BALLOTS)
    # every ballot scores its category's 20 units on both items
    per = UNITS_PER_CATEGORY * ITEMS
    unit = (
        (ballot_category[:, None] * UNITS_PER_CATEGORY + np.arange(UNITS_PER_CATEGORY))
        .repeat(ITEMS, axis=1)
        .ravel()
    )
    item = np.tile(np.arange(ITEMS), BALLOTS * UNITS_PER_CATEGORY)
    group = ballot_group.repeat(per)
    values = rng.integers(600_000, 990_001, BALLOTS * per)  # 60.0000 … 99.0000
    return {
        "window": rng.integers(0, WINDOWS, RATINGS),
        "choice": rng.choice([5, 4, 3, 2, 1], RATINGS, p=[0.55, 0.3, 0.1, 0.03, 0.02]),
        "cells": (unit * GROUPS + group) * ITEMS + item,
        "values": values,
        "ballots_per_group_category": np.bincount(
            ballot_category * GROUPS + ballot_group, minlength=CATEGORIES * GROUPS
        ),
    }


def aggregate(data: dict[str, np.ndarray]) -> tuple[int, int]:
    indices = satisfaction_indices(data["window"], data["choice"], POINTS)
    means = columnar_means(data["cells"], data["values"], trim=1)
    ratings = 0
    for unit in range(CATEGORIES * UNITS_PER_CATEGORY):
        category = unit // UNITS_PER_CATEGORY
        groups = []
        for g in range(GROUPS):
            items = [
                (ITEM_INPUTS[i], means[(unit * GROUPS + g) * ITEMS + i])
                for i in range(ITEMS)
                if (unit * GROUPS + g) * ITEMS + i in means
            ]
            if items:
                ballots = int(data["ballots_per_group_category"][category * GROUPS + g])
                groups.append(group_of_means(f"组{g}", WEIGHTS[g], ballots, items))
        if combine(groups, []).value is not None:
            ratings += 1
    return len(indices), ratings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    t = time.perf_counter()
    data = generate()
    print(
        f"generated {RATINGS:,} ratings and {BALLOTS:,} ballots "
        f"({data['values'].size:,} scores) in {time.perf_counter() - t:.2f} s"
    )
    best = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        windows, units = aggregate(data)
        elapsed = time.perf_counter() - t
        best = min(best, elapsed)
        print(f"aggregated: {windows} window indices, {units} unit ratings in {elapsed:.3f} s")
    print(f"best {best:.3f} s (target ≤ 2 s)")
    return 1 if args.check and best > 2 else 0


if __name__ == "__main__":
    raise SystemExit(main())
