"""Reading and writing spreadsheets safely: the one door every upload comes through.

Office staff upload workbooks all day; some are broken, some are not workbooks at
all, a few are hostile. Everything here fails with a clear Chinese message and never
evaluates a formula. Callers validate all rows first and write nothing unless every
row is valid (all-or-nothing).

The container checks and caps are in `excel_safety`, the one-pass readers of .xlsx and
.csv in `excel_reader`; `read_upload` runs them in a limited child (`sandbox`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jixiao.core.excel_reader import (
    Columns,
    RowError,
    Table,
    normalize_header,
    read_csv,
    read_xlsx,
)
from jixiao.core.excel_safety import DEFAULT_LIMITS, LARGE_LIMITS, Limits, SpreadsheetError
from jixiao.core.sandbox import Refused, run_limited
from jixiao.core.values import parse_number

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def read_bytes(upload: IO[bytes], max_bytes: int | None = None) -> bytes:
    """The whole upload, refused when empty or over the size limit."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("文件超过大小上限（%(mb)d MB），请拆分后上传。") % {"mb": max_bytes // (1024 * 1024)}
        )
    if not data:
        raise SpreadsheetError(_("文件是空的。"))
    return data


def read_upload(
    upload: Any,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet_name: str | None = None,
    *,
    matching: Callable[[str], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    accept_csv: bool = True,
) -> Table:
    """The rows of an .xlsx upload (the sheet named `sheet_name` if it has one, else the
    first) or a .csv upload, keyed by header: `required` and `optional` columns, plus
    those whose normalized header `matching` accepts.

    Parsed in a child process under the time and memory limits of `core.sandbox`,
    within `limits`; any failure is a SpreadsheetError with a Chinese message.
    """
    name = getattr(upload, "name", "") or ""
    data = read_bytes(upload)
    columns = Columns(tuple(required), tuple(optional), matching)
    if accept_csv and name.lower().endswith(".csv"):
        parse = partial(read_csv, data, columns, limits)
    else:
        parse = partial(read_xlsx, data, columns, sheet_name, limits)
    try:
        return run_limited(parse)
    except SpreadsheetError:
        raise
    except Refused as error:
        raise SpreadsheetError(str(error)) from error


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

__all__ = [
    "DEFAULT_LIMITS",
    "LARGE_LIMITS",
    "RowError",
    "SpreadsheetError",
    "Table",
    "normalize_header",
]
