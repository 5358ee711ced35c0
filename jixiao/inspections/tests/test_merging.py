from datetime import date

from jixiao.inspections.merging import clashes, weeks


def test_two_inspections_of_one_unit_in_one_iso_week_clash() -> None:
    found = clashes(
        [
            (1, 10, date(2026, 3, 16), date(2026, 3, 16)),
            (2, 10, date(2026, 3, 20), date(2026, 3, 20)),
            (3, 11, date(2026, 3, 16), date(2026, 3, 16)),
            (4, 10, date(2026, 3, 23), date(2026, 3, 23)),
        ]
    )
    assert [(c.unit_id, c.week, c.inspection_ids) for c in found] == [(10, 12, (1, 2))]
    assert found[0].monday == date(2026, 3, 16)


def test_a_visit_over_a_weekend_touches_two_weeks_and_the_iso_year_is_used() -> None:
    assert weeks(date(2026, 3, 20), date(2026, 3, 24)) == [(2026, 12), (2026, 13)]
    assert weeks(date(2026, 12, 31), date(2026, 12, 31)) == [(2026, 53)]
    assert clashes([(1, 5, date(2026, 1, 1), date(2026, 1, 1))]) == []
