"""The 绩效比拼 board's data: what a read-only page (or the big screen) shows for a year.

`observer_opinions(year)` is the seam for the observers app (观察员意见 column): it
returns [] until the lead connects it to `jixiao.observers`. Each item it returns is a
mapping with the keys the board template reads:

    {"unit": "杨舍镇", "point": "观测点名称", "observer": "观察员姓名",
     "text": "意见摘要", "rating": "好" , "date": date(2026, 10, 12)}

(every value already in words: no ids, no ISO dates.)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from jixiao.monitoring import lights
from jixiao.monitoring.models import MonthlyReport
from jixiao.monitoring.status import UnitLight, year_lights
from jixiao.scheme.models import Scheme


def observer_opinions(year: int) -> list[dict[str, Any]]:
    """Observers' published opinions of `year`, newest first (see the module docstring).
    Returns [] until the observers app is connected."""
    return []


def board_data(scheme: Scheme, month: int) -> dict[str, Any]:
    """Everything the board shows, in a fixed number of queries."""
    all_lights = year_lights(scheme, month)
    targets = [x for x in all_lights if x.kind == "target"]
    nodes = [x for x in all_lights if x.kind == "node"]
    counts = Counter(x.color for x in targets)
    node_counts = Counter(x.color for x in nodes)
    by_indicator: dict[str, list[UnitLight]] = defaultdict(list)
    for x in targets:
        by_indicator[x.indicator].append(x)
    figures = []
    for name, items in sorted(by_indicator.items()):
        actual = sum(
            (lights.actual_share(x.value, x.annual or Decimal(1)) for x in items), Decimal(0)
        )
        expected = sum((x.expected or Decimal(0) for x in items), Decimal(0))
        figures.append(
            {
                "name": name,
                "actual": float((actual / len(items) * 100).quantize(Decimal("0.1"))),
                "expected": float((expected / len(items) * 100).quantize(Decimal("0.1"))),
            }
        )
    report = (
        MonthlyReport.objects.filter(year=scheme.year)
        .order_by("-month")
        .only("month", "rows")
        .first()
    )
    ranking: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if report is not None:
        for row in report.rows:
            if row.get("rank") is not None and len(ranking[row["category_name"]]) < 10:
                ranking[row["category_name"]].append(row)
    return {
        "month": month,
        "counts": {c: counts.get(c, 0) for c in (lights.GREEN, lights.YELLOW, lights.RED)},
        "node_counts": {
            c: node_counts.get(c, 0) for c in (lights.GREEN, lights.YELLOW, lights.RED)
        },
        "figures": figures,
        "nodes": sorted(nodes, key=lambda x: (x.due_on or x.month, x.subject))[:40],
        "report_month": report.month if report else None,
        "ranking": dict(ranking),
        "opinions": observer_opinions(scheme.year.year),
    }
