"""The run's input snapshot gives back exactly the engine input it was made from."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.province import generate_province
from jixiao.scoring.engine import CategoryData, LeafColumn, NumberColumn, score_category
from jixiao.scoring.snapshot import (
    FORMAT,
    EntryRefs,
    dump_data,
    load_data,
    tree_from_json,
    tree_to_json,
)

DATA = Path(__file__).parent / "fixtures"


def assert_equal_data(a: CategoryData, b: CategoryData) -> None:
    assert (a.category_code, a.unit_codes, a.events) == (b.category_code, b.unit_codes, b.events)
    assert a.staffing.tolist() == b.staffing.tolist()
    assert sorted(a.columns) == sorted(b.columns)
    for code, x in a.columns.items():
        y = b.columns[code]
        assert x.reported.tolist() == y.reported.tolist()
        assert x.refs == y.refs
        assert sorted(x.fields) == sorted(y.fields)
        for name, f in x.fields.items():
            g = y.fields[name]
            assert type(f) is type(g)
            assert f.present.tolist() == g.present.tolist()
            assert f.values.tolist() == g.values.tolist()
            assert [type(v) for v in f.values.tolist()] == [type(v) for v in g.values.tolist()]
            if isinstance(f, NumberColumn):
                assert isinstance(g, NumberColumn)
                assert f.digits == g.digits


def test_a_snapshot_round_trip_scores_exactly_the_same() -> None:
    province = generate_province(units=80, categories=2, leaves=30, seed=3)
    for tree in province.trees:
        code = tree.category_code
        data = province.data.data[code]
        blob, layout = dump_data(data)
        assert layout["format"] == FORMAT
        again = load_data(blob, layout)
        assert_equal_data(data, again)
        rebuilt = tree_from_json(tree_to_json(tree, {}))  # params come back as JSON text
        before = score_category(province.data.trees[code], data)
        after = score_category(rebuilt, again)
        assert np.array_equal(before.scores, after.scores)
        assert [u.total for u in before.units] == [u.total for u in after.units]


def _mixed(data: CategoryData) -> CategoryData:
    """Columns with entry ids, plain int refs, opaque refs, no refs, and a field whose
    values do not fit int64 (Python ints)."""
    columns = {}
    for i, (leaf, column) in enumerate(sorted(data.columns.items())):
        n = len(column.reported)
        ids = np.where(column.reported, np.arange(n) + 10 * i + 1, -1).astype(np.int64)
        if i % 4 == 0:
            refs: tuple[object, ...] | None = EntryRefs(
                [None if v < 0 else int(v) for v in ids.tolist()], ids
            )
        elif i % 4 == 1:
            refs = tuple(None if v < 0 else int(v) + 2**62 for v in ids.tolist())  # huge ids
        elif i % 4 == 2:
            refs = column.refs  # the generator's text refs
        else:
            refs = None
        fields = dict(column.fields)
        if i == 1:
            name, field = next(
                (k, f) for k, f in sorted(fields.items()) if isinstance(f, NumberColumn)
            )
            big = np.array([int(v) * 10**20 - 7 for v in field.values.tolist()], dtype=object)
            fields[name] = NumberColumn(big, field.digits, field.present)
        columns[leaf] = LeafColumn(fields, column.reported, refs)
    return replace(data, columns=columns)


def test_every_kind_of_column_round_trips_exactly() -> None:
    province = generate_province(units=30, categories=1, leaves=20, seed=4)
    data = _mixed(next(iter(province.data.data.values())))
    blob, layout = dump_data(data)
    json.dumps(layout)  # the layout is plain JSON
    again = load_data(blob, layout)
    assert_equal_data(data, again)
    kinds = {refs for _, refs, _ in layout["columns"]}
    assert kinds == {"id", "json", None}


def test_negative_and_large_numbers_keep_their_width() -> None:
    province = generate_province(units=10, categories=1, leaves=6, seed=5)
    data = next(iter(province.data.data.values()))
    leaf, column = sorted(data.columns.items())[0]
    name, field = sorted(column.fields.items())[0]
    assert isinstance(field, NumberColumn)
    values = np.array([-(2**40), 2**40, -1, 0, 2**31, *[7] * (len(field.values) - 5)])
    wide = replace(
        data,
        columns={
            **data.columns,
            leaf: LeafColumn(
                {**column.fields, name: NumberColumn(values, 4, field.present)},
                column.reported,
                column.refs,
            ),
        },
    )
    assert_equal_data(wide, load_data(*dump_data(wide)))


def test_snapshots_of_the_first_format_still_load() -> None:
    """Runs computed before format 2 keep their snapshots: explanations must rebuild."""
    blob = (DATA / "snapshot_v1.npz").read_bytes()
    layout = json.loads((DATA / "snapshot_v1.json").read_text())
    assert "format" not in layout
    data = load_data(blob, layout)
    province = generate_province(units=24, categories=1, leaves=14, seed=5)
    expected = next(iter(province.data.data.values()))
    assert data.unit_codes == expected.unit_codes
    assert data.events == expected.events
    assert sorted(data.columns) == sorted(expected.columns)
    for i, (leaf, column) in enumerate(sorted(expected.columns.items())):
        got = data.columns[leaf]
        assert got.reported.tolist() == column.reported.tolist()
        for name, field in column.fields.items():
            assert got.fields[name].values.tolist() == field.values.tolist()
        if i % 2 == 0:  # written with integer refs (entry ids)
            assert got.refs == tuple(
                1000 + 37 * i + r if column.reported[r] else None
                for r in range(len(column.reported))
            )
        else:
            assert got.refs == column.refs
    # and it scores like the generator's data
    before = score_category(province.data.trees[expected.category_code], expected)
    after = score_category(province.data.trees[expected.category_code], data)
    assert np.array_equal(before.scores, after.scores)


def test_entry_records_are_columns_and_format_3_records_still_read() -> None:
    from jixiao.scoring.records import NO_ID, NO_TIME, EntryRecords, load_records

    province = generate_province(units=10, categories=1, leaves=5, seed=3)
    data = province.data.data[province.trees[0].category_code]
    records = EntryRecords(
        np.array([7, 42], dtype=np.int64),
        np.array(
            [
                [2, 5],  # status: 2nd and 5th of STATUSES
                [11, 11],  # department
                [3, NO_ID],  # entered by
                [1_700_000_000, NO_TIME],
                [NO_ID, NO_ID],
                [NO_TIME, NO_TIME],
                [NO_ID, NO_ID],
                [NO_TIME, NO_TIME],
                [9, 9],  # period
            ],
            dtype=np.int64,
        ),
        {"users": {"3": "张三"}, "departments": {"11": "财政局"}, "periods": {"9": "年度"}},
        {"42": "复核后扣 2 次"},
        {"7": [[1, "通报.pdf"]]},
    )
    blob, layout = dump_data(data, records.arrays())
    assert layout["format"] == FORMAT == 4
    again = load_records(blob, layout)
    assert again is not None
    assert dict(again) == dict(records)
    assert again["7"][2:5] == ["财政局", "张三", 1_700_000_000]
    assert again["7"][10] == [[1, "通报.pdf"]]
    assert again["42"][0] == "复核后扣 2 次"
    assert again["42"][3:5] == ["", None]
    assert again.get("8") is None
    assert again.get("x") is None
    # A run computed in format 3 kept one JSON object per category: still read.
    old = {"7": ["", "approved", "财政局", "张三", 1, "", None, "", None, "年度", []]}
    text = np.frombuffer(json.dumps(old, ensure_ascii=False).encode(), np.uint8)
    blob3, layout3 = dump_data(data, {"records": text})
    layout3["format"] = 3
    assert load_records(blob3, layout3) == old
    assert load_data(blob3, layout3).unit_codes == data.unit_codes
