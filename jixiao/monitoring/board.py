"""The 绩效比拼 board's data: what a read-only page (or the big screen) shows for a year.

The 观察员意见 column comes from the observers app (`jixiao.observers.board.
observer_opinions`): submitted observations only, newest first, in words (unit, point,
date, rating label, excerpt) and never the observer's name, since the board may be shown
without login.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from jixiao.monitoring import lights
from jixiao.monitoring.models import MonthlyReport
from jixiao.monitoring.status import UnitLight, year_lights
from jixiao.observers import board as observers_board
from jixiao.scheme.models import Scheme

BOARD_OPINIONS = 8


def observer_opinions(year: int) -> list[dict[str, Any]]:
    """Observers' submitted opinions of `year`, newest first."""
    return observers_board.observer_opinions(year, BOARD_OPINIONS)


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
