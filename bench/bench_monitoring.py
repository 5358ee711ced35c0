"""Times process monitoring (docs/monitoring.md, "Performance").

    python bench/bench_monitoring.py                       # SQLite (JIXIAO_DATA_DIR) or
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_mon python bench/bench_monitoring.py

1. The monthly report core (`monitoring/zjg.py`) for 10,000 units × 200 indicators in 40
   categories, from plain arrays (loading is not timed). Target ≤ 5 s.
2. The light matrix and the board of a 500-unit category × 20 indicators with 10 months of
   progress (year 2097, bulk-loaded once: bench rows, not demo rows), requested as the
   office through the full Django stack. Target ≤ 150 ms server time each; the query
   count is printed (and asserted not to grow with units in tests/test_queries.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from jixiao.accounts.models import User  # noqa: E402
from jixiao.accounts.roles import Role  # noqa: E402
from jixiao.core.testing import login, make_user  # noqa: E402
from jixiao.monitoring import lights, zjg  # noqa: E402
from jixiao.monitoring.models import PlanStatus, Progress, Target  # noqa: E402
from jixiao.org.models import (  # noqa: E402
    AssessmentYear,
    Organization,
    OrganizationKind,
    UnitCategory,
    UnitEnrollment,
)
from jixiao.scheme.models import (  # noqa: E402
    Indicator,
    IndicatorKind,
    IndicatorPoints,
    Scheme,
    SchemeStatus,
)

TARGET_REPORT_S = 5.0
TARGET_PAGE_MS = 150.0


def bench_report(units: int, indicators: int, categories: int, repeat: int) -> float:
    rng = np.random.default_rng(7)
    annual = rng.uniform(100, 10_000, (units, indicators)).round(2)
    value = (annual * rng.uniform(0.4, 1.0, (units, indicators))).round(2)
    last = (value * rng.uniform(0.7, 1.3, (units, indicators))).round(2)
    value[rng.random((units, indicators)) < 0.01] = np.nan  # 1 % not reported
    expected = np.full((units, indicators), 10 / 12)
    weight = rng.integers(1, 10, (units, indicators)).astype(float)
    names = [f"U{i:05d}" for i in range(units)]
    cats = [f"C{i % categories:02d}" for i in range(units)]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        zjg.monthly_report(names, cats, value, last, annual, expected, weight)
        times.append(time.perf_counter() - start)
    return min(times)


def _office() -> User:
    org, _ = Organization.objects.get_or_create(
        code="MBENCHJXB", defaults={"name": "监控基准绩效办", "kind": OrganizationKind.OFFICE}
    )
    user = User.objects.filter(username="bench_mon_office").first()
    if user is None:
        user = make_user("bench_mon_office", Role.OFFICE, org)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save()
    return user


def load_category(year_number: int, units: int, indicators: int) -> Scheme:
    year = AssessmentYear.objects.filter(year=year_number).first()
    if year is not None and UnitEnrollment.objects.filter(year=year).count() == units:
        scheme = Scheme.objects.get(year=year)
        # Loaded before drafts existed: only submitted progress counts for the lights.
        Progress.objects.filter(target__scheme=scheme, submitted_at__isnull=True).update(
            submitted_at=timezone.now()
        )
        return scheme
    with transaction.atomic():
        year = AssessmentYear.objects.create(year=year_number, name=f"{year_number} 基准")
        category = UnitCategory.objects.create(year=year, code="MB", name="基准类")
        dept = Organization.objects.create(
            code=f"MBD{year_number}",
            name=f"基准部门{year_number}",
            kind=OrganizationKind.AGENCY,
            is_department=True,
        )
        orgs = Organization.objects.bulk_create(
            Organization(
                code=f"MB{year_number}{i:04d}",
                name=f"基准单位{year_number}-{i:04d}",
                kind=OrganizationKind.TOWN,
                is_assessed_unit=True,
                sort_order=i,
            )
            for i in range(units)
        )
        UnitEnrollment.objects.bulk_create(
            UnitEnrollment(year=year, unit=o, category=category) for o in orgs
        )
        scheme = Scheme.objects.create(
            year=year, name="基准方案", status=SchemeStatus.PUBLISHED, published_at=timezone.now()
        )
        root = Indicator.objects.create(
            scheme=scheme, code="ROOT", name="业绩", level=1, kind=IndicatorKind.COMMON
        )
        leaves = [
            Indicator.objects.create(
                scheme=scheme,
                parent=root,
                code=f"M{j:02d}",
                name=f"量化指标{j:02d}",
                level=2,
                kind=IndicatorKind.COMMON,
                owner=dept,
                method="completion",
            )
            for j in range(indicators)
        ]
        IndicatorPoints.objects.bulk_create(
            IndicatorPoints(indicator=leaf, category=category, points=Decimal(5)) for leaf in leaves
        )
        rng = np.random.default_rng(11)
        targets = Target.objects.bulk_create(
            Target(
                scheme=scheme,
                indicator=leaf,
                unit=o,
                annual=Decimal(1200),
                milestones=[str(m) for m in lights.even_milestones(Decimal(1200))],
                status=PlanStatus.APPROVED,
            )
            for o in orgs
            for leaf in leaves
        )
        paces = rng.uniform(0.6, 1.1, len(targets))
        submitted = timezone.now()
        Progress.objects.bulk_create(
            Progress(target=t, month=m, value=Decimal(int(100 * m * pace)), submitted_at=submitted)
            for t, pace in zip(targets, paces, strict=True)
            for m in range(1, 11)
        )
    if connection.vendor == "postgresql":  # as autovacuum would soon after such a load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE monitoring_target, monitoring_progress")
    return scheme


def time_page(client: Client, url: str, requests: int) -> tuple[float, float, float, int]:
    """(median wall ms, best wall ms, median CPU ms of this process, queries). On a shared
    machine the wall time mostly measures the other sessions; the CPU time does not."""
    client.get(url)  # warm up
    times, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), min(times), statistics.median(cpu), len(queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark process monitoring")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--category-units", type=int, default=500)
    parser.add_argument("--category-indicators", type=int, default=20)
    parser.add_argument("--year", type=int, default=2097)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    ok = True
    best = bench_report(args.units, args.indicators, 40, args.repeat)
    print(f"monthly report core {args.units} × {args.indicators}: {best:.2f} s best")
    ok &= best <= TARGET_REPORT_S
    scheme = load_category(args.year, args.category_units, args.category_indicators)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    client = login(Client(), _office())
    y = scheme.year.year
    for name, url in [
        ("light matrix", reverse("monitoring:matrix", args=[y]) + "?month=10"),
        ("board", reverse("monitoring:board", args=[y]) + "?month=10"),
    ]:
        median, low, cpu, n = time_page(client, url, args.requests)
        print(
            f"{name} ({args.category_units} units × {args.category_indicators}): "
            f"{median:.0f} ms median, {low:.0f} ms best wall; {cpu:.0f} ms median CPU; "
            f"{n} queries ({connection.vendor}); load {os.getloadavg()[0]:.1f}"
        )
        ok &= median <= TARGET_PAGE_MS
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
