"""Times a province-scale Excel upload: 100,000 rows for one department and one period.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench_collection \\
        .venv/bin/python bench/bench_collection_upload.py            # 500 units x 200 indicators
    ... bench/bench_collection_upload.py --units 100 --indicators 50  # quick

Uses a scratch database (it migrates it and leaves its data there: audit rows are
append-only). Each run opens a new collection period, so runs do not interfere.
Timed: the whole `import_workbook` call — reading the workbook (streaming), validating
every row against the department's scope and the scoring engine, and storing entries
and audit rows in one transaction. Target on a 2-core machine: <= 20 s. A second
upload of the same file (idempotence: nothing changes) is timed too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
os.environ.setdefault("JIXIAO_HTTPS", "0")

import django

TARGET_S = 20.0
YEAR = 2090
METHODS = (
    ("direct", {}),
    ("completion", {}),
    ("deduction", {"per_occurrence": "0.5"}),
    ("schedule_progress", {}),
)


def setup(units: int, indicators: int) -> tuple[object, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from jixiao.accounts.models import User
    from jixiao.accounts.roles import Role
    from jixiao.collection.models import CollectionPeriod, PeriodStatus
    from jixiao.org.models import (
        AssessmentYear,
        Organization,
        OrganizationKind,
        UnitCategory,
        UnitEnrollment,
    )
    from jixiao.scheme.models import Indicator, IndicatorPoints, Scheme, SchemeStatus

    call_command("migrate", verbosity=0)
    year, _ = AssessmentYear.objects.get_or_create(year=YEAR, defaults={"name": f"{YEAR} 基准测试"})
    category, _ = UnitCategory.objects.get_or_create(
        year=year, code="BENCH", defaults={"name": "基准测试类", "scale": 1000}
    )
    department, _ = Organization.objects.get_or_create(
        code="BENCHDEPT",
        defaults={
            "name": "基准测试数据采集单位",
            "kind": OrganizationKind.AGENCY,
            "is_department": True,
        },
    )
    existing = set(
        Organization.objects.filter(code__startswith="BU").values_list("code", flat=True)
    )
    Organization.objects.bulk_create(
        [
            Organization(
                code=f"BU{i:05d}",
                name=f"基准测试单位{i:05d}",
                kind=OrganizationKind.TOWN,
                is_assessed_unit=True,
                sort_order=i,
            )
            for i in range(units)
            if f"BU{i:05d}" not in existing
        ]
    )
    unit_ids = list(
        Organization.objects.filter(code__startswith="BU", code__lt=f"BU{units:05d}").values_list(
            "pk", flat=True
        )
    )
    enrolled = set(UnitEnrollment.objects.filter(year=year).values_list("unit_id", flat=True))
    UnitEnrollment.objects.bulk_create(
        [
            UnitEnrollment(year=year, unit_id=pk, category=category, staffing=80)
            for pk in unit_ids
            if pk not in enrolled
        ]
    )
    UnitEnrollment.objects.filter(year=year).exclude(unit_id__in=unit_ids).delete()
    scheme, _ = Scheme.objects.get_or_create(
        year=year, defaults={"name": "基准测试方案", "status": SchemeStatus.PUBLISHED}
    )
    root, _ = Indicator.objects.get_or_create(
        scheme=scheme, code="BROOT", defaults={"name": "基准", "level": 1, "kind": "individual"}
    )
    have = set(Indicator.objects.filter(scheme=scheme, parent=root).values_list("code", flat=True))
    for i in range(indicators):
        code = f"BI{i:04d}"
        if code in have:
            continue
        method, params = METHODS[i % len(METHODS)]
        indicator = Indicator.objects.create(
            scheme=scheme,
            parent=root,
            code=code,
            name=f"基准指标{i:04d}",
            level=2,
            kind="individual",
            owner=department,
            period="quarterly",
            method=method,
            params=params,
            sort_order=i,
        )
        IndicatorPoints.objects.create(indicator=indicator, category=category, points=Decimal(10))
    Indicator.objects.filter(scheme=scheme, parent=root, code__gte=f"BI{indicators:04d}").update(
        period="annual"
    )
    Indicator.objects.filter(scheme=scheme, parent=root, code__lt=f"BI{indicators:04d}").update(
        period="quarterly"
    )
    user = User.objects.filter(username="bench_dept").first()
    if user is None:
        user = User(username="bench_dept", role=Role.DEPARTMENT, organization=department)
        user.set_unusable_password()
        user.save()
    n = CollectionPeriod.objects.filter(scheme=scheme).count() + 1
    period = CollectionPeriod.objects.create(
        scheme=scheme,
        kind="quarterly",
        code=f"B-{n:04d}",
        name=f"基准测试第 {n} 轮",
        starts_on=timezone.now().date(),
        ends_on=timezone.now().date(),
        deadline=timezone.now() + timedelta(days=1),
        status=PeriodStatus.OPEN,
    )
    return user, period


def workbook(period: object, department: object, seed: int) -> bytes:
    """A filled template, written in streaming mode (as a department's would look)."""
    from openpyxl import Workbook

    from jixiao.collection.spreadsheet import HEADERS, SHEET
    from jixiao.collection.structure import department_slots

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append(HEADERS)
    for slot in department_slots(period, department):  # type: ignore[arg-type]
        method = slot.indicator.method
        value: object
        reference: object = None
        reason = ""
        if method == "direct":
            value = round(rng.uniform(6.5, 9.5), 2)
            reason = "依据台账核定"
        elif method == "completion":
            reference = rng.randint(20, 200)
            value = round(reference * rng.uniform(0.6, 0.99))
        elif method == "deduction":
            value = rng.randint(1, 4)
            reason = "督查通报扣分"
        else:
            reference = 100
            value = rng.randint(60, 99)
        ws.append(
            [
                slot.unit.code,
                slot.unit.name,
                slot.indicator.code,
                slot.indicator.name,
                method,
                "",
                slot.points,
                value,
                reference,
                None,
                reason,
                "未填报",
                None,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the collection Excel upload")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the upload")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a scratch PostgreSQL database, e.g.")
        print("  DATABASE_URL=postgres://postgres@127.0.0.1:5432/jx_bench_collection")
        return 2
    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.audit.context import acting_as
    from jixiao.collection.models import Entry
    from jixiao.collection.spreadsheet import import_workbook

    settings.UPLOAD_MAX_BYTES = 200 * 1024 * 1024
    start = time.perf_counter()
    user, period = setup(args.units, args.indicators)
    data = workbook(period, user.organization, args.seed)  # type: ignore[attr-defined]
    rows = args.units * args.indicators
    print(
        f"prepared {rows:,} rows ({len(data) / 1048576:.1f} MB workbook) "
        f"in {time.perf_counter() - start:.1f} s"
    )

    with acting_as(user):
        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = import_workbook(user, period, SimpleUploadedFile("bench.xlsx", data))  # type: ignore[arg-type]
        first = time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(40)
        if not report.ok:
            print("upload refused:", *report.errors[:5], sep="\n  ")
            return 1
        stored = Entry.objects.filter(period=period).count()
        print(
            f"upload -> validate -> store: {first:.2f} s for {report.created:,} new entries "
            f"({stored:,} stored), target <= {TARGET_S:.0f} s"
        )
        start = time.perf_counter()
        again = import_workbook(user, period, SimpleUploadedFile("bench.xlsx", data))  # type: ignore[arg-type]
        second = time.perf_counter() - start
        print(
            f"same file again: {second:.2f} s, created {again.created}, updated {again.updated}, "
            f"unchanged {again.unchanged:,}"
        )
    if args.check and first > TARGET_S:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
