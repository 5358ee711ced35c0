"""Times the spot-check draw and the implausible-entry check (pure cores, no database).

    python bench/bench_verification.py            # the province year: ~2 M entries

Population: every reported leaf entry of `bench/province.py` (10,000 units × 200 leaves),
stratified by (indicator kind, data department: one of 300, by leaf position), 2% of
entries flagged. Targets: the draw of a 10% stratified, flag-weighted sample ≤ 1 s;
flagging every entry in one vectorised pass (`plausibility.flag_mask`, completion ratios
normalised) ≤ 10 s; one entry's plausibility check (60 peers, last year) ≤ 20 ms.
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
from jixiao.verification import plausibility, sampling


def population(units: int, leaves: int) -> tuple[np.ndarray, ...]:
    """(ids, strata, flagged, normalised x, previous, peer group, ratio, raw)."""
    province = generate_province(units=units, categories=40, leaves=leaves)
    xs, groups, ratios = [], [], []
    kinds: dict[str, int] = {}
    ids, strata = [], []
    serial = 0
    for tree in province.trees:
        data = province.data.data[tree.category_code]
        leaves_of = [n for n in tree.nodes if n.method]
        for position, node in enumerate(leaves_of):
            column = data.columns.get(node.code)
            if column is None:
                continue
            n = int(column.reported.sum())
            kind = kinds.setdefault(node.kind, len(kinds))
            department = position % 300
            ids.append(np.arange(serial, serial + n, dtype=np.int64))
            numbers = [c for c in column.fields.values() if hasattr(c, "digits")]
            if not numbers:  # grades: no number to compare
                values = np.full(len(column.reported), np.nan)
            else:
                values = numbers[0].values.astype(np.float64) / 10 ** numbers[0].digits
                if node.method in plausibility.RATIO_METHODS and len(numbers) > 1:
                    reference = numbers[1].values.astype(np.float64) / 10 ** numbers[1].digits
                    with np.errstate(invalid="ignore", divide="ignore"):
                        values = np.where(reference != 0, values / reference, np.nan)
            values = values[column.reported]
            xs.append(values)
            groups.append(np.full(n, len(groups), dtype=np.int64))
            ratios.append(np.full(n, node.method in plausibility.RATIO_METHODS))
            strata.append(np.full(n, kind * 1000 + department, dtype=np.int64))
            serial += n
    all_ids = np.concatenate(ids)
    rng = np.random.default_rng(5)
    flagged = rng.random(len(all_ids)) < 0.02
    x = np.concatenate(xs)
    previous = x * rng.normal(1.0, 0.2, len(x))  # last year's figure
    ratio = np.concatenate(ratios)
    return all_ids, np.concatenate(strata), flagged, x, previous, np.concatenate(groups), ratio, x


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--leaves", type=int, default=200)
    args = parser.parse_args()
    started = time.perf_counter()
    ids, strata, flagged, x, previous, group, ratio, raw = population(args.units, args.leaves)
    print(
        f"population: {len(ids):,} entries, {len(set(strata.tolist()))} strata "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    times = []
    for seed in range(5):
        t = time.perf_counter()
        drawn = sampling.draw(ids, strata, flagged, fraction=0.1, seed=seed, flag_weight=5)
        times.append(time.perf_counter() - t)
    print(
        f"draw 10%: {len(drawn.ids):,} entries, {drawn.strata} strata; "
        f"median {statistics.median(times):.3f} s, worst {max(times):.3f} s (target ≤ 1 s)"
    )
    times = []
    for _ in range(3):
        t = time.perf_counter()
        mask = plausibility.flag_mask(x, previous, group, ratio, raw)
        times.append(time.perf_counter() - t)
    print(
        f"flag all entries: {int(mask.sum()):,} flagged; "
        f"median {statistics.median(times):.2f} s (target ≤ 10 s)"
    )
    peers = list(np.random.default_rng(2).normal(1.0, 0.1, 60))
    t = time.perf_counter()
    for _ in range(1000):
        plausibility.assess("completion", 480, 100, previous=("上年", 0.95), peers=peers)
    per = (time.perf_counter() - t) / 1000 * 1000
    print(f"plausibility of one entry (60 peers): {per:.3f} ms (target ≤ 20 ms)")


if __name__ == "__main__":
    main()
