"""The Excel round-trip and every bad-input class of the issue: nothing half-imported."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection import spreadsheet
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core import excel

HEADERS = spreadsheet.HEADERS


def _template(world: World, department: User) -> Workbook:
    return spreadsheet.build_template(world.period, department.organization)


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, name: str = "填报.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _row_of(ws: Worksheet, indicator: str, unit: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 3).value == indicator and ws.cell(row, 1).value == unit:
            return row
    raise AssertionError((indicator, unit))


def _fill(
    ws: Worksheet,
    indicator: str,
    unit: str,
    value: Any,
    reference: Any = None,
    reason: Any = "说明",
) -> int:
    row = _row_of(ws, indicator, unit)
    ws.cell(row, 8).value = value
    ws.cell(row, 9).value = reference
    ws.cell(row, 11).value = reason
    return row


def _import(
    department: User, world: World, data: bytes, name: str = "填报.xlsx"
) -> spreadsheet.ImportReport:
    return spreadsheet.import_workbook(department, world.period, _upload(data, name))


def _messages(report: spreadsheet.ImportReport) -> str:
    return "\n".join(str(e) for e in report.errors)


# -- the round trip -------------------------------------------------------------------


def test_the_template_lists_my_slots_with_the_standard_as_a_comment(
    world: World, department: User
) -> None:
    ws = _template(world, department)[spreadsheet.SHEET]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row - 1 == 8  # 4 indicators x 2 units; JYJ's indicator is not there
    row = _row_of(ws, "A01", "JD01")
    assert ws.cell(row, 4).comment is not None
    assert "按工作完成情况打分" in ws.cell(row, 4).comment.text
    assert ws.cell(_row_of(ws, "A02", "JD01"), 6).value == "数值=实际完成值；基准值=目标值"


def test_a_filled_template_imports_and_the_same_file_twice_changes_nothing(
    world: World, department: User
) -> None:
    wb = _template(world, department)
    ws = wb[spreadsheet.SHEET]
    _fill(ws, "A01", "JD01", 8)
    _fill(ws, "A02", "JD02", 90, 120, None)
    data = _bytes(wb)
    report = _import(department, world, data)
    assert report.ok, _messages(report)
    assert (report.created, report.updated) == (2, 0)
    entry = Entry.objects.get(indicator=world.completion, unit=world.other_unit)
    assert (entry.score, entry.status) == (Decimal("15.0000"), EntryStatus.DRAFT)
    audit_rows = AuditEvent.objects.count()

    again = _import(department, world, data)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.count() == audit_rows
    assert Entry.objects.get(pk=entry.pk).version == 1


def test_a_changed_value_updates_the_draft_with_an_audit_row(
    world: World, department: User
) -> None:
    wb = _template(world, department)
    _fill(wb[spreadsheet.SHEET], "A01", "JD01", 8)
    _import(department, world, _bytes(wb))
    wb = _template(world, department)  # re-downloaded: carries the version
    _fill(wb[spreadsheet.SHEET], "A01", "JD01", 7)
    report = _import(department, world, _bytes(wb))
    assert (report.created, report.updated) == (0, 1)
    entry = Entry.objects.get()
    assert (entry.value, entry.version) == (Decimal("7"), 2)
    imports = AuditEvent.objects.filter(action="import", object_type="collection.entry")
    assert imports.filter(object_id=str(entry.pk)).count() == 2


def test_a_stale_template_does_not_overwrite_newer_data(world: World, department: User) -> None:
    wb = _template(world, department)
    _fill(wb[spreadsheet.SHEET], "A01", "JD01", 8)
    _import(department, world, _bytes(wb))
    stale = _template(world, department)
    newer = _template(world, department)
    _fill(newer[spreadsheet.SHEET], "A01", "JD01", 6)
    _import(department, world, _bytes(newer))
    _fill(stale[spreadsheet.SHEET], "A01", "JD01", 9)
    report = _import(department, world, _bytes(stale))
    assert "已被他人修改" in _messages(report)
    assert Entry.objects.get().value == Decimal("6")


def test_reordered_columns_are_fine(world: World, department: User) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["计分说明", "数值", "指标编码", "单位编码"])
    ws.append(["依据台账", 8, "A01", "JD01"])
    report = _import(department, world, _bytes(wb))
    assert report.ok, _messages(report)
    assert Entry.objects.get().value == Decimal("8")


def test_numbers_as_people_type_them(world: World, department: User) -> None:
    wb = _template(world, department)
    ws = wb[spreadsheet.SHEET]
    _fill(ws, "A02", "JD01", "８５%", "100%")  # full-width digits, percentages
    _fill(ws, "A02", "JD02", "1,234", "2,468")  # thousands separators
    _fill(ws, "A01", "JD01", "8")  # a number stored as text
    report = _import(department, world, _bytes(wb))
    assert report.ok, _messages(report)
    a = Entry.objects.get(indicator=world.completion, unit=world.unit)
    assert (a.value, a.reference, a.score) == (Decimal("0.85"), Decimal("1"), Decimal("17.0000"))
    b = Entry.objects.get(indicator=world.completion, unit=world.other_unit)
    assert (b.value, b.reference) == (Decimal("1234"), Decimal("2468"))
    assert Entry.objects.get(indicator=world.direct).value == Decimal("8")


# -- bad rows: row-level Chinese errors, nothing written --------------------------------


BAD_ROWS: dict[str, tuple[Callable[[Worksheet, World], None], str]] = {
    "value above the maximum": (
        lambda ws, w: _fill(ws, "A01", "JD01", 11),
        "“得分”必须在 0 至 10 之间",
    ),
    "negative count": (lambda ws, w: _fill(ws, "A04", "JD01", -1), "“扣分次数”不能为负数"),
    "not a number": (lambda ws, w: _fill(ws, "A01", "JD01", "八十"), "不是有效的数字"),
    "unknown indicator code": (
        lambda ws, w: ws.append(["JD01", "", "ZZ99", "", "", "", "", 5]),
        "未知的指标编码“ZZ99”",
    ),
    "unknown unit code": (
        lambda ws, w: ws.append(["XX01", "", "A01", "", "", "", "", 5]),
        "未知的单位编码“XX01”",
    ),
    "another department's indicator": (
        lambda ws, w: ws.append(["JD01", "", "B01", "", "", "", "", 5]),
        "指标“B01”不由本单位负责",
    ),
    "duplicate row": (
        lambda ws, w: (
            _fill(ws, "A01", "JD01", 8),
            ws.append(["JD01", "", "A01", "", "", "", "", 9]),
        ),
        "与第",
    ),
    "formula cell": (
        lambda ws, w: _fill(ws, "A01", "JD01", "=2*4"),
        "单元格含有公式",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_rows_are_reported_in_chinese_and_nothing_is_imported(
    world: World, department: User, case: str
) -> None:
    wb = _template(world, department)
    ws = wb[spreadsheet.SHEET]
    _fill(ws, "A01", "JD02", 8)  # a good row that must not be imported either
    spoil, message = BAD_ROWS[case]
    spoil(ws, world)
    report = _import(department, world, _bytes(wb))
    assert not report.ok
    assert message in _messages(report)
    assert all(e.row > 1 for e in report.errors)
    assert not Entry.objects.exists()


def test_units_outside_the_indicators_scope_are_rejected(world: World, department: User) -> None:
    world.direct.units.set([world.unit])  # A01 now assesses JD01 only
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["单位编码", "指标编码", "数值", "计分说明"])
    ws.append(["JD02", "A01", 8, "x"])
    report = _import(department, world, _bytes(wb))
    assert "单位“JD02”不在指标“A01”的考核范围内" in _messages(report)
    assert not Entry.objects.exists()


def test_submitted_rows_cannot_be_changed_by_upload(world: World, department: User) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED, value="8")
    wb = _template(world, department)
    _fill(wb[spreadsheet.SHEET], "A01", "JD01", 3)
    report = _import(department, world, _bytes(wb))
    assert "不能通过导入修改" in _messages(report)
    assert Entry.objects.get().value == Decimal("8")


def test_text_that_looks_like_a_formula_is_kept_as_text_and_escaped_on_export(
    world: World, department: User
) -> None:
    wb = _template(world, department)
    ws = wb[spreadsheet.SHEET]
    row = _fill(ws, "A01", "JD01", 8, reason=None)
    ws.cell(row, 11).value = '=HYPERLINK("http://x")'
    ws.cell(row, 11).data_type = "s"  # typed as text ('=...), not a formula
    report = _import(department, world, _bytes(wb))
    assert report.ok, _messages(report)
    assert Entry.objects.get().reason == '=HYPERLINK("http://x")'
    exported = _template(world, department)[spreadsheet.SHEET]
    assert exported.cell(_row_of(exported, "A01", "JD01"), 11).value == '\'=HYPERLINK("http://x")'
    for prefix in ("+", "-", "@"):
        assert excel.safe_cell(prefix + "cmd") == "'" + prefix + "cmd"


# -- bad files: refused whole, with a Chinese message ----------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _parts(wb: Workbook) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(_bytes(wb)))
    return {n: archive.read(n) for n in archive.namelist()}


def _file_error(department: User, world: World, data: bytes, name: str = "填报.xlsx") -> str:
    report = _import(department, world, data, name)
    assert not report.ok
    assert not Entry.objects.exists()
    return _messages(report)


def test_a_csv_renamed_to_xlsx_is_refused(world: World, department: User) -> None:
    message = _file_error(department, world, "单位编码,指标编码,数值\nJD01,A01,8\n".encode())
    assert "不是有效的 Excel" in message


def test_an_html_table_renamed_to_xlsx_is_refused(world: World, department: User) -> None:
    message = _file_error(department, world, b"<html><table><tr><td>JD01</td></tr></table></html>")
    assert "网页（HTML）" in message


def test_a_workbook_with_macros_is_refused(world: World, department: User) -> None:
    parts = _parts(_template(world, department))
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0macro"
    message = _file_error(department, world, _zip(parts), "填报.xlsm")
    assert "包含宏" in message


def test_a_zip_bomb_is_refused(world: World, department: User) -> None:
    parts = _parts(_template(world, department))
    parts["xl/media/padding.bin"] = b"\0" * (30 * 1024 * 1024)
    message = _file_error(department, world, _zip(parts))
    assert "压缩炸弹" in message


def test_an_xml_entity_bomb_is_refused(world: World, department: User) -> None:
    parts = _parts(_template(world, department))
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    workbook_xml = parts["xl/workbook.xml"]
    assert not workbook_xml.startswith(b"<?xml")
    parts["xl/workbook.xml"] = lol + workbook_xml
    message = _file_error(department, world, _zip(parts))
    assert "不安全的 XML" in message


def test_merged_cells_are_refused(world: World, department: User) -> None:
    wb = _template(world, department)
    _fill(wb[spreadsheet.SHEET], "A01", "JD01", 8)
    wb[spreadsheet.SHEET].merge_cells("K2:K3")
    assert "合并单元格" in _file_error(department, world, _bytes(wb))


def test_hidden_rows_are_flagged(world: World, department: User) -> None:
    wb = _template(world, department)
    row = _fill(wb[spreadsheet.SHEET], "A01", "JD01", 8)
    wb[spreadsheet.SHEET].row_dimensions[row].hidden = True
    message = _file_error(department, world, _bytes(wb))
    assert f"第 {row} 行：该行被隐藏" in message


def test_a_hidden_sheet_is_refused(world: World, department: User) -> None:
    wb = _template(world, department)
    _fill(wb[spreadsheet.SHEET], "A01", "JD01", 8)
    wb[spreadsheet.SHEET].sheet_state = "hidden"
    wb.active = 1
    assert "被隐藏" in _file_error(department, world, _bytes(wb))


def test_formulas_are_never_evaluated(world: World, department: User) -> None:
    wb = _template(world, department)
    for prefix_formula in ("=1+7",):
        _fill(wb[spreadsheet.SHEET], "A01", "JD01", prefix_formula)
    assert "单元格含有公式" in _file_error(department, world, _bytes(wb))


def test_a_file_over_the_size_limit_is_refused(
    world: World, department: User, settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024
    data = _bytes(_template(world, department))
    assert len(data) > 1024
    assert "超过大小上限" in _file_error(department, world, data)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_files_in_chinese_encodings_are_decoded(
    world: World, department: User, encoding: str
) -> None:
    text = "单位编码,指标编码,数值,计分说明\nJD01,A01,8,依据《考核细则》第三条核定\n"
    report = _import(department, world, text.encode(encoding), "填报.csv")
    assert report.ok, _messages(report)
    assert Entry.objects.get().reason == "依据《考核细则》第三条核定"


def test_an_empty_file_is_refused(world: World, department: User) -> None:
    assert "文件是空的" in _file_error(department, world, b"")
