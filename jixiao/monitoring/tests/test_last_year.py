"""同比 reads last year's stored collection data: same indicator code, same unit, the latest
counting entry of a period that ended by the same month last year."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from jixiao.accounts.models import User
from jixiao.collection.models import EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.monitoring import actions, report
from jixiao.monitoring.tests.conftest import Monitored
from jixiao.org.tests.factories import AssessmentYearFactory

pytestmark = pytest.mark.django_db


def _last_year(monitored: Monitored) -> None:
    year = AssessmentYearFactory(year=2025, is_current=False)
    scheme = f.make_scheme(year)
    world = monitored.world
    indicator = f.make_indicator(scheme, "A02", world.completion.owner, method="completion")
    for code, ends, value, state in [
        ("2025-Q2", date(2025, 6, 30), "500", EntryStatus.FINAL),
        ("2025-Q3", date(2025, 9, 30), "800", EntryStatus.FINAL),
        ("2025-Q4", date(2025, 12, 31), "1100", EntryStatus.FINAL),  # after October
    ]:
        period = f.make_period(scheme, code)
        period.starts_on, period.ends_on = ends - timedelta(days=90), ends
        period.save()
        f.make_entry(period, indicator, world.unit, status=state, value=value)
    draft = f.make_period(scheme, "2025-M10")
    draft.starts_on, draft.ends_on = date(2025, 10, 1), date(2025, 10, 31)
    draft.save()
    # Not reviewed: does not count.
    f.make_entry(draft, indicator, world.unit, status=EntryStatus.SUBMITTED, value="9999")


def test_last_years_value_is_the_latest_counting_entry_by_the_same_month(
    monitored: Monitored,
) -> None:
    _last_year(monitored)
    unit = monitored.world.unit
    assert report.last_year_values(2026, 10, [unit.pk], ["A02"]) == {(unit.pk, "A02"): D(800)}
    assert report.last_year_values(2026, 7, [unit.pk], ["A02"]) == {(unit.pk, "A02"): D(500)}
    assert report.last_year_values(2026, 3, [unit.pk], ["A02"]) == {}


def test_the_report_shows_growth_against_last_years_stored_value(
    monitored: Monitored, unit: User
) -> None:
    _last_year(monitored)
    actions.enter_progress(unit, monitored.target, 10, D(1000))
    rows = {r["unit"]: r for r in report.compute(monitored.world.scheme, 10)}
    mine = rows[monitored.world.unit.name]
    assert mine["growth"] == "25.00"  # (1000 − 800) ÷ 800
    assert mine["contribution"] == "100.00"  # the only increase in the category
    assert rows[monitored.world.other_unit.name]["growth"] is None  # nothing stored for it
