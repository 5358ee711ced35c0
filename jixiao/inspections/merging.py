"""Inspections of the same unit in the same ISO week (统筹合并). Pure: plain tuples in."""

from __future__ import annotations

from collections import defaultdict
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
    or more different inspections touch, in (week, unit) order."""
    seen: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    for inspection_id, unit_id, start, end in visits:
        for iso_year, week in weeks(start, end):
            seen[(unit_id, iso_year, week)].add(inspection_id)
    found = [
        Clash(unit, y, w, tuple(sorted(ids))) for (unit, y, w), ids in seen.items() if len(ids) > 1
    ]
    return sorted(found, key=lambda c: (c.iso_year, c.week, c.unit_id))
