"""The container level of an uploaded workbook or Office file: what may be inflated at all.

Checked before anything is parsed, from the zip's directory: part count, declared sizes
(total and per part), compression ratio per part, overlapping parts, encryption, the
compression method, macros. Checked while inflating: bytes actually produced (a part
whose sizes lie, a corrupt deflate stream or a bad CRC ends in a Chinese refusal) and any
DTD in an XML part's prolog. The caps live in `Limits`, one set per door (docs/
deployment.md lists them); everything here runs inside `core.sandbox.run_limited`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jixiao.core.sandbox import Refused


class SpreadsheetError(Refused):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass(frozen=True)
class Limits:
    """Caps on what one upload may contain, checked before and while parsing."""

    rows: int = 20_000
    columns: int = 256
    cells: int = 400_000
    shared_strings: int = 100_000
    uncompressed_bytes: int = 64 * 1024 * 1024
    parts: int = 1_000
    # Deflate of ordinary sheet XML gives 5-30x; only bomb filler goes past this.
    part_ratio: int = 100
    cell_chars: int = 32_767  # Excel's own limit for one cell


# The organization and scheme imports: thousands of rows at most.
DEFAULT_LIMITS = Limits()
# Data collection: a province-size department template (100,000+ rows), and evidence.
LARGE_LIMITS = Limits(
    rows=150_000,
    cells=2_000_000,
    shared_strings=300_000,
    uncompressed_bytes=160 * 1024 * 1024,
)
# Parts smaller than this may compress as well as they like (a few KB of zeros).
RATIO_FLOOR_BYTES = 1024 * 1024
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def corrupt() -> SpreadsheetError:
    return SpreadsheetError(_("Excel 文件已损坏，无法读取（压缩数据或校验不正确）。"))


def bomb() -> SpreadsheetError:
    return SpreadsheetError(_("文件解压后体积异常（疑似压缩炸弹），已拒绝。"))


def unsafe_xml() -> SpreadsheetError:
    return SpreadsheetError(_("文件包含不安全的 XML 内容（实体声明），已拒绝。"))


@contextmanager
def zip_errors() -> Iterator[None]:
    """Every way zlib or zipfile can fail on a broken or lying archive, in Chinese."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise corrupt() from error
    except NotImplementedError as error:  # e.g. a compression method zipfile lacks
        raise corrupt() from error


def open_archive(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The zip of an OOXML/ODF file, after every check its directory allows."""
    with zip_errors():
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    if len(infos) > limits.parts:
        raise bomb()
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise corrupt()  # two parts of one name: which one would Excel read?
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise SpreadsheetError(
            _("文件包含宏（.xlsm），出于安全原因不予接收，请另存为不含宏的 .xlsx。")
        )
    total = 0
    stored = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(_("文件已加密（设置了密码），请取消密码后再上传。"))
        if info.compress_type not in ZIP_METHODS:
            raise SpreadsheetError(_("文件使用了不支持的压缩方式，请在 Excel 中重新保存后上传。"))
        total += info.file_size
        stored += info.compress_size
        if info.file_size > RATIO_FLOOR_BYTES and (
            info.file_size > limits.part_ratio * max(info.compress_size, 1)
        ):
            raise bomb()
    # Parts that share their compressed bytes (an "overlapping" bomb) claim more than
    # the archive holds.
    if total > limits.uncompressed_bytes or stored > len(data):
        raise bomb()
    return archive


CHUNK = 1 << 16
PROLOG_BYTES = 64 * 1024


def iter_part(archive: zipfile.ZipFile, name: str, budget: list[int]) -> Iterator[bytes]:
    """One part's bytes in chunks, counted against `budget` (shared by the parts read
    for one file); an XML part's prolog is checked for a DTD before anything is parsed."""
    with zip_errors(), archive.open(name) as raw:
        first = True
        while True:
            chunk = raw.read(PROLOG_BYTES if first else CHUNK)
            if not chunk:
                return
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise bomb()
            if first and name.endswith((".xml", ".rels", ".vml")):
                check_prolog(chunk)
            first = False
            yield chunk


def check_prolog(head: bytes) -> None:
    """A DTD can only come before the root element: refuse one, or a prolog so long
    (comments, whitespace) that the root does not start within the first 64 KB."""
    position = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        start = head.find(b"<", position)
        if start < 0:
            if len(head) >= PROLOG_BYTES:
                raise unsafe_xml()
            return  # a short part without elements: expat judges it
        if head.startswith(b"<?", start):
            end = head.find(b"?>", start)
        elif head.startswith(b"<!--", start):
            end = head.find(b"-->", start)
        elif head.startswith(b"<!", start):
            raise unsafe_xml()  # <!DOCTYPE or <!ENTITY
        else:
            return  # the root element
        if end < 0:
            raise unsafe_xml() if len(head) >= PROLOG_BYTES else corrupt()
        position = end + 2


def inflate_all(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Inflate every part once (CRCs and sizes verified, XML prologs checked): an Office
    file kept as evidence must open safely in the reviewer's Office too."""
    budget = [limits.uncompressed_bytes]
    for info in archive.infolist():
        if not info.is_dir():
            for _chunk in iter_part(archive, info.filename, budget):
                pass
