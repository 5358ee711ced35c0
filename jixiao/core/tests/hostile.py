"""Hostile upload files, generated: one builder per class of attack (issue 8).

Each builder returns the bytes of a file that a door must refuse with a Chinese message,
quickly, without changing anything. The workbooks are written by hand (a few XML parts
in a zip) so that every byte an attacker controls is under the test's control too. Used
by the door tests of each app and by bench/bench_hostile_uploads.py.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape

from jixiao.core.excel_safety import DEFAULT_LIMITS, LARGE_LIMITS, Limits

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def column_letter(index: int) -> str:
    """0 -> A, 16383 -> XFD."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def header_row(headers: Iterable[str]) -> str:
    cells = "".join(text_cell(f"{column_letter(i)}1", h) for i, h in enumerate(headers))
    return f'<row r="1">{cells}</row>'


def workbook(
    sheet_body: Iterable[str | bytes],
    *,
    sheets: tuple[tuple[str, str], ...] = (("数据", "visible"),),
    shared: Iterable[str | bytes] | None = None,
    before_data: str = "",
    after_data: str = "",
    extra_parts: dict[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A workbook whose first sheet holds `sheet_body` (row XML, streamed into the zip);
    further sheets are empty. `shared` chunks make up the shared-strings part's body."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        entries = "".join(
            f'<sheet name="{name}" sheetId="{i + 1}" state="{state}" r:id="rId{i + 1}"/>'
            for i, (name, state) in enumerate(sheets)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{entries}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{WORKSHEET}" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'
        )
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2026, 1, 1, 0, 0, 0))
        info.compress_type = method
        with archive.open(info, "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{MAIN}">{before_data}<sheetData>'.encode())
            for chunk in sheet_body:
                part.write(chunk.encode() if isinstance(chunk, str) else chunk)
            part.write(f"</sheetData>{after_data}</worksheet>".encode())
        for i in range(1, len(sheets)):
            archive.writestr(
                f"xl/worksheets/sheet{i + 1}.xml",
                f'<worksheet xmlns="{MAIN}"><sheetData>'
                f'<row r="1">{text_cell("A1", "藏起来的数据")}</row></sheetData></worksheet>',
            )
        if shared is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(f'<sst xmlns="{MAIN}">'.encode())
                for chunk in shared:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
                part.write(b"</sst>")
        for name, data in (extra_parts or {}).items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _repeat(chunk: str, total_bytes: int) -> Iterable[str]:
    for _i in range(max(1, total_bytes // len(chunk.encode()))):
        yield chunk


# -- the classes -------------------------------------------------------------------------


def far_corner(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """1.5 KB: claims A1:XFD1048576 and has one cell there."""
    return workbook(
        [header_row(headers), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
        before_data='<dimension ref="A1:XFD1048576"/>',
    )


def far_column(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """One data row with a single cell in the last column Excel has."""
    return workbook([header_row(headers), '<row r="2"><c r="XFD2"><v>1</v></c></row>'])


def padded_bomb(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A sheet that inflates past the byte cap, its ratio diluted by random padding
    in another part so that the whole file stays under the overall ratio."""
    row = '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
    return workbook(
        [header_row(headers), *_repeat(row * 1000, limits.uncompressed_bytes + (8 << 20))],
        extra_parts={"xl/media/image1.png": os.urandom(1 << 20)},
    )


def bomb_under_caps(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Under the byte cap and, over the whole file, under the ratio (2 MB of random
    padding): only the sheet part's own ratio (~1000:1) gives it away."""
    row = '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c></row>'
    return workbook(
        [header_row(headers), *_repeat(row * 1000, limits.uncompressed_bytes - (6 << 20))],
        extra_parts={"xl/media/image1.png": os.urandom(2 << 20)},
    )


def padded_rows(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Padding inside the sheet itself (a comment of random text keeps its ratio ~30),
    then more rows than the door's cap, each cheap to compress."""
    noise = os.urandom(256 * 1024).hex()
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(2, 1002))
    return workbook(
        [header_row(headers), f"<!--{noise}-->", *(rows for _i in range(limits.rows // 1000 + 1))]
    )


def many_shared_strings(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """More distinct shared strings than the cap allows."""
    count = limits.shared_strings + 1
    return workbook(
        [header_row(headers)],
        shared=(
            "".join(f"<si><t>{i:x}</t></si>" for i in range(start, min(start + 10_000, count)))
            for start in range(0, count, 10_000)
        ),
    )


def corrupt_deflate(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The sheet's deflate stream is damaged in the middle (headers intact)."""
    data = bytearray(workbook([header_row(headers), *_repeat(_data_row(3), 200_000)]))
    start, size = _part_data(bytes(data), "xl/worksheets/sheet1.xml")
    for offset in range(start + size // 2, start + size // 2 + 64):
        data[offset] ^= 0x5A
    return bytes(data)


def encrypted_part(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The sheet claims to be encrypted (traditional PKWARE encryption flag)."""
    return _patch_flags(workbook([header_row(headers)]), "xl/worksheets/sheet1.xml", 0x1)


def unsupported_method(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The sheet is compressed with LZMA, which Excel never writes (and which costs more)."""
    return workbook([header_row(headers)], method=zipfile.ZIP_LZMA)


def lying_crc(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The sheet's CRC in the central directory does not match its content."""
    return _patch_central(workbook([header_row(headers)]), "xl/worksheets/sheet1.xml", 16, 4)


def lying_size(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The sheet declares a tiny uncompressed size (it inflates to far more)."""
    body = [header_row(headers), *_repeat(_data_row(3), 2_000_000)]
    return _patch_central(workbook(body), "xl/worksheets/sheet1.xml", 24, 4, value=100)


def hidden_sheet(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A second, hidden sheet holding data."""
    return workbook([header_row(headers)], sheets=(("数据", "visible"), ("隐藏", "veryHidden")))


def hidden_rows(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A data row, hidden, with a value in every column."""
    cells = "".join(text_cell(f"{column_letter(i)}2", "X1") for i in range(len(headers)))
    return workbook([header_row(headers), f'<row r="2" hidden="1">{cells}</row>'])


def hidden_column(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Every column hidden."""
    return workbook(
        [header_row(headers)], before_data='<cols><col min="1" max="200" hidden="1"/></cols>'
    )


def dtd_after_long_comment(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """An entity declaration behind 10 KB of comment (past a naive 4 KB head check)."""
    sheet = (
        '<?xml version="1.0"?><!--' + "x" * 10_000 + '--><!DOCTYPE worksheet [<!ENTITY a "b">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData>{header_row(headers)}</sheetData></worksheet>'
    )
    data = workbook([header_row(headers)])
    return _replace_part(data, "xl/worksheets/sheet1.xml", sheet.encode())


def _data_row(row: int) -> str:
    return f'<row r="{row}"><c r="A{row}"><v>{row}</v></c></row>'


XLSX_CLASSES: dict[str, Callable[[list[str], Limits], bytes]] = {
    "far_corner": far_corner,
    "far_column": far_column,
    "padded_bomb": padded_bomb,
    "bomb_under_caps": bomb_under_caps,
    "padded_rows": padded_rows,
    "many_shared_strings": many_shared_strings,
    "corrupt_deflate": corrupt_deflate,
    "encrypted_part": encrypted_part,
    "unsupported_method": unsupported_method,
    "lying_crc": lying_crc,
    "lying_size": lying_size,
    "hidden_sheet": hidden_sheet,
    "hidden_rows": hidden_rows,
    "hidden_column": hidden_column,
    "dtd_after_long_comment": dtd_after_long_comment,
}


# What each class's refusal says (a substring of the Chinese message).
REFUSALS = {
    "far_corner": "列数超过上限",
    "far_column": "列数超过上限",
    "padded_bomb": "压缩炸弹",
    "bomb_under_caps": "压缩炸弹",
    "padded_rows": "行数超过上限",
    "many_shared_strings": "共享字符串数超过上限",
    "corrupt_deflate": "损坏",
    "encrypted_part": "已加密",
    "unsupported_method": "不支持的压缩方式",
    "lying_crc": "损坏",
    "lying_size": "损坏",
    "hidden_sheet": "被隐藏",
    "hidden_rows": "该行被隐藏",
    "hidden_column": "被隐藏",
    "dtd_after_long_comment": "不安全的 XML",
    "huge_csv": "行数超过上限",
    "nul_csv": "空字符",
    "control_csv": "控制字符",
    "broken_quote_csv": "CSV 文件格式不正确",
    "deep_json": "嵌套层数过深",
    "huge_integer_json": "位数过多",
    "huge_exponent_json": "位数过多",
    "nan_json": "不允许的数值",
    "wide_json": "数组和对象过多",
    "docx_bomb": "压缩炸弹",
}
# Classes that are fine in an evidence file (it is only kept and read, not imported).
HARMLESS_AS_EVIDENCE = {"hidden_sheet", "hidden_rows", "hidden_column"}


# -- csv and json ------------------------------------------------------------------------


def huge_csv(headers: list[str], limits: Limits = LARGE_LIMITS) -> bytes:
    """More rows than the cap, ~20 MB at most: must be refused in one linear pass."""
    line = ",".join(f"v{i}" for i in range(len(headers))) + "\n"
    rows = min(limits.rows + 10, (19 << 20) // len(line))
    return (",".join(headers) + "\n").encode() + (line * rows).encode()


def nul_csv(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    return (",".join(headers) + "\nA\x00B," + ",".join("x" for _h in headers[1:]) + "\n").encode()


def control_csv(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    return (",".join(headers) + "\n" + ",".join("a\x01\x1bb" for _h in headers) + "\n").encode()


def broken_quote_csv(headers: list[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """An unterminated quote: the rest of the file is one field, past the cell cap."""
    return (",".join(headers) + '\n"' + "x" * (limits.cell_chars + 10)).encode()


CSV_CLASSES: dict[str, Callable[[list[str], Limits], bytes]] = {
    "huge_csv": huge_csv,
    "nul_csv": nul_csv,
    "control_csv": control_csv,
    "broken_quote_csv": broken_quote_csv,
}


def deep_json() -> bytes:
    return (
        b'{"format": "jixiao-scheme", "version": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    )


def huge_integer_json() -> bytes:
    return b'{"format": "jixiao-scheme", "version": 1, "x": ' + b"9" * 100_000 + b"}"


def huge_exponent_json() -> bytes:
    return b'{"format": "jixiao-scheme", "version": 1, "x": 1e999999999}'


def nan_json() -> bytes:
    return b'{"format": "jixiao-scheme", "version": NaN}'


def wide_json() -> bytes:
    """Millions of tiny arrays: memory, not depth (~10 MB)."""
    return b'{"format": "jixiao-scheme", "version": 1, "x": [' + b"[]," * 3_000_000 + b"[]]}"


JSON_CLASSES: dict[str, Callable[[], bytes]] = {
    "deep_json": deep_json,
    "huge_integer_json": huge_integer_json,
    "huge_exponent_json": huge_exponent_json,
    "nan_json": nan_json,
    "wide_json": wide_json,
}


# -- evidence ----------------------------------------------------------------------------


def docx_bomb() -> bytes:
    """A Word file whose document part inflates 1000:1 to 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", CONTENT_TYPES.replace("/xl/workbook.xml", "/word/document.xml")
        )
        archive.writestr("_rels/.rels", ROOT_RELS.replace("xl/workbook.xml", "word/document.xml"))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b"<w:document xmlns:w='urn:w'><w:body>")
            chunk = b"<w:p/>" * 100_000
            for _i in range(500):
                part.write(chunk)
            part.write(b"</w:body></w:document>")
    return buffer.getvalue()


# -- zip surgery -------------------------------------------------------------------------


def _central(data: bytes, name: str) -> int:
    """Offset of `name`'s central directory record."""
    position = data.find(b"PK\x01\x02")
    encoded = name.encode()
    while position >= 0:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == encoded:
            return position
        position = data.find(b"PK\x01\x02", position + 4)
    raise KeyError(name)


def _part_data(data: bytes, name: str) -> tuple[int, int]:
    """(offset, size) of a part's compressed bytes."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    local = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, local + 26)
    return local + 30 + name_length + extra_length, info.compress_size


def _patch_central(
    data: bytes, name: str, offset: int, width: int, value: int | None = None
) -> bytes:
    patched = bytearray(data)
    central = _central(data, name)
    current = int.from_bytes(patched[central + offset : central + offset + width], "little")
    new = (current ^ 0xFFFFFFFF) if value is None else value
    patched[central + offset : central + offset + width] = new.to_bytes(width, "little")
    return bytes(patched)


def _patch_flags(data: bytes, name: str, flag: int) -> bytes:
    patched = bytearray(data)
    central = _central(data, name)
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    for position in (central + 8, local + 6):
        flags = struct.unpack_from("<H", patched, position)[0]
        struct.pack_into("<H", patched, position, flags | flag)
    return bytes(patched)


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, content if info.filename == name else source.read(info))
    return buffer.getvalue()


__all__ = ["CSV_CLASSES", "JSON_CLASSES", "XLSX_CLASSES", "docx_bomb"]
