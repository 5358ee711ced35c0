"""Times the inspection registry's pure cores at province scale (no database).

    python bench/bench_inspections.py

A province year: 10,000 units in 40 categories of 250, 300 departments registering
20,000 inspections (95% naming 1–20 units, 5% a whole category), 1–5 days each, spread
over the year. Targets: the 统筹合并 clashes of the whole year (≈ 450,000 unit-visits)
≤ 2 s; the 15-working-day check of all 20,000 registrations (with a 30-day office table)
≤ 1 s.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jixiao.inspections import merging, workdays

YEAR = 2026


def visits(seed: int = 11) -> tuple[list[tuple[int, int, date, date]], list[tuple[date, date]]]:
    rng = random.Random(seed)
    rows: list[tuple[int, int, date, date]] = []
    registrations: list[tuple[date, date]] = []
    for inspection in range(20_000):
        start = date(YEAR, 1, 5) + timedelta(days=rng.randrange(350))
        end = start + timedelta(days=rng.randrange(5))
        if rng.random() < 0.05:
            first = rng.randrange(40) * 250
            units = range(first, first + 250)
        else:
            units = rng.sample(range(10_000), rng.randint(1, 20))
        rows.extend((inspection, unit, start, end) for unit in units)
        registered = start - timedelta(days=rng.randint(5, 60))
        registrations.append((registered, start))
    return rows, registrations


def main() -> None:
    rows, registrations = visits()
    table = {date(YEAR, 1, 1) + timedelta(days=3 * k): bool(k % 2) for k in range(30)}
    times, cpu = [], []
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        found = merging.clashes(rows)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(
        f"clashes of {len(rows):,} unit-visits: {len(found):,} unit-weeks flagged; "
        f"median {statistics.median(times):.2f} s wall, {statistics.median(cpu):.2f} s CPU, "
        f"worst {max(times):.2f} s (target ≤ 2 s)"
    )
    times = []
    for _ in range(3):
        t = time.perf_counter()
        late = sum(
            not workdays.registered_in_time(reg, start, 15, table) for reg, start in registrations
        )
        times.append(time.perf_counter() - t)
    print(
        f"15-working-day check of {len(registrations):,} registrations: {late:,} late; "
        f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s (target ≤ 1 s)"
    )


if __name__ == "__main__":
    main()
