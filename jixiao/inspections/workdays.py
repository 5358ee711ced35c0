"""Working days by the official Chinese calendar, with the office's own table on top.

Pure: no Django. The official calendar (State Council holidays and the 调休 working
weekends) comes from the maintained `chinesecalendar` package; `overrides` maps a day to
"is a working day" and wins over it — the office enters a new year's notice there before
the package knows it, or a local arrangement. For a year the package does not cover and
the table does not mention, Saturday and Sunday are rest days (`covered` tells the page
to warn about it).

`working_days_between(a, b)` counts the working days d with a < d <= b (when b is
before a: minus those with b <= d < a); `add_working_days(a, n)` is the working day
reached after n of them, so `working_days_between(a, add_working_days(a, n)) == n`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate

import chinese_calendar

Overrides = Mapping[date, bool]
_EMPTY: dict[date, bool] = {}


def covered(year: int) -> bool:
    """Whether the official calendar package knows this year's holidays."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _package_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(maxsize=256)
def _year(year: int) -> tuple[bytes, tuple[int, ...]]:
    """The official flags of a year's days (index: day of year − 1) and their running
    count (prefix[i] = working days among the first i days), computed once per year."""
    first = date(year, 1, 1)
    size = (date(year + 1, 1, 1) - first).days
    flags = bytes(_package_workday(first + timedelta(days=k)) for k in range(size))
    return flags, tuple(accumulate(flags, initial=0))


def official_workday(day: date) -> bool:
    return bool(_year(day.year)[0][day.timetuple().tm_yday - 1])


def is_workday(day: date, overrides: Overrides = _EMPTY) -> bool:
    if day in overrides:
        return overrides[day]
    return official_workday(day)


def _official_through(day: date, since_year: int) -> int:
    """Official working days from 1 January of `since_year` through `day`."""
    total = sum(_year(y)[1][-1] for y in range(since_year, day.year))
    return total + _year(day.year)[1][day.timetuple().tm_yday]


def working_days_between(start: date, end: date, overrides: Overrides = _EMPTY) -> int:
    if end < start:
        # Backwards: the working days d with end <= d < start, so that adding back agrees.
        before = end - timedelta(days=1)
        return -working_days_between(before, start - timedelta(days=1), overrides)
    since = start.year
    count = _official_through(end, since) - _official_through(start, since)
    for day, worked in overrides.items():
        if start < day <= end:
            count += int(worked) - int(official_workday(day))
    return count


def add_working_days(start: date, n: int, overrides: Overrides = _EMPTY) -> date:
    """The working day n working days after `start` (before it when n < 0); `start`
    itself for n == 0."""
    step = timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if is_workday(day, overrides):
            left -= 1
    return day


def latest_registration(start: date, lead: int, overrides: Overrides = _EMPTY) -> date:
    """The last day an inspection starting on `start` may be registered: the day with
    `working_days_between(day, start) == lead` that is latest (registration day not
    counted, start day counted when it is a working day)."""
    day, seen = start, 0
    while True:
        seen += is_workday(day, overrides)
        if seen >= lead:
            return day - timedelta(days=1)
        day -= timedelta(days=1)


def registered_in_time(
    registered: date, start: date, lead: int, overrides: Overrides = _EMPTY
) -> bool:
    return working_days_between(registered, start, overrides) >= lead
