"""Times the batch of PDF report cards as a long job: how long the whole batch takes and,
what the person waiting sees, how long the progress bar goes without moving.

    JIXIAO_DATA_DIR=data python bench/bench_cards_job.py        # the demo district (make run)

Uses the newest run of the current year in the configured database, runs the
`scoring.cards_pdf` job for the office account through `core.tasks.run_job` (eagerly, as
embedded), and records every progress report. Target: the bar moves at least every 2 s.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
os.environ.setdefault("JIXIAO_HTTPS", "0")

import django

django.setup()

from jixiao.accounts.models import User  # noqa: E402
from jixiao.accounts.roles import Role  # noqa: E402
from jixiao.core.models import Job  # noqa: E402
from jixiao.core.tasks import run_job  # noqa: E402
from jixiao.scoring import exports, jobs  # noqa: E402
from jixiao.scoring.models import ScoreRun  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="exit 1 if a gap exceeds 2 s")
    args = parser.parse_args()
    run = ScoreRun.objects.order_by("-year__year", "-number").first()
    office = User.objects.filter(role=Role.OFFICE).first()
    if run is None or office is None:
        print("no run or no office account: load the demo first (make run)")
        return 1
    results = jobs.batch_results(run)
    stamps: list[float] = []
    original = exports.cards_pdf

    def timed(*a, **kw):  # type: ignore[no-untyped-def]
        report = a[2] if len(a) > 2 else kw.get("progress")

        def progress(fraction: float) -> None:
            stamps.append(time.perf_counter())
            report(fraction)

        return original(a[0], a[1], progress)

    exports.cards_pdf = timed  # type: ignore[assignment]
    job = Job.objects.create(
        owner=office, kind=jobs.CARDS_PDF, title="bench", params={"run": run.pk}
    )
    started = time.perf_counter()
    run_job(job.pk)
    total = time.perf_counter() - started
    job.refresh_from_db()
    marks = [started, *stamps, started + total]
    gaps = [b - a for a, b in itertools.pairwise(marks)]
    print(f"{run}: {len(results)} cards, {job.result.size / 1024:.0f} KB, state {job.state}")
    print(f"whole job {total:.2f} s; {len(stamps)} progress reports; longest gap {max(gaps):.2f} s")
    job.result.delete(save=False)
    job.delete()
    return 1 if args.check and max(gaps) > 2 else 0


if __name__ == "__main__":
    raise SystemExit(main())
