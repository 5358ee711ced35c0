"""Times the rankings page of a 500-unit category (server time, through the full Django
stack: middleware, session, access checks, template).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench python bench/bench_rankings.py

Loads a one-category province (bench/province.py) as year 2098 once, computes a run,
then requests `/scoring/runs/<id>/rankings/` as the office. Target: ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bench_recompute import load_province  # noqa: E402
from bench.province import generate_province  # noqa: E402
from jixiao.accounts.models import User  # noqa: E402
from jixiao.accounts.roles import Role  # noqa: E402
from jixiao.core.testing import login, make_user  # noqa: E402
from jixiao.org.models import AssessmentYear, Organization, OrganizationKind  # noqa: E402
from jixiao.scoring import actions  # noqa: E402
from jixiao.scoring.models import ScoreRun  # noqa: E402

TARGET_MS = 150.0


def _office() -> User:
    org, _ = Organization.objects.get_or_create(
        code="RBENCHJXB", defaults={"name": "基准绩效办", "kind": OrganizationKind.OFFICE}
    )
    user = User.objects.filter(username="bench_office").first()
    if user is None:
        user = make_user("bench_office", Role.OFFICE, org)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save()
    return user


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the rankings page")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--leaves", type=int, default=200)
    parser.add_argument("--year", type=int, default=2098)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("set DATABASE_URL to a PostgreSQL database")
        return 2
    year = AssessmentYear.objects.filter(year=args.year).first()
    if args.reload or year is None or year.enrollments.count() != args.units:
        province = generate_province(args.units, 1, args.leaves, seed=7)
        year = load_province(province, args.year, prefix="R")
    # A fresh run: the page reads what the current code stores.
    run: ScoreRun = actions.compute_run(year, note="bench")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    client = login(Client(), _office())
    url = reverse("scoring:rankings", args=[run.pk])
    for _ in range(3):
        warm = client.get(url)  # warm caches and templates
        assert warm.status_code == 200, (warm.status_code, warm.get("Location"))
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    median = statistics.median(timings) * 1000
    print(
        f"rankings page, {args.units} units: median {median:.1f} ms, "
        f"min {min(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms, "
        f"{len(queries)} queries, {len(response.content) // 1024} KiB "
        f"(load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})"
    )
    ok = median <= TARGET_MS
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
