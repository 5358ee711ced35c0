"""Inspections of the same unit in the same ISO week (统筹合并). Pure: plain tuples in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Clash:
    unit_id: int
    iso_year: int
    week: int
    inspection_ids: tuple[int, ...]

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.iso_year, self.week, 1)


def weeks(start: date, end: date) -> list[tuple[int, int]]:
    """The ISO (year, week) pairs a visit from `start` to `end` touches."""
    result: list[tuple[int, int]] = []
    day = start - timedelta(days=start.weekday())
    while day <= end:
        iso = day.isocalendar()
        result.append((iso.year, iso.week))
        day += timedelta(days=7)
    return result


def clashes(visits: Iterable[tuple[int, int, date, date]]) -> list[Clash]:
    """`visits` are (inspection id, unit id, start, end); a clash is a unit-week that two
    or more different inspections touch, in (week, unit) order.

    One dict probe per unit-week; a set only where a second inspection arrives (most
    unit-weeks have one), and each (start, end) pair's weeks computed once."""
    spans: dict[tuple[date, date], list[int]] = {}
    first: dict[int, int] = {}
    multi: dict[int, set[int]] = {}
    for inspection_id, unit_id, start, end in visits:
        keys = spans.get((start, end))
        if keys is None:
            keys = spans[(start, end)] = [y * 100 + w for y, w in weeks(start, end)]
        base = unit_id * 1_000_000
        for week_key in keys:
            key = base + week_key
            seen = first.setdefault(key, inspection_id)
            if seen != inspection_id:
                group = multi.get(key)
                if group is None:
                    multi[key] = {seen, inspection_id}
                else:
                    group.add(inspection_id)
    found = [
        Clash(key // 1_000_000, key % 1_000_000 // 100, key % 100, tuple(sorted(ids)))
        for key, ids in multi.items()
    ]
    return sorted(found, key=lambda c: (c.iso_year, c.week, c.unit_id))
