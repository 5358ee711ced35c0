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


def official_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date, overrides: Overrides = _EMPTY) -> bool:
    if day in overrides:
        return overrides[day]
    return official_workday(day)


def working_days_between(start: date, end: date, overrides: Overrides = _EMPTY) -> int:
    if end < start:
        # Backwards: the working days d with end <= d < start, so that adding back agrees.
        return -sum(
            is_workday(end + timedelta(days=k), overrides) for k in range((start - end).days)
        )
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_workday(day, overrides)
        day += timedelta(days=1)
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
