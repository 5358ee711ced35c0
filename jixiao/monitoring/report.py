"""The monthly progress report (ZJG) of a year at a month: load targets, progress, last
year's stored collection data and KPI weights, then compute with the pure `zjg.py`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import numpy as np

from jixiao.collection.models import Entry
from jixiao.monitoring import lights, zjg
from jixiao.monitoring.models import Progress, Target
from jixiao.monitoring.status import month_end
from jixiao.org.models import UnitEnrollment
from jixiao.scheme.models import IndicatorPoints, Scheme


def last_year_values(
    year: int, month: int, unit_ids: Iterable[int], codes: Iterable[str]
) -> dict[tuple[int, str], Decimal]:
    """(unit, indicator code) → last year's value to the same month, from last year's
    stored collection data: the counting entry (reviewed and approved or beyond) of the
    latest collection period of last year's scheme that ended by that month's end, for
    the indicator with the same code. Monthly and quarterly periods store values to date.
    """
    end = month_end(year - 1, month)
    found: dict[tuple[int, str], tuple[Any, Decimal | None]] = {}
    rows = (
        Entry.objects.scoring_inputs()
        .filter(
            period__scheme__year__year=year - 1,
            period__ends_on__lte=end,
            unit_id__in=list(unit_ids),
            indicator__code__in=list(codes),
            value__isnull=False,
        )
        .values_list("unit_id", "indicator__code", "period__ends_on", "value")
    )
    for unit_id, code, ends_on, value in rows:
        key = (unit_id, code)
        if key not in found or found[key][0] < ends_on:
            found[key] = (ends_on, value)
    return {key: value for key, (_ends, value) in found.items() if value is not None}


def compute(scheme: Scheme, month: int) -> list[dict[str, Any]]:
    """The report rows (one per unit with an approved target), in category and rank
    order, as plain values (strings for numbers) — what publishing stores."""
    year = scheme.year
    targets = list(
        Target.objects.approved()
        .filter(scheme=scheme)
        .values_list("pk", "unit_id", "indicator_id", "indicator__code", "annual", "milestones")
    )
    if not targets:
        return []
    unit_ids = sorted({t[1] for t in targets})
    indicator_ids = sorted({t[2] for t in targets})
    u_index = {u: i for i, u in enumerate(unit_ids)}
    i_index = {ind: j for j, ind in enumerate(indicator_ids)}
    enrollments = {
        unit_id: (category_id, name, unit_name)
        for unit_id, category_id, name, unit_name in UnitEnrollment.objects.filter(
            year=year, unit_id__in=unit_ids
        ).values_list("unit_id", "category_id", "category__name", "unit__name")
    }
    points = {
        (ind, cat): float(p)
        for ind, cat, p in IndicatorPoints.objects.filter(
            indicator_id__in=indicator_ids
        ).values_list("indicator_id", "category_id", "points")
    }
    shape = (len(unit_ids), len(indicator_ids))
    value, last, annual = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    expected, weight = np.zeros(shape), np.zeros(shape)
    latest: dict[int, Decimal] = {}
    for target_id, v in (
        Progress.objects.submitted()
        .filter(target__scheme=scheme, target__status="approved", month__lte=month)
        .order_by("month")
        .values_list("target_id", "value")
    ):
        latest[target_id] = v
    codes = {t[3] for t in targets}
    previous = last_year_values(year.year, month, unit_ids, codes)
    for pk, unit_id, indicator_id, code, target_annual, milestones in targets:
        i, j = u_index[unit_id], i_index[indicator_id]
        annual[i, j] = float(target_annual)
        share = lights.expected_share(
            month, target_annual, [Decimal(str(m)) for m in milestones] or None
        )
        expected[i, j] = float(share)
        if pk in latest:
            value[i, j] = float(latest[pk])
        if (unit_id, code) in previous:
            last[i, j] = float(previous[(unit_id, code)])
        category = enrollments.get(unit_id, (0, "", ""))[0]
        weight[i, j] = points.get((indicator_id, category), 0.0)
    categories = [str(enrollments.get(u, (0, "", ""))[0]) for u in unit_ids]
    result = zjg.monthly_report(
        [str(u) for u in unit_ids], categories, value, last, annual, expected, weight
    )
    rows: list[dict[str, Any]] = []
    for row in result.rows:
        unit_id = int(row.unit)
        _cat, category_name, unit_name = enrollments.get(unit_id, (0, "", ""))
        plain: dict[str, Any] = {k: (None if v is None else str(v)) for k, v in asdict(row).items()}
        plain.pop("category")
        plain.update(unit_id=unit_id, unit=unit_name, category_name=category_name, rank=row.rank)
        rows.append(plain)
    rows.sort(key=lambda r: (r["category_name"], r["rank"] is None, r["rank"] or 0, r["unit"]))
    return rows
