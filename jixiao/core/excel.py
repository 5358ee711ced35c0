"""Reading and writing spreadsheets safely: the one door every upload comes through.

Office staff upload workbooks all day; some are broken, some are not workbooks at
all, a few are hostile. Everything here fails with a clear Chinese message and never
evaluates a formula. Callers validate all rows first and write nothing unless every
row is valid (all-or-nothing).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.core.values import parse_number

# openpyxl parses XML with defusedxml when it is installed (it is a dependency), which
# refuses entity expansion ("billion laughs") and external entities.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Larger workbooks are opened in openpyxl's read-only mode and their sheet XML is parsed
# directly (merged cells, hidden rows and formulas included), which is much faster.
STREAMING_THRESHOLD = 512 * 1024


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; nothing was imported."""


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


def safe_cell(value: Any) -> Any:
    """Text written to a spreadsheet or CSV must never be taken for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sheet_title(name: str, fallback: str) -> str:
    """A sheet title made from a user's name: Excel forbids \\ / ? * [ ] : and leading or
    trailing apostrophes, and allows 31 characters (28 here, room for a " 2" suffix)."""
    cleaned = "".join(c for c in name if c not in "\\/?*[]:" and c.isprintable())
    return cleaned.strip("' ")[:28] or fallback


def safe_row(values: Sequence[Any]) -> list[Any]:
    """A whole row (headers included) for a CSV writer, every text cell escaped."""
    return [safe_cell(v) for v in values]


def _read_all(upload: IO[bytes], max_bytes: int) -> bytes:
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("文件超过大小上限（%(mb)d MB），请拆分后上传。") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not data:
        raise SpreadsheetError(_("文件是空的。"))
    return data


def _check_xlsx_container(data: bytes) -> None:
    if not data.startswith(b"PK\x03\x04"):
        head = data[:512].lstrip().lower()
        if head.startswith((b"<html", b"<!doctype", b"<table")):
            raise SpreadsheetError(
                _("该文件是网页（HTML）而不是 Excel 文件，请在 Excel 中另存为 .xlsx 后上传。")
            )
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise SpreadsheetError(_("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后上传。"))
        raise SpreadsheetError(
            _("该文件不是有效的 Excel（.xlsx）文件，可能是改了扩展名的其他文件。")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile as error:
        raise SpreadsheetError(_("Excel 文件已损坏，无法打开。")) from error
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise SpreadsheetError(_("该文件不是有效的 Excel（.xlsx）文件。"))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise SpreadsheetError(
            _("文件包含宏（.xlsm），出于安全原因不予接收，请另存为不含宏的 .xlsx。")
        )
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(_("文件解压后体积异常（疑似压缩炸弹），已拒绝。"))
    # Workbooks never declare a DTD; one that does is an entity bomb or an XXE attempt.
    # A declaration must come before the root element, so the head of each part suffices.
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise SpreadsheetError(_("文件包含不安全的 XML 内容（实体声明），已拒绝。"))


def open_workbook(
    upload: IO[bytes], max_bytes: int | None = None, *, read_only: bool = False
) -> Workbook:
    data = _read_all(upload, max_bytes or settings.UPLOAD_MAX_BYTES)
    _check_xlsx_container(data)
    return _load(data, read_only=read_only)


def _load(data: bytes, *, read_only: bool) -> Workbook:
    try:
        # Normally not read_only: we need merged-cell ranges and row visibility (the
        # streaming path finds those itself). data_only=False so that formulas are seen
        # as formulas (and refused), never as cached values.
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=False)
    except Exception as error:  # openpyxl raises many types for broken files
        if "forbidden" in str(error).lower() or "entit" in str(error).lower():
            raise SpreadsheetError(_("文件包含不安全的 XML 内容，已拒绝。")) from error
        raise SpreadsheetError(_("Excel 文件无法读取：文件已损坏或格式不受支持。")) from error


def normalize_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return text.replace(" ", "").replace("*", "")


def _check_visible(sheet: Any) -> None:
    if sheet.sheet_state != "visible":
        raise SpreadsheetError(
            _("工作表“%(name)s”被隐藏，请取消隐藏后再上传。") % {"name": sheet.title}
        )


def _merged_error(sheet_title: str, first: str) -> SpreadsheetError:
    return SpreadsheetError(
        _("工作表“%(name)s”含有合并单元格（如 %(range)s），请取消合并后再上传。")
        % {"name": sheet_title, "range": first}
    )


def _positions(
    header_cells: Sequence[Any], required: Sequence[str], optional: Sequence[str]
) -> dict[str, int]:
    headers = [normalize_header(c.value) for c in header_cells]
    wanted = {normalize_header(h): h for h in [*required, *optional]}
    missing = [h for h in required if normalize_header(h) not in headers]
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


def _fill_table(
    table: Table,
    rows: Iterator[tuple[int, Sequence[Any]]],
    positions: dict[str, int],
    is_hidden: Any,
) -> Table:
    for number, row in rows:
        if not row:
            continue
        values: dict[str, Any] = {}
        for name, index in positions.items():
            cell = row[index] if index < len(row) else None
            if cell is not None and getattr(cell, "data_type", None) == "f":
                table.errors.append(
                    RowError(number, name, _("单元格含有公式，请粘贴为数值后再上传。"))
                )
                values[name] = None
                continue
            value = getattr(cell, "value", None) if cell is not None else None
            values[name] = value.strip() if isinstance(value, str) else value
        if all(v in (None, "") for v in values.values()):
            continue
        if is_hidden(number):
            table.errors.append(RowError(number, "", _("该行被隐藏，请取消隐藏并确认后再上传。")))
        table.rows.append((number, values))
    return table


def read_sheet(
    sheet: Worksheet, required: Sequence[str], optional: Sequence[str] = (), header_row: int = 1
) -> Table:
    """Read a sheet whose first row names the columns (in any order)."""
    _check_visible(sheet)
    if sheet.merged_cells.ranges:
        raise _merged_error(sheet.title, sorted(str(r) for r in sheet.merged_cells.ranges)[0])
    header_cells = next(sheet.iter_rows(min_row=header_row, max_row=header_row), ())
    positions = _positions(header_cells, required, optional)
    table = Table(headers=list(positions))
    rows = ((row[0].row or 0, row) for row in sheet.iter_rows(min_row=header_row + 1) if row)
    return _fill_table(table, rows, positions, lambda number: sheet.row_dimensions[number].hidden)


class _UnsafeXML(Exception):
    pass


def _column_index(ref: str) -> int:
    index = 0
    for char in ref:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index - 1


def _typed(text: str, kind: str, shared: Sequence[Any]) -> Any:
    """A cell's value as openpyxl would give it (numbers as int or float)."""
    if kind == "s":
        return shared[int(text)] if text else None
    if kind in ("inlineStr", "str", "e", "d"):
        return text
    if kind == "b":
        return text == "1"
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return float(text)


@dataclass
class _SheetXML:
    """Rows of a sheet as (row number, hidden, {column: (text, type, is_formula)})."""

    rows: list[tuple[int, bool, dict[int, tuple[str, str, bool]]]]
    merged: str | None


class _Cursor:
    """Where the expat callbacks are in the sheet."""

    __slots__ = ("col", "formula", "hidden", "kind", "merged", "next", "row")

    def __init__(self) -> None:
        self.col = -1
        self.next = 0
        self.row = 0
        self.kind = "n"
        self.formula = False
        self.hidden = False
        self.merged: str | None = None


def parse_sheet_xml(source: IO[bytes]) -> _SheetXML:
    """Parse sheet XML with expat directly: several times faster than openpyxl's cell
    objects for a 100,000-row sheet. Any DTD or entity declaration is refused."""
    rows: list[tuple[int, bool, dict[int, tuple[str, str, bool]]]] = []
    row_cells: dict[int, tuple[str, str, bool]] = {}
    cell = _Cursor()
    parts: list[str] = []
    collecting = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            ref = attrs.get("r")
            cell.col = _column_index(ref) if ref else cell.next
            cell.next = cell.col + 1
            cell.kind = attrs.get("t", "n")
            cell.formula = False
            parts.clear()
        elif name == "v" or name == "t":
            collecting[0] = True
        elif name == "f":
            cell.formula = True
        elif name == "row":
            number = attrs.get("r")
            cell.row = int(number) if number else cell.row + 1
            cell.hidden = attrs.get("hidden") in ("1", "true")
            cell.next = 0
            row_cells.clear()
        elif name == "rPh":
            collecting[0] = False
        elif name == "mergeCell" and cell.merged is None:
            cell.merged = attrs.get("ref", "?")

    def end(name: str) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "v" or name == "t":
            collecting[0] = False
        elif name == "c":
            row_cells[cell.col] = ("".join(parts), cell.kind, cell.formula)
        elif name == "row":
            rows.append((cell.row, cell.hidden, dict(row_cells)))

    def text(data: str) -> None:
        if collecting[0]:
            parts.append(data)

    _expat(source, start, end, text)
    return _SheetXML(rows=rows, merged=cell.merged)


def _expat(source: IO[bytes], start: Any, end: Any = None, text: Any = None) -> None:
    """Run expat over a workbook part; a DTD or entity declaration is refused."""
    import pyexpat

    def refuse(*args: Any) -> None:
        raise _UnsafeXML

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
        parser.ParseFile(source)
    except _UnsafeXML as error:
        raise SpreadsheetError(_("文件包含不安全的 XML 内容（实体声明），已拒绝。")) from error
    except pyexpat.ExpatError as error:
        raise SpreadsheetError(_("Excel 文件无法读取：文件已损坏或格式不受支持。")) from error


def _local(name: str) -> str:
    return name.rpartition(":")[2] if ":" in name else name


@dataclass
class _Book:
    """Just enough of a workbook to stream its sheets: names, states, parts, strings."""

    archive: zipfile.ZipFile
    sheets: list[tuple[str, str, str]]  # (name, state, part path), in workbook order
    shared: list[str]


def _open_book(data: bytes) -> _Book:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    targets: dict[str, str] = {}

    def rel(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("Type", "").endswith("/worksheet"):
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attrs.get("Id", "")] = path

    sheets: list[tuple[str, str, str]] = []

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            if rid in targets:
                sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), targets[rid]))

    try:
        with archive.open("xl/_rels/workbook.xml.rels") as source:
            _expat(source, rel)
        with archive.open("xl/workbook.xml") as source:
            _expat(source, sheet)
    except KeyError as error:
        raise SpreadsheetError(_("该文件不是有效的 Excel（.xlsx）文件。")) from error
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        parts: list[str] = []
        state = {"in_t": False, "phonetic": False}

        def s_start(name: str, attrs: dict[str, str]) -> None:
            name = _local(name)
            if name == "si":
                parts.clear()
            elif name == "t" and not state["phonetic"]:
                state["in_t"] = True
            elif name == "rPh":
                state["phonetic"] = True

        def s_end(name: str) -> None:
            name = _local(name)
            if name == "t":
                state["in_t"] = False
            elif name == "rPh":
                state["phonetic"] = False
            elif name == "si":
                shared.append("".join(parts))

        def s_text(data: str) -> None:
            if state["in_t"]:
                parts.append(data)

        with archive.open("xl/sharedStrings.xml") as source:
            _expat(source, s_start, s_end, s_text)
    if not sheets:
        raise SpreadsheetError(_("该文件不是有效的 Excel（.xlsx）文件。"))
    return _Book(archive, sheets, shared)


def read_book_streaming(
    book: _Book,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet_name: str | None = None,
    header_row: int = 1,
) -> Table:
    """`read_sheet` for big files: the same checks and messages, read straight from the
    sheet XML (merged cells, hidden rows and formulas included), without cell objects."""
    found = [s for s in book.sheets if sheet_name is None or s[0] == sheet_name]
    if not found:
        raise SpreadsheetError(_("找不到工作表“%(name)s”。") % {"name": sheet_name})
    title, state, path = found[0]
    if state != "visible":
        raise SpreadsheetError(_("工作表“%(name)s”被隐藏，请取消隐藏后再上传。") % {"name": title})
    with book.archive.open(path) as source:
        parsed = parse_sheet_xml(source)
    if parsed.merged:
        raise _merged_error(title, parsed.merged)
    shared = book.shared
    header = next((cells for number, _h, cells in parsed.rows if number == header_row), {})
    width = max(header, default=-1) + 1
    header_cells = [
        _ValueCell(_typed(header[i][0], header[i][1], shared) if i in header else None)
        for i in range(width)
    ]
    positions = _positions(header_cells, required, optional)
    table = Table(headers=list(positions))
    formula_error = _("单元格含有公式，请粘贴为数值后再上传。")
    hidden_error = _("该行被隐藏，请取消隐藏并确认后再上传。")
    for number, hidden, cells in parsed.rows:
        if number <= header_row:
            continue
        values: dict[str, Any] = {}
        for name, index in positions.items():
            raw = cells.get(index)
            if raw is None:
                values[name] = None
                continue
            if raw[2]:
                table.errors.append(RowError(number, name, formula_error))
                values[name] = None
                continue
            value = _typed(raw[0], raw[1], shared)
            values[name] = value.strip() if isinstance(value, str) else value
        if all(v in (None, "") for v in values.values()):
            continue
        if hidden:
            table.errors.append(RowError(number, "", hidden_error))
        table.rows.append((number, values))
    return table


@dataclass
class _ValueCell:
    value: Any


def decode_csv(data: bytes) -> str:
    """Chinese CSV files come in UTF-8 (with or without BOM), GBK or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。"))


def read_csv(upload: IO[bytes], required: Sequence[str], optional: Sequence[str] = ()) -> Table:
    data = _read_all(upload, settings.UPLOAD_MAX_BYTES)
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("该文件是 Excel 文件而不是 CSV，请以 .xlsx 上传。"))
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration as error:
        raise SpreadsheetError(_("文件是空的。")) from error
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append([h for h in header])
    for values in reader:
        # Text cells stay text: never evaluate what looks like a formula.
        sheet.append([v for v in values])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    return read_sheet(sheet, required, optional)


def read_upload(
    upload: Any,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet_name: str | None = None,
    *,
    streaming: bool | None = None,
) -> Table:
    """Read the first (or named) sheet of an .xlsx upload, or a .csv upload.

    `streaming=None` reads files above STREAMING_THRESHOLD straight from their XML
    (see `read_book_streaming`); both paths refuse and flag exactly the same things.
    """
    name = getattr(upload, "name", "") or ""
    if name.lower().endswith(".csv"):
        return read_csv(upload, required, optional)
    data = _read_all(upload, settings.UPLOAD_MAX_BYTES)
    _check_xlsx_container(data)
    if streaming is None:
        streaming = len(data) > STREAMING_THRESHOLD
    if streaming:
        return read_book_streaming(_open_book(data), required, optional, sheet_name)
    workbook = _load(data, read_only=False)
    if sheet_name and sheet_name not in workbook.sheetnames:
        raise SpreadsheetError(_("找不到工作表“%(name)s”。") % {"name": sheet_name})
    sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
    return read_sheet(sheet, required, optional)


def parse_decimal(
    value: Any, *, percent: bool = False, digits: int = 20, places: int = 4
) -> Decimal | None:
    """Numbers as people type them, as written (not rounded): see `core.values`.

    With `percent=True` a value written "85%" means 85 (a percentage field); otherwise
    "85%" means 0.85. Returns None for blank; raises ValueError with a Chinese message,
    also when the number would not fit DECIMAL(`digits`, `places`).
    """
    return parse_number(value, percent=percent, digits=digits, places=places, rounded=False)


def escape_workbook(workbook: Workbook) -> None:
    """Escape every text cell of every sheet, headers included, just before saving.

    Writers call `safe_cell` as they go; this sweep is the door that also catches the
    cell somebody forgot (a category name "=cmd" in a header row). Idempotent.
    """
    for sheet in workbook.worksheets:
        for cell in sheet._cells.values():  # only the cells that exist
            value = cell.value
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                cell.value = "'" + value


def workbook_response_bytes(workbook: Workbook) -> bytes:
    """The bytes of an exported workbook; every export leaves through here."""
    escape_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
