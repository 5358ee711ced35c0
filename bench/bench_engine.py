"""Times the pure scoring engine on a generated province.

    python bench/bench_engine.py                      # 10,000 units x 200 leaves (~2M entries)
    python bench/bench_engine.py --units 500 --categories 4 --leaves 40   # CI size

Targets (2-core machine): whole province <= 1 s (excluding data generation); one entry
changed -> its category recomputed <= 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.province import generate_province
from jixiao.scoring.engine import LeafInput, score_province, update_entry

FULL_TARGET_S = 1.0
INCREMENTAL_TARGET_MS = 50.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the scoring engine")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--categories", type=int, default=40)
    parser.add_argument("--leaves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument(
        "--restricted",
        type=int,
        default=2,
        help="leaves per category split into unit-specific 个性指标 variants (0 = none)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="full runs (best is reported)")
    parser.add_argument("--updates", type=int, default=50, help="incremental updates timed")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    province = generate_province(
        args.units, args.categories, args.leaves, args.seed, restricted=args.restricted
    )
    generated = time.perf_counter() - start
    entries = province.leaf_count()
    print(
        f"generated {len(province.units)} units / {len(province.trees)} categories / "
        f"{entries} leaf entries / {len(province.events)} events in {generated:.2f} s"
    )

    runs = []
    result = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = score_province(province.data)
        runs.append(time.perf_counter() - start)
    assert result is not None
    best = min(runs)
    print(
        f"full province: best {best * 1000:.0f} ms, runs "
        + ", ".join(f"{r * 1000:.0f}" for r in runs)
        + f" ms ({entries / best / 1e6:.1f} M entries/s)"
    )
    start = time.perf_counter()
    units = [u for c in result.categories.values() for u in c.units]
    elapsed = (time.perf_counter() - start) * 1000
    print(f"materialising {len(units)} UnitScore records: {elapsed:.0f} ms")

    rng = np.random.default_rng(args.seed)
    data = province.data
    timings = []
    for _ in range(args.updates):
        code = sorted(data.data)[int(rng.integers(0, len(data.data)))]
        category = data.data[code]
        indicator = sorted(category.columns)[int(rng.integers(0, len(category.columns)))]
        row = int(rng.integers(0, len(category.unit_codes)))
        column = category.columns[indicator]
        # A valid new value: what another unit entered for the same indicator.
        changed = column.values_at((row + 1) % len(category.unit_codes))
        entry = LeafInput(category.unit_codes[row], indicator, changed, ref="bench")
        start = time.perf_counter()
        data, result = update_entry(data, result, entry)
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings) * 1000
    worst = max(timings) * 1000
    print(f"incremental (one entry -> its category): median {median:.1f} ms, max {worst:.1f} ms")

    ok = best <= FULL_TARGET_S and median <= INCREMENTAL_TARGET_MS
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
