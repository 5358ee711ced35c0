"""Working days follow the official calendar with its 调休 days; the office's table wins."""

from datetime import date

from jixiao.inspections import workdays as w


def test_the_national_day_holiday_and_its_working_weekends_are_official() -> None:
    # 2026: 中秋 25–27 Sept and 国庆 1–7 Oct off; Sunday 20 Sept and Saturday 10 Oct worked.
    assert w.is_workday(date(2026, 9, 20))
    assert not w.is_workday(date(2026, 9, 25))
    assert not w.is_workday(date(2026, 10, 5))
    assert w.is_workday(date(2026, 10, 10))
    assert w.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_fifteen_working_days_before_a_start_after_the_national_day() -> None:
    # Counting back from Monday 12 Oct: 10 Oct (调休) counts, 1–7 Oct and 25–27 Sept don't,
    # Sunday 20 Sept does.
    assert w.latest_registration(date(2026, 10, 12), 15) == date(2026, 9, 15)
    assert w.working_days_between(date(2026, 9, 15), date(2026, 10, 12)) == 15
    assert w.registered_in_time(date(2026, 9, 15), date(2026, 10, 12), 15)
    assert not w.registered_in_time(date(2026, 9, 16), date(2026, 10, 12), 15)


def test_the_spring_festival_with_its_two_working_saturdays() -> None:
    # 2026 春节: 15–23 Feb off; Saturday 14 Feb and Saturday 28 Feb worked.
    assert w.is_workday(date(2026, 2, 14))
    assert w.is_workday(date(2026, 2, 28))
    assert not w.is_workday(date(2026, 2, 16))
    assert w.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # 14th, 24th
    assert w.latest_registration(date(2026, 3, 2), 15) == date(2026, 2, 3)
    assert w.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_a_start_on_a_rest_day_counts_the_working_days_before_it() -> None:
    assert w.latest_registration(date(2026, 10, 17), 15) == date(2026, 9, 20)


def test_the_offices_table_overrides_the_official_calendar() -> None:
    table = {date(2026, 10, 10): False, date(2026, 10, 9): False}
    assert not w.is_workday(date(2026, 10, 10), table)
    assert w.working_days_between(date(2026, 10, 7), date(2026, 10, 12), table) == 2
    assert w.latest_registration(date(2026, 10, 12), 15, table) == date(
        2026, 9, 13
    )  # a Sunday: registering then still counts


def test_a_year_the_package_does_not_know_falls_back_to_weekends_and_says_so() -> None:
    assert w.covered(2026)
    assert not w.covered(2099)
    assert w.is_workday(date(2099, 1, 1))  # a Thursday: the office's table must say otherwise
    assert not w.is_workday(date(2099, 1, 1), {date(2099, 1, 1): False})


def test_adding_and_counting_agree_both_ways() -> None:
    start = date(2026, 1, 1)
    for n in (1, 5, 15, 40, -3, -15):
        end = w.add_working_days(start, n)
        assert w.working_days_between(start, end) == n
