"""Times the analysis on a generated province (bench/province.py): a what-if scenario
re-ranked over every category, one weight change in a district-size category, and the
quality report (indicator quality, rank fragility, 1,000-draw noise simulation).

    python bench/bench_analysis.py                       # 10,000 units x 40 categories x 200 leaves
    python bench/bench_analysis.py --units 500 --categories 4 --leaves 40   # CI size

Targets (2-core machine): scenario over the province <= 1 s; one change in a 500-unit
category <= 500 ms (server side of the htmx round trip); quality report <= 10 s.
The Django layer is set up (settings only; no database is read).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django

django.setup()

from bench.province import generate_province  # noqa: E402
from jixiao.analysis.loading import CategoryState  # noqa: E402
from jixiao.analysis.report import category_report  # noqa: E402
from jixiao.analysis.scenarios import evaluate_category  # noqa: E402
from jixiao.scoring.engine import score_category  # noqa: E402
from jixiao.scoring.outcomes import rules_json  # noqa: E402

SCENARIO_TARGET_S = 1.0
DISTRICT_TARGET_S = 0.5
REPORT_TARGET_S = 10.0


def _states(province: Any) -> list[CategoryState]:
    states = []
    for code, compiled in sorted(province.data.trees.items()):
        data = province.data.data[code]
        result = score_category(compiled, data)
        states.append(
            CategoryState(
                0,
                0,
                code,
                code,
                "",
                compiled,
                data,
                result,
                rules_json(None),
                {},
                {u: u for u in data.unit_codes},
            )
        )
    return states


def _changes(state: CategoryState) -> dict[str, Any]:
    """Raise the first level-1 indicator by a fifth of its points, and 优秀 to 20%."""
    first = next(
        n for n in state.compiled.nodes if n.parent_code is None and n.kind != "bonus_penalty"
    )
    return {
        "points": {first.code: str((first.points * Decimal("1.2")).quantize(Decimal("0.01")))},
        "rules": {"excellent_share": "0.2"},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the analysis")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--categories", type=int, default=40)
    parser.add_argument("--leaves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f}")
    province = generate_province(args.units, args.categories, args.leaves, args.seed, restricted=2)
    states = _states(province)
    changes = {s.code: _changes(s) for s in states}

    for state in states:
        state.baseline  # noqa: B018  (the run's own standings: computed once, when loaded)
    runs = []
    cpu = []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        outcomes = [evaluate_category(s, changes[s.code]) for s in states]
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    problems = [p for o in outcomes for p in o.problems]
    assert not problems, problems[:3]
    moved = sum(o.count("rank") for o in outcomes)
    graded = sum(o.count("grade") for o in outcomes)
    scenario = min(runs)
    print(
        f"scenario over {len(states)} categories / {args.units} units:"
        f" best {scenario * 1000:.0f} ms"
        f" (runs {', '.join(f'{r * 1000:.0f}' for r in runs)}; CPU best {min(cpu) * 1000:.0f} ms);"
        f" {moved} ranks and {graded} grades change"
    )

    district = generate_province(500, 1, min(args.leaves, 60), args.seed, restricted=0)
    (state,) = _states(district)
    timings = []
    for share in ("1.1", "1.2", "1.3", "0.9", "0.8"):
        first = next(n for n in state.compiled.nodes if n.parent_code is None)
        change = {
            "points": {first.code: str((first.points * Decimal(share)).quantize(Decimal("0.01")))}
        }
        start = time.perf_counter()
        evaluate_category(state, change)
        timings.append(time.perf_counter() - start)
    one = statistics.median(timings)
    print(
        f"one weight change, 500-unit category: median {one * 1000:.0f} ms,"
        f" max {max(timings) * 1000:.0f} ms"
    )

    start, start_cpu = time.perf_counter(), time.process_time()
    reports = [category_report(s) for s in states]
    report = time.perf_counter() - start
    report_cpu = time.process_time() - start_cpu
    flat = sum(len(r.quality.flat) for r in reports)
    hinging = sum(len(r.hinges) for r in reports)
    print(
        f"quality report (quality + fragility + 1,000-draw simulation), {len(states)} categories:"
        f" {report:.2f} s (CPU {report_cpu:.2f} s); {flat} flat indicators,"
        f" {hinging} decisions under 0.1 point"
    )
    print(f"load average {os.getloadavg()[0]:.1f}")
    ok = scenario <= SCENARIO_TARGET_S and one <= DISTRICT_TARGET_S and report <= REPORT_TARGET_S
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
