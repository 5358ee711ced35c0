"""Reading the rows of an uploaded .xlsx or .csv: one linear pass, only cells that exist.

The sheet XML is parsed with expat straight from the zip, in chunks. Nothing is sized
from what the file claims (a `<dimension>` of A1:XFD1048576 is ignored): only cells
present in the XML are seen, only the wanted columns are kept, and rows, cells, columns,
shared strings, characters per cell and inflated bytes are counted against `Limits` as
they arrive. Runs in the sandboxed child (`core.excel.read_upload`); returns plain rows.
"""

from __future__ import annotations

import csv
import io
import posixpath
import pyexpat
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jixiao.core.excel_safety import (
    Limits,
    SpreadsheetError,
    bomb,
    corrupt,
    iter_part,
    open_archive,
    unsafe_xml,
)

EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384
# C0 control characters other than tab and line breaks, and DEL: never typed by people.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}"


@dataclass
class Table:
    """Rows of a sheet keyed by header name, with their 1-based row numbers."""

    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Columns:
    """The columns a door reads: required, optional, and any whose header `matching` accepts."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    matching: Callable[[str], bool] | None = None


def normalize_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return text.replace(" ", "").replace("*", "")


def positions(header: Sequence[Any], columns: Columns) -> dict[str, int]:
    """Where each wanted column is, by its header; refuses missing and doubled columns."""
    headers = [normalize_header(v) for v in header]
    wanted = {normalize_header(h): h for h in [*columns.required, *columns.optional]}
    if columns.matching is not None:
        wanted.update({h: h for h in headers if h and h not in wanted and columns.matching(h)})
    missing = [h for h in columns.required if normalize_header(h) not in headers]
    if missing:
        raise SpreadsheetError(
            _("缺少必需的列：%(cols)s。请使用系统导出的模板。") % {"cols": "、".join(missing)}
        )
    seen: set[str] = set()
    for h in headers:
        if h in wanted and h in seen:
            raise SpreadsheetError(_("列“%(col)s”出现了两次。") % {"col": wanted[h]})
        seen.add(h)
    return {wanted[h]: i for i, h in enumerate(headers) if h in wanted}


def too_many(what: str, limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("文件的%(what)s超过上限（%(limit)s），请拆分后上传。")
        % {"what": what, "limit": f"{limit:,}"}
    )


def add_row(
    table: Table,
    number: int,
    values: dict[str, Any],
    formulas: Iterable[str] = (),
    hidden: bool = False,
    controls: bool = False,
) -> None:
    """One data row into the table: blank rows skipped; formulas, hidden rows and (when
    the text may hold them: CSV, never XML) control characters flagged, so that the
    import writes nothing."""
    for name in formulas:
        table.errors.append(RowError(number, name, _("单元格含有公式，请粘贴为数值后再上传。")))
    if all(v is None or v == "" for v in values.values()):
        return
    if controls:
        for name, value in values.items():
            if isinstance(value, str) and CONTROL.search(value):
                message = _("含有不可见的控制字符，请删除后再上传。")
                table.errors.append(RowError(number, name, message))
    if hidden:
        table.errors.append(RowError(number, "", _("该行被隐藏，请取消隐藏并确认后再上传。")))
    table.rows.append((number, values))


# -- xlsx ------------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


def _expat(chunks: Iterable[bytes], start: Any, end: Any = None, text: Any = None) -> None:
    """Run expat over a part's chunks; a DTD or entity declaration is refused."""

    def refuse(*args: Any) -> None:
        raise unsafe_xml()

    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except pyexpat.ExpatError as error:
        raise SpreadsheetError(_("Excel 文件无法读取：文件已损坏或格式不受支持。")) from error
    except (ValueError, IndexError, KeyError, OverflowError) as error:
        raise corrupt() from error


def sniff_xlsx(data: bytes) -> None:
    """Name what a non-workbook is (people rename files) before opening it as a zip."""
    if data.startswith(b"PK\x03\x04"):
        return
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table")):
        raise SpreadsheetError(
            _("该文件是网页（HTML）而不是 Excel 文件，请在 Excel 中另存为 .xlsx 后上传。")
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后上传。"))
    raise SpreadsheetError(_("该文件不是有效的 Excel（.xlsx）文件，可能是改了扩展名的其他文件。"))


@dataclass
class Book:
    """Just enough of a workbook to stream its sheets: names, states, parts, strings."""

    archive: zipfile.ZipFile
    sheets: list[tuple[str, str, str]]  # (name, state, part path), in workbook order
    shared: list[str]
    budget: list[int]  # inflated bytes still allowed, shared by every part read


def open_book(data: bytes, limits: Limits, *, hidden_ok: bool = False) -> Book:
    sniff_xlsx(data)
    archive = open_archive(data, limits)
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError(_("该文件不是有效的 Excel（.xlsx）文件。"))
    budget = [limits.uncompressed_bytes]
    targets: dict[str, str] = {}

    def rel(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("Type", "").endswith("/worksheet"):
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attrs.get("Id", "")] = posixpath.normpath(path)

    sheets: list[tuple[str, str, str]] = []

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            if rid in targets:
                sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), targets[rid]))

    if "xl/_rels/workbook.xml.rels" in names:
        _expat(iter_part(archive, "xl/_rels/workbook.xml.rels", budget), rel)
    _expat(iter_part(archive, "xl/workbook.xml", budget), sheet)
    if not sheets or any(path not in names for _n, _s, path in sheets):
        raise SpreadsheetError(_("该文件不是有效的 Excel（.xlsx）文件。"))
    for title, state, _path in sheets:
        if state != "visible" and not hidden_ok:
            raise SpreadsheetError(
                _("工作表“%(name)s”被隐藏，请取消隐藏后再上传。") % {"name": title}
            )
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        strings = ((b"<si>", b"<si "), limits.shared_strings, _("共享字符串数"))
        prescan(archive, "xl/sharedStrings.xml", limits, [strings])
        shared = _shared_strings(iter_part(archive, "xl/sharedStrings.xml", budget), limits)
    return Book(archive, sheets, shared, budget)


def prescan(
    archive: zipfile.ZipFile,
    name: str,
    limits: Limits,
    marks: list[tuple[tuple[bytes, ...], int, str]],
) -> None:
    """Count elements by their bytes before parsing them (C speed, ~10x faster than the
    parser's callbacks): a part with far too many rows, cells or strings is refused
    before any is parsed. Prefixed names (<x:row>) are not counted here; the parser
    counts everything again exactly."""
    counts = [0] * len(marks)
    tail = b""
    for chunk in iter_part(archive, name, [limits.uncompressed_bytes]):
        window = tail + chunk
        for i, (patterns, limit, what) in enumerate(marks):
            counts[i] += sum(window.count(p) for p in patterns)
            if counts[i] > limit:
                raise too_many(what, limit)
        tail = chunk[-4:]  # shorter than any mark: nothing is counted twice


def _shared_strings(chunks: Iterable[bytes], limits: Limits) -> list[str]:
    shared: list[str] = []
    parts: list[str] = []
    state = {"in_t": False, "phonetic": 0, "chars": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        name = _local(name)
        if name == "si":
            parts.clear()
            state["chars"] = 0
        elif name == "t" and not state["phonetic"]:
            state["in_t"] = True
        elif name == "rPh":
            state["phonetic"] += 1

    def end(name: str) -> None:
        name = _local(name)
        if name == "t":
            state["in_t"] = False
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "si":
            if len(shared) >= limits.shared_strings:
                raise too_many(_("共享字符串数"), limits.shared_strings)
            # Stripped once here: values are stripped anyway, and a string referenced by
            # many cells must not be copied once per cell.
            shared.append("".join(parts).strip())

    def text(data: str) -> None:
        if state["in_t"]:
            state["chars"] += len(data)
            if state["chars"] > limits.cell_chars:
                raise too_many(_("单元格字数"), limits.cell_chars)
            parts.append(data)

    _expat(chunks, start, end, text)
    return shared


def _column_index(ref: str) -> int:
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _typed(text: str, kind: str, shared: Sequence[str]) -> Any:
    """A cell's value as openpyxl would give it (numbers as int or float)."""
    if kind == "s":
        return shared[int(text)] if text else None  # a bad index: corrupt (IndexError)
    if kind in ("inlineStr", "str", "e", "d"):
        return text
    if kind == "b":
        return text == "1"
    if not text:
        return None
    if len(text) > 40:
        raise corrupt()  # no number Excel writes is this long
    try:
        return int(text)
    except ValueError:
        return float(text)


class SheetReader:
    """The expat callbacks over one sheet, keeping only the wanted columns' cells."""

    def __init__(self, shared: Sequence[str], columns: Columns, limits: Limits) -> None:
        self.shared, self.columns, self.limits = shared, columns, limits
        self.table: Table | None = None
        self.wanted: dict[int, str] = {}  # column index -> name, once the header is read
        self.hidden_columns: list[tuple[int, int]] = []
        self.rows = self.cells = 0
        self.row = 0
        self.row_hidden = False
        self.next_col = 0
        self.col = -1
        self.kind = "n"
        self.formula = self.keep = self.collecting = self.far = False
        self.phonetic = 0
        self.chars = 0
        self.parts: list[str] = []
        self.values: dict[int, tuple[str, str, bool]] = {}
        self.merged: str | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            self.cells += 1
            if self.cells > self.limits.cells:
                raise too_many(_("单元格数"), self.limits.cells)
            ref = attrs.get("r")
            self.col = _column_index(ref) if ref else self.next_col
            if not 0 <= self.col < EXCEL_MAX_COLUMN:
                raise corrupt()
            self.next_col = self.col + 1
            self.kind = attrs.get("t", "n")
            self.formula = False
            # An empty styled cell far to the right is harmless (some tools write them);
            # a value there is refused as soon as it starts (below).
            self.far = self.col >= self.limits.columns
            self.keep = not self.far and (self.table is None or self.col in self.wanted)
            self.parts.clear()
            self.chars = 0
        elif name in ("v", "t", "f", "is") and self.far:
            raise too_many(_("列数"), self.limits.columns)
        elif name == "v" or name == "t":
            self.collecting = self.keep and not self.phonetic
        elif name == "f":
            self.formula = True
        elif name == "row":
            self.rows += 1
            if self.rows > self.limits.rows:
                raise too_many(_("行数"), self.limits.rows)
            number = attrs.get("r")
            self.row = int(number) if number else self.row + 1
            if not 0 < self.row <= EXCEL_MAX_ROW:
                raise corrupt()
            if self.table is None and self.row > 1:
                self._header({})  # the first row is not row 1: no header
            self.row_hidden = attrs.get("hidden") in ("1", "true")
            self.next_col = 0
            self.values = {}
        elif name == "rPh":
            self.phonetic += 1
            self.collecting = False
        elif name == "col" and attrs.get("hidden") in ("1", "true"):
            self.cells += 1  # a <cols> entry costs like a cell
            if self.cells > self.limits.cells:
                raise too_many(_("单元格数"), self.limits.cells)
            low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
            self.hidden_columns.append((low - 1, high - 1))
        elif name == "mergeCell" and self.merged is None:
            self.merged = attrs.get("ref", "?")

    def end(self, name: str) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "v" or name == "t":
            self.collecting = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
            if self.keep:
                self.values[self.col] = ("".join(self.parts), self.kind, self.formula)
        elif name == "row":
            if self.table is None:
                self._header(self.values)
            else:
                self._data_row()

    def text(self, data: str) -> None:
        if self.collecting:
            self.chars += len(data)
            if self.chars > self.limits.cell_chars:
                raise too_many(_("单元格字数"), self.limits.cell_chars)
            self.parts.append(data)

    def _header(self, cells: dict[int, tuple[str, str, bool]]) -> None:
        width = max(cells, default=-1) + 1
        header = [
            _typed(cells[i][0], cells[i][1], self.shared) if i in cells else None
            for i in range(width)
        ]
        found = positions(header, self.columns)
        self.table = Table(headers=list(found))
        self.wanted = {index: name for name, index in found.items()}
        for index, name in self.wanted.items():
            if any(low <= index <= high for low, high in self.hidden_columns):
                raise SpreadsheetError(_("列“%(col)s”被隐藏，请取消隐藏后再上传。") % {"col": name})

    def _data_row(self) -> None:
        assert self.table is not None
        if not self.values:
            return  # no cell in a wanted column: a blank row
        values: dict[str, Any] = {}
        formulas: list[str] = []
        # `wanted` is in the header's column order, which callers iterating a row expect.
        for index, name in self.wanted.items():
            raw = self.values.get(index)
            if raw is None:
                values[name] = None
            elif raw[2]:
                formulas.append(name)
                values[name] = None
            else:
                value = _typed(raw[0], raw[1], self.shared)
                values[name] = value.strip() if isinstance(value, str) else value
        add_row(self.table, self.row, values, formulas, self.row_hidden)


def _prescan_sheet(book: Book, path: str, limits: Limits) -> None:
    rows = ((b"<row ", b"<row>"), limits.rows, _("行数"))
    cells = ((b"<c ", b"<c>"), limits.cells, _("单元格数"))
    prescan(book.archive, path, limits, [rows, cells])


def read_xlsx(data: bytes, columns: Columns, prefer_sheet: str | None, limits: Limits) -> Table:
    """The rows of the preferred sheet (or the first) of a workbook."""
    book = open_book(data, limits)
    found = [s for s in book.sheets if s[0] == prefer_sheet] or book.sheets[:1]
    title, _state, path = found[0]
    _prescan_sheet(book, path, limits)
    reader = SheetReader(book.shared, columns, limits)
    _expat(iter_part(book.archive, path, book.budget), reader.start, reader.end, reader.text)
    if reader.merged:
        raise SpreadsheetError(
            _("工作表“%(name)s”含有合并单元格（如 %(range)s），请取消合并后再上传。")
            % {"name": title, "range": reader.merged}
        )
    if reader.table is None:
        reader._header({})
    assert reader.table is not None
    return reader.table


def check_workbook(data: bytes, limits: Limits) -> None:
    """Evidence: every sheet of the workbook must stream within the limits (hidden
    sheets are no reason to refuse a file that is only kept and read)."""
    book = open_book(data, limits, hidden_ok=True)
    for _title, _state, path in book.sheets:
        _prescan_sheet(book, path, limits)
        reader = SheetReader(book.shared, Columns(()), limits)
        _expat(iter_part(book.archive, path, book.budget), reader.start, reader.end, reader.text)


# -- csv -------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """Chinese CSV files come in UTF-8 (with or without BOM), GBK or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。"))


def read_csv(data: bytes, columns: Columns, limits: Limits) -> Table:
    """One pass of the csv module over the decoded text: linear in the file's size."""
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("该文件是 Excel 文件而不是 CSV，请以 .xlsx 上传。"))
    if b"\x00" in data:
        raise SpreadsheetError(_("CSV 文件含有空字符（NUL），不是有效的文本文件。"))
    text = decode_csv(data)
    del data
    controls = CONTROL.search(text) is not None  # one scan, not one per cell
    csv.field_size_limit(limits.cell_chars)  # in the sandboxed child only
    try:
        # Count the records first (the csv module's C loop): a file with too many is
        # refused before any row is built.
        for count, _record in enumerate(csv.reader(io.StringIO(text)), start=1):
            if count > limits.rows + 1:
                raise too_many(_("行数"), limits.rows)
    except csv.Error:
        pass  # reported with its line number by the reading pass below
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            raise SpreadsheetError(_("文件是空的。"))
        if len(header) > limits.columns:
            raise too_many(_("列数"), limits.columns)
        found = positions(header, columns)
        table = Table(headers=list(found))
        cells = len(header)
        for number, record in enumerate(reader, start=2):
            if number - 1 > limits.rows:
                raise too_many(_("行数"), limits.rows)
            cells += len(record)
            if len(record) > limits.columns:
                raise too_many(_("列数"), limits.columns)
            if cells > limits.cells:
                raise too_many(_("单元格数"), limits.cells)
            values = {
                name: (record[index].strip() if index < len(record) else None)
                for name, index in found.items()
            }
            add_row(table, number, values, controls=controls)
    except csv.Error as error:
        raise SpreadsheetError(
            _("CSV 文件格式不正确（第 %(row)d 行附近），请在 Excel 中另存为 CSV 后重试。")
            % {"row": reader.line_num}
        ) from error
    return table


__all__ = ["Columns", "RowError", "Table", "bomb", "check_workbook", "read_csv", "read_xlsx"]
