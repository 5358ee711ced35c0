"""Reading a year from the database gives exactly the engine input the data describes,
by every reading path and on every database, and an incremental recompute ends where a
full computation of the same data does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus
from jixiao.core.testing import make_org
from jixiao.scheme.models import Indicator
from jixiao.scoring import actions, loader
from jixiao.scoring.engine import CategoryData, NumberColumn, score_province
from jixiao.scoring.models import UnitResult
from jixiao.scoring.snapshot import EntryRefs
from jixiao.scoring.tests.factories import World
from jixiao.scoring.tests.province import province_world

D = Decimal
pytestmark = pytest.mark.django_db


def assert_same_data(a: CategoryData, b: CategoryData) -> None:
    """Identical engine input, down to dtypes and entry refs."""
    assert a.unit_codes == b.unit_codes
    assert np.array_equal(a.staffing, b.staffing)
    assert a.events == b.events
    assert sorted(a.columns) == sorted(b.columns)
    for code, x in a.columns.items():
        y = b.columns[code]
        assert np.array_equal(x.reported, y.reported), code
        assert tuple(x.refs or ()) == tuple(y.refs or ()), code
        assert sorted(x.fields) == sorted(y.fields), code
        for name, f in x.fields.items():
            g = y.fields[name]
            assert type(f) is type(g)
            assert np.array_equal(f.present, g.present), (code, name)
            if isinstance(f, NumberColumn):
                assert isinstance(g, NumberColumn)
                assert (f.digits, f.values.dtype) == (g.digits, g.values.dtype)
            assert f.values.tolist() == g.values.tolist(), (code, name)


def generic_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "read_entries_postgres", lambda *args: None)


def test_a_generated_province_loads_as_the_generators_own_engine_input() -> None:
    w, province = province_world()
    inputs = loader.load_year(w.year)
    assert sorted(inputs.data) == sorted(province.data.data)
    for code, expected in province.data.data.items():
        got = inputs.data[code]
        assert got.unit_codes == expected.unit_codes
        assert got.staffing.tolist() == expected.staffing.tolist()
        assert sorted(got.columns) == sorted(expected.columns)
        for leaf, column in expected.columns.items():
            loaded = got.columns[leaf]
            assert np.array_equal(loaded.reported, column.reported), leaf
            rows = np.flatnonzero(loaded.reported).tolist()
            for name, field in column.fields.items():
                mine = loaded.fields[name]
                assert mine.present[rows].tolist() == field.present[rows].tolist(), leaf
                # Same numbers (the database keeps 4 decimals, the generator fewer); rows
                # without an entry do not count, whatever the generator left there.
                assert [mine.decimal_at(r) for r in rows] == [field.decimal_at(r) for r in rows]
            assert isinstance(loaded.refs, EntryRefs)
            ids = [loaded.refs[r] for r in rows]
            owners = dict(Entry.objects.filter(pk__in=ids).values_list("pk", "unit__code"))
            assert [owners[i] for i in ids] == [got.unit_codes[r] for r in rows]
        assert sorted((e.unit_code, e.indicator_code, e.points) for e in got.events) == sorted(
            (e.unit_code, e.indicator_code, D(e.points)) for e in expected.events
        )


def test_the_stored_year_scores_exactly_like_the_generator_on_this_database() -> None:
    """The same figures on SQLite and PostgreSQL: both are compared with one reference."""
    w, province = province_world(seed=12)
    loaded = score_province(loader.load_year(w.year).province)
    reference = score_province(province.data)
    for code, expected in reference.categories.items():
        got = loaded.categories[code]
        for unit in expected.units:
            mine = got.unit(unit.unit_code)
            assert (mine.total_exact, mine.total, mine.rank, mine.missing) == (
                unit.total_exact,
                unit.total,
                unit.rank,
                unit.missing,
            )
            assert got.node_scores(unit.unit_code) == expected.node_scores(unit.unit_code)


@pytest.mark.postgres
def test_postgres_binary_reading_equals_the_generic_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, _ = province_world(seed=13)
    _later_period_and_strays(w)
    fast = loader.load_year(w.year)
    generic_only(monkeypatch)
    slow = loader.load_year(w.year)
    assert fast.periods_by_code == slow.periods_by_code
    assert fast.notes == slow.notes
    for code in fast.data:
        assert_same_data(fast.data[code], slow.data[code])


def _later_period_and_strays(w: World) -> None:
    """A later period with a new figure for one indicator (it then counts alone), a
    draft in the later period for another (ignored), an entry of a unit that is not
    enrolled (noted, not scored)."""
    later = CollectionPeriod.objects.create(
        scheme=w.scheme,
        kind="annual",
        code="LATER",
        name="补报",
        starts_on=dt.date(w.year.year, 12, 1),
        ends_on=dt.date(w.year.year + 1, 1, 31),
        deadline=timezone.now(),
    )
    first = Entry.objects.filter(period=w.period, value__isnull=False).order_by("id").first()
    assert first is not None
    w.entry(
        first.unit.code, first.indicator.code, D(first.value) + 1, first.reference, period=later
    )
    other = Entry.objects.exclude(indicator=first.indicator).order_by("id").first()
    assert other is not None
    w.entry(
        other.unit.code,
        other.indicator.code,
        other.value,
        other.reference,
        other.grade,
        status=EntryStatus.DRAFT,
        period=later,
    )
    stray = make_org("STRAY", name="未参加单位")
    w.units["STRAY"] = stray
    w.entry("STRAY", other.indicator.code, other.value, other.reference, other.grade)


def test_each_units_latest_counting_entry_counts_and_strays_are_noted() -> None:
    w, _ = province_world(seed=14)
    _later_period_and_strays(w)
    later = CollectionPeriod.objects.get(scheme=w.scheme, code="LATER")
    changed = Entry.objects.get(period=later, status=EntryStatus.APPROVED)
    inputs = loader.load_year(w.year)
    leaf = changed.indicator.code
    assert inputs.periods_by_code == {}  # no indicator must be reported in a given period
    assert inputs.notes == ["1 条数据所属单位未参加本年度考核，未计分"]
    data = next(d for d in inputs.data.values() if leaf in d.columns)
    column = data.columns[leaf]
    earlier = Entry.objects.filter(period=w.period, indicator=changed.indicator)
    # The unit with a later figure uses it; every other unit keeps its year-end figure.
    assert column.reported.sum() == earlier.exclude(value=None, grade="").count()
    assert column.refs is not None
    assert column.refs[data.rows[changed.unit.code]] == changed.pk
    for entry in earlier.exclude(unit=changed.unit)[:5]:
        assert column.refs[data.rows[entry.unit.code]] == entry.pk


def test_a_must_report_indicator_takes_only_its_required_periods_entries() -> None:
    w, _ = province_world(seed=14)
    _later_period_and_strays(w)
    later = CollectionPeriod.objects.get(scheme=w.scheme, code="LATER")
    changed = Entry.objects.get(period=later, status=EntryStatus.APPROVED)
    Indicator.objects.filter(pk=changed.indicator_id).update(must_report=True)
    inputs = loader.load_year(w.year)
    leaf = changed.indicator.code
    assert inputs.periods_by_code == {leaf: later.pk}
    data = next(d for d in inputs.data.values() if leaf in d.columns)
    column = data.columns[leaf]
    assert column.reported.sum() == 1  # only the required (latest annual) period's entry
    assert column.refs is not None
    assert column.refs[data.rows[changed.unit.code]] == changed.pk


def _stored(run: Any) -> dict[str, tuple[Any, ...]]:
    return {
        r[0]: r[1:]
        for r in UnitResult.objects.filter(run=run).values_list(
            "unit__code",
            "total",
            "total_exact",
            "rank",
            "position",
            "units_in_category",
            "grade",
            "awards",
            "warnings",
            "subtotals",
            "scores",
            "missing",
            "last_total",
            "last_rank",
        )
    }


@pytest.mark.parametrize("cold", [False, True], ids=["cached", "from-snapshot"])
def test_incremental_recomputes_end_exactly_where_a_full_computation_does(cold: bool) -> None:
    w, _ = province_world(seed=15)
    run = actions.compute_run(w.year)
    rng = np.random.default_rng(3)
    ids = list(Entry.objects.order_by("id").values_list("id", flat=True))
    for step in range(8):
        entry = Entry.objects.get(pk=ids[int(rng.integers(0, len(ids)))])
        donor = (
            Entry.objects.filter(indicator=entry.indicator).exclude(pk=entry.pk).order_by("?")[0]
        )
        if step % 4 == 3:
            entry.status = EntryStatus.RETURNED  # no longer counts: the unit's data is missing
        else:
            entry.value, entry.reference, entry.grade = donor.value, donor.reference, donor.grade
        entry.save()
        if cold:
            actions._forget(run.pk)
        assert actions.recompute_entry(entry.pk) == run
    again = actions.compute_run(w.year)
    assert _stored(run) == _stored(again)


def test_stored_results_match_the_engine_result_they_came_from() -> None:
    w, province = province_world(seed=16)
    run = actions.compute_run(w.year)
    reference = score_province(province.data)
    stored = _stored(run)
    for category in reference.categories.values():
        codes = [n.code for n in category.compiled.nodes]
        for unit in category.units:
            row = stored[unit.unit_code]
            assert (row[0], row[1], row[2]) == (unit.total, unit.total_exact, unit.rank)
            scores = category.node_scores(unit.unit_code)
            assert [D(s).scaleb(-4) for s in row[9]] == [scores[c] for c in codes]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_entry_query_overlaps_and_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, _ = province_world(seed=17)
    assert not connection.in_atomic_block
    used: list[bool] = []
    real = loader.ThreadPoolExecutor

    def spy(*args: Any, **kwargs: Any) -> Any:
        used.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "ThreadPoolExecutor", spy)
    overlapped = loader.load_year(w.year)
    assert used == [True]
    generic_only(monkeypatch)
    monkeypatch.setattr(connection, "vendor", "other")  # the sequential path
    sequential = loader.load_year(w.year)
    for code in overlapped.data:
        assert_same_data(overlapped.data[code], sequential.data[code])
