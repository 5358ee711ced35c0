"""The unit × indicator light matrix: rows rendered here, in one pass.

A 500-unit category with 20 indicators is 10,000 cells; rendering them through template
tags costs more than the whole page may (≤ 150 ms, bench/bench_monitoring.py), so each
row is joined as HTML here from fixed, escaped pieces."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jixiao.monitoring import lights
from jixiao.monitoring.status import UnitLight

RANK = {lights.GREEN: 0, lights.YELLOW: 1, lights.RED: 2}
BY_RANK = [lights.GREEN, lights.YELLOW, lights.RED]


def _cell(x: UnitLight | None, labels: dict[str, str], title: str) -> str:
    if x is None:
        return '<td class="text-center"><span class="text-secondary">—</span></td>'
    actual = float(x.value or 0) / float(x.annual) * 100 if x.annual else 0.0
    expected = float(x.expected or 0) * 100
    return (
        f'<td class="text-center"><span class="jx-light jx-light-{x.color}" '
        f'title="{title % {"a": f"{actual:.1f}", "e": f"{expected:.1f}"}}">'
        f"{labels[x.color]}</span></td>"
    )


def _row(
    unit_id: int, name: str, cells: str, nodes: int, node_color: str, unit_url: str, month: int
) -> SafeString:
    href = escape(f"{unit_url}?unit={unit_id}&month={month}")
    node_cell = f'<span class="jx-light jx-light-{node_color}">{nodes}</span>' if nodes else "—"
    return mark_safe(  # noqa: S308 -- escaped name and URL, numbers, fixed markup
        f'<tr><td><a href="{href}">{escape(name)}</a></td>{cells}'
        f'<td class="text-center">{node_cell}</td></tr>'
    )


def matrix_rows(
    units: dict[int, str],
    found: Iterable[UnitLight],
    color: str = "",
    *,
    unit_url: str,
    month: int,
) -> tuple[list[tuple[int, str]], list[dict[str, Any]]]:
    """(columns, rows) — rows worst first, filtered to those whose worst light is `color`;
    each row's `html` is its whole table row, linking the unit to its own lights."""
    cells: dict[int, dict[int, UnitLight]] = defaultdict(dict)
    nodes: dict[int, list[UnitLight]] = defaultdict(list)
    indicators: dict[int, str] = {}
    for x in found:
        if x.kind == "target":
            cells[x.unit_id][x.indicator_id] = x
            indicators[x.indicator_id] = x.indicator
        else:
            nodes[x.unit_id].append(x)
    columns = sorted(indicators.items(), key=lambda kv: kv[1])
    labels = {lights.GREEN: _("绿灯"), lights.YELLOW: _("黄灯"), lights.RED: _("红灯")}
    labels = {k: escape(v) for k, v in labels.items()}
    title = escape(_("完成进度 %(a)s%%，应达 %(e)s%%"))
    rows: list[dict[str, Any]] = []
    for unit_id, name in units.items():
        mine = cells.get(unit_id, {})
        row = [mine.get(ind) for ind, _n in columns]
        unit_nodes = nodes.get(unit_id, [])
        shown = [x for x in row if x is not None] + unit_nodes
        worst = max((RANK[x.color] for x in shown), default=-1)
        if color and (color not in RANK or worst != RANK[color]):
            continue
        node_worst = max((RANK[n.color] for n in unit_nodes), default=-1)
        cells_html = "".join(_cell(x, labels, title) for x in row)
        node_color = BY_RANK[node_worst] if node_worst >= 0 else ""
        rows.append(
            {
                "unit_id": unit_id,
                "unit": name,
                "html": _row(
                    unit_id, name, cells_html, len(unit_nodes), node_color, unit_url, month
                ),
                "nodes": len(unit_nodes),
                "node_color": node_color,
                "reds": sum(1 for x in shown if x.color == lights.RED),
            }
        )
    rows.sort(key=lambda r: (-r["reds"], r["unit"]))
    return columns, rows
