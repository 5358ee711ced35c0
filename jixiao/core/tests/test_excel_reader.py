"""The one-pass sheet reader (core/excel_reader.py) on hand-written sheets."""

from __future__ import annotations

import pytest

from jixiao.core.excel_reader import Columns, read_xlsx
from jixiao.core.excel_safety import DEFAULT_LIMITS, Limits, SpreadsheetError
from jixiao.core.tests.hostile import header_row, workbook

COLUMNS = Columns(("编码",), ("名称",))


def test_an_empty_styled_cell_far_to_the_right_is_harmless() -> None:
    data = workbook(
        [
            header_row(["编码", "名称"]),
            '<row r="2"><c r="A2"><v>7</v></c><c r="XFD2" s="1"/></row>',
        ],
        before_data='<dimension ref="A1:XFD1048576"/>',
    )
    table = read_xlsx(data, COLUMNS, None, DEFAULT_LIMITS)
    assert table.rows == [(2, {"编码": 7, "名称": None})]


def test_a_value_far_to_the_right_is_refused() -> None:
    data = workbook([header_row(["编码"]), '<row r="2"><c r="IW2"><v>1</v></c></row>'])
    with pytest.raises(SpreadsheetError, match="列数超过上限"):
        read_xlsx(data, COLUMNS, None, DEFAULT_LIMITS)


def test_prefixed_element_names_are_counted_too() -> None:
    """The byte prescan only knows <row>; the parser counts <x:row> exactly (expat runs
    without namespace processing, so the prefix needs no declaration)."""
    rows = "".join(f'<x:row r="{i}"><x:c r="A{i}"><x:v>1</x:v></x:c></x:row>' for i in range(2, 30))
    data = workbook([header_row(["编码"]), rows])
    limits = Limits(rows=10)
    with pytest.raises(SpreadsheetError, match="行数超过上限"):
        read_xlsx(data, COLUMNS, None, limits)
