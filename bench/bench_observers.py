"""Times what the observers app adds to pages that grow with the district: the board's
观察员意见 panel (`observer_opinions`), the quarterly overview page and one unit's
quarterly report, server side through the full Django stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_obs python bench/bench_observers.py

Loads (once) 500 assessed units with two observation points each and 40 submitted
observations per unit in 2098 Q4 (20,000 rows, bulk-inserted: bench data, not demo
data). Targets: opinions ≤ 20 ms (a slice of the board's 150 ms), the overview page and
a unit's report ≤ 150 ms each, with bounded queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
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

from jixiao.accounts.models import User  # noqa: E402
from jixiao.accounts.roles import Role  # noqa: E402
from jixiao.core.testing import login, make_user  # noqa: E402
from jixiao.observers.board import observer_opinions  # noqa: E402
from jixiao.observers.models import (  # noqa: E402
    Observation,
    ObservationPoint,
    ObservationStatus,
)
from jixiao.org.models import Organization, OrganizationKind  # noqa: E402

YEAR = 2098


def _user(username: str, role: str, org: Organization) -> User:
    user = User.objects.filter(username=username).first() or make_user(username, role, org)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save()
    return user


def load(units: int, per_unit: int) -> tuple[User, Organization]:
    office_org, _ = Organization.objects.get_or_create(
        code="OBENCHJXB", defaults={"name": "基准绩效办", "kind": OrganizationKind.OFFICE}
    )
    office = _user("obench_office", Role.OFFICE, office_org)
    observer = _user("obench_observer", Role.OBSERVER, office_org)
    if Observation.objects.filter(observed_on__year=YEAR).exists():
        return office, Organization.objects.filter(code__startswith="OB").order_by("code")[0]
    orgs = list(Organization.objects.filter(code__startswith="OB0").order_by("code"))
    orgs = orgs or Organization.objects.bulk_create(
        Organization(
            code=f"OB{i:04d}",
            name=f"基准街道{i:04d}",
            kind=OrganizationKind.STREET,
            is_assessed_unit=True,
        )
        for i in range(units)
    )
    points = ObservationPoint.objects.bulk_create(
        ObservationPoint(unit=o, name=f"观测点{j}") for o in orgs for j in range(2)
    )
    now = timezone.now()
    rows = []
    for n, point in enumerate(points):
        for k in range(per_unit // 2):
            rows.append(
                Observation(
                    observer=observer,
                    unit_id=point.unit_id,
                    point=point,
                    observed_on=dt.date(YEAR, 10 + k % 3, 1 + (n + k) % 28),
                    rating=1 + (n * 7 + k) % 5,
                    text=f"第{k}次观察：窗口服务、现场秩序和整改落实情况。" * 3,
                    status=ObservationStatus.SUBMITTED,
                    submitted_at=now,
                )
            )
    Observation.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would after a bulk load
            cursor.execute("ANALYZE")
    return office, orgs[0]


def timed(label: str, fn: Callable[[], object], target_ms: float, repeat: int) -> None:
    fn()  # warm
    times = []
    with CaptureQueriesContext(connection) as queries:
        fn()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    verdict = "met" if median <= target_ms else "MISSED"
    print(
        f"{label}: median {median:.1f} ms, best {min(times):.1f} ms, "
        f"{len(queries) or 'see tests for'} queries (target ≤ {target_ms:.0f} ms: {verdict})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the observers' board panel and reports")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--per-unit", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    office, unit = load(args.units, args.per_unit)
    print(f"{Observation.objects.filter(observed_on__year=YEAR).count()} observations in {YEAR}")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    client = login(Client(), office)
    overview = reverse("observers:overview") + f"?year={YEAR}&quarter=4"
    report = reverse("observers:report", args=[unit.pk]) + f"?year={YEAR}&quarter=4"

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        return get

    timed("board opinions (10)", lambda: observer_opinions(YEAR, limit=10), 20, args.repeat)
    timed("overview page, 500 units", page(overview), 150, args.repeat)
    timed("one unit's quarterly report page", page(report), 150, args.repeat)
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
