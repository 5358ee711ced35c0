"""Province-scale test data: the bench generator's province (bench/province.py) written
into the database, with the generator's own engine input to compare against. Kept apart
from the factories: small tests build what they read with `factories.py`; tests that need
a whole generated year load it here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bench.province import Province
from jixiao.collection.models import Entry, EntryStatus
from jixiao.scoring.tests.factories import World, make_world

D = Decimal


def province_world(
    units: int = 60, categories: int = 2, leaves: int = 25, seed: int = 11, year: int = 2026
) -> tuple[World, Province]:
    """A generated province (bench/province.py: every method, grades, events, a little
    missing data) written into the database, with the generator's own engine input to
    compare against."""
    from bench.province import generate_province
    from jixiao.collection.models import INPUT_COLUMNS
    from jixiao.scoring.engine import TextColumn
    from jixiao.scoring.snapshot import _jsonable

    province = generate_province(units, categories, leaves, seed)
    w = make_world(year)
    for tree in province.trees:
        w.category(tree.category_code, int(tree.scale))
    for unit in province.units:
        w.unit(unit.unit_code, unit.category_code, staffing=unit.staffing)
    for tree in province.trees:
        for node in sorted(tree.nodes, key=lambda n: (n.level, n.sort_order, n.code)):
            w.indicator(
                node.code,
                node.parent_code,
                {tree.category_code: node.points},
                node.method or "",
                _jsonable(dict(node.params)),
                kind=node.kind,
                name=node.name,
                bonus_cap=node.bonus_cap,
                penalty_cap=node.penalty_cap,
            )
    entries = []
    for item in province.leaf_inputs():
        columns: dict[str, Any] = {"value": None, "reference": None, "grade": ""}
        for name, value in item.values.items():
            columns[INPUT_COLUMNS[name]] = value
        entries.append(
            Entry(
                period=w.period,
                indicator=w.indicators[item.indicator_code],
                unit=w.units[item.unit_code],
                department=w.department,
                value=None if columns["value"] is None else D(str(columns["value"])),
                reference=None if columns["reference"] is None else D(str(columns["reference"])),
                grade=columns["grade"] or "",
                status=EntryStatus.APPROVED,
            )
        )
    Entry.objects.bulk_create(entries, batch_size=500)
    assert all(
        isinstance(f, TextColumn) or f.values.dtype != object
        for c in province.data.data.values()
        for col in c.columns.values()
        for f in col.fields.values()
    )
    for event in province.events:
        w.event(event.unit_code, event.indicator_code, event.points, event.description)
    return w, province
