"""Times the supervision task list and the monthly bulletin over 100,000 tasks.

    python bench/bench_supervision.py                   # 100,000 tasks, 300 units
    python bench/bench_supervision.py --tasks 10000     # smaller
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_sup python bench/bench_supervision.py

A throwaway test database (migrated like the tests') is filled in bulk with tasks of
one year spread over 300 lead units, every state and source, deadlines over the year,
and ~0.5 cards per task. Targets (2-core machine): the task list filtered (year + state
+ unit, year + overdue, year + words) and paged, server side through the whole Django
stack, ≤ 150 ms; the month's bulletin (figures + Excel + PDF) ≤ 5 s. The number of
queries of the list is asserted in `supervision/tests/test_queries.py`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LIST_TARGET_S = 0.150
BULLETIN_TARGET_S = 5.0


def fill(n_tasks: int, n_units: int) -> tuple[object, list[int]]:
    from jixiao.accounts.models import User
    from jixiao.accounts.roles import Role
    from jixiao.org.models import Organization, OrganizationKind
    from jixiao.supervision.models import (
        CARD_COLOR,
        Card,
        CardRule,
        Level,
        SourceKind,
        SupervisionTask,
        TaskState,
    )

    office = Organization.objects.create(code="DCS", name="督查室", kind=OrganizationKind.OFFICE)
    units = Organization.objects.bulk_create(
        Organization(
            code=f"U{i:04d}",
            name=f"单位{i:04d}",
            kind=OrganizationKind.AGENCY,
            is_assessed_unit=True,
        )
        for i in range(n_units)
    )
    from django.utils import timezone

    user = User.objects.create_user(
        "supervision",
        password="x",
        role=Role.SUPERVISION,
        organization=office,
        must_change_password=False,
        password_changed_at=timezone.now(),
    )
    rng = random.Random(11)
    states = [s for s in TaskState.values]
    kinds = SourceKind.values
    start = date(2026, 1, 1)
    tasks = []
    for i in range(n_tasks):
        state = rng.choice(states)
        deadline = start + timedelta(days=rng.randrange(365))
        tasks.append(
            SupervisionTask(
                year=2026,
                title=f"督办事项{i}：{rng.choice(['窗口', '电梯', '河道', '市场', '热线'])}整改",
                source_kind=rng.choice(kinds),
                problem="群众反映办事排队时间长，需要整改。",
                lead_unit_id=units[rng.randrange(n_units)].pk,
                deadline=deadline,
                level=rng.choice(Level.values),
                state=state,
                created_by=user,
                assigned_on=deadline - timedelta(days=90),
                accepted_on=deadline - timedelta(days=88),
                closed_on=deadline - timedelta(days=5) if state == TaskState.CLOSED else None,
            )
        )
    SupervisionTask.objects.bulk_create(tasks, batch_size=5000)
    ids = list(SupervisionTask.objects.values_list("pk", "lead_unit_id", "deadline"))
    cards = []
    rules = [CardRule.LATE_REPORT, CardRule.DEADLINE, CardRule.MILESTONE]
    for pk, unit_id, deadline in ids:
        if rng.random() < 0.5:
            rule = rng.choice(rules)
            cards.append(
                Card(
                    task_id=pk,
                    unit_id=unit_id,
                    year=2026,
                    color=CARD_COLOR[rule],
                    rule=rule,
                    key="k",
                    issued_on=min(deadline + timedelta(days=1), date(2026, 12, 31)),
                    note="bench",
                )
            )
    Card.objects.bulk_create(cards, batch_size=5000)
    return user, [u.pk for u in units]


def timed(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        started = time.perf_counter()
        user, units = fill(args.tasks, args.units)
        print(
            f"{args.tasks:,} tasks, {args.units} units on {connection.vendor} "
            f"(filled in {time.perf_counter() - started:.1f} s)"
        )
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        unit = units[7]
        queries = {
            "year+state+unit": f"?year=2026&state=in_progress&unit={unit}",
            "year+overdue, page 20": "?year=2026&overdue=1&page=20",
            "year+words": "?year=2026&q=%E7%94%B5%E6%A2%AF",
            "no filter, page 1000": "?page=1000",
        }
        base = timed(lambda: client.get("/supervision/rules/"), args.repeat)
        print(f"  (a small page of the same shell: median {statistics.median(base) * 1000:.1f} ms)")
        worst = 0.0
        for label, query in queries.items():
            url = "/supervision/" + query
            first = client.get(url)
            assert first.status_code == 200, (first.status_code, first.get("Location"))
            times = timed(lambda url=url: client.get(url), args.repeat)
            worst = max(worst, statistics.median(times))
            print(
                f"  list {label:<24} median {statistics.median(times) * 1000:6.1f} ms, "
                f"worst {max(times) * 1000:6.1f} ms"
            )
        verdict = "OK" if worst <= LIST_TARGET_S else "MISSED"
        print(f"  list target ≤ {LIST_TARGET_S * 1000:.0f} ms: {verdict}")

        from jixiao.supervision import bulletin

        def whole() -> None:
            f = bulletin.figures(2026, 6, date(2026, 6, 30))
            bulletin.workbook_bytes(f)
            bulletin.pdf_bytes(f)

        fig = timed(lambda: bulletin.figures(2026, 6, date(2026, 6, 30)), 3)
        both = timed(whole, 3)
        print(f"  bulletin figures median {statistics.median(fig):.2f} s")
        print(
            f"  bulletin figures+Excel+PDF median {statistics.median(both):.2f} s, "
            f"worst {max(both):.2f} s (target ≤ {BULLETIN_TARGET_S:.0f} s: "
            f"{'OK' if max(both) <= BULLETIN_TARGET_S else 'MISSED'})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
