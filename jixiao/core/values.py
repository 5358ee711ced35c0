"""The one door for typed values: numbers, text and integer parameters.

The collection grid, the Excel/CSV upload, the API and the forms all hand what people
typed to these functions, so one value is accepted or refused the same way everywhere
and whatever is accepted fits its database column. Refusals are `ValueError`s with a
Chinese message; `int_param` answers 404 for an id that cannot name anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

# One limit for every free-text reason: 计分说明, return and recheck reasons, answers,
# bonus-penalty descriptions. Long enough for a paragraph with its document numbers,
# short enough to print on a report card.
REASON_MAX_LENGTH = 2000
# Entry values are stored as DECIMAL(20, 4): 16 digits before the point, 4 after.
VALUE_DIGITS, VALUE_PLACES = 20, 4
# The largest id a BIGINT primary key holds.
MAX_ID = 2**63 - 1

# Full-width forms people type with a Chinese input method. Other Unicode digits
# ("²", "٣", "①") are refused rather than guessed at.
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "，": ",",
        "－": "-",
        "＋": "+",
        "％": "%",
        "\u3000": " ",
        "\u2212": "-",  # the minus sign of some word processors
    }
)
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_ID = re.compile(r"[0-9]{1,19}")
# Control characters other than tab and newline (NUL included): PostgreSQL refuses NUL
# in text, and the others are invisible in the UI, the exports and the PDF.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def parse_number(
    value: Any,
    *,
    percent: bool = False,
    digits: int = VALUE_DIGITS,
    places: int = VALUE_PLACES,
    rounded: bool = True,
) -> Decimal | None:
    """A number as people type it, rounded to the column's `places` and checked to fit
    DECIMAL(`digits`, `places`). None for blank; ValueError (Chinese) otherwise.

    Accepts full-width digits, "1,234", "85%" (85 with `percent=True`, else 0.85),
    numbers sent as text and cell numbers (int/float/Decimal). Rounding happens here,
    once, so the score is computed from what is stored and a re-upload compares equal.
    With `rounded=False` the number comes back as written (callers that refuse extra
    places themselves, such as indicator points).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("不是有效的数字"))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value).translate(_FULL_WIDTH).strip().replace(",", "").replace(" ", "")
        if text in ("", "-"):
            return None
        is_percent = text.endswith("%")
        text = text.removesuffix("%")
        if len(text) > 60 or not _NUMBER.fullmatch(text):
            raise ValueError(_("“%(v)s”不是有效的数字") % {"v": _shown(value)})
        try:
            number = Decimal(text)
        except InvalidOperation as error:  # pragma: no cover - the pattern already says no
            raise ValueError(_("“%(v)s”不是有效的数字") % {"v": _shown(value)}) from error
        if is_percent and not percent:
            number = number / 100
    if not number.is_finite():
        raise ValueError(_("不是有效的数字"))
    limit = Decimal(10) ** (digits - places)
    if abs(number) >= limit:
        raise ValueError(_("数值超出范围（整数部分最多 %(n)d 位）") % {"n": digits - places})
    if not rounded:
        return number
    result = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if abs(result) >= limit:  # 9999…9.99995 rounds up past the column
        raise ValueError(_("数值超出范围（整数部分最多 %(n)d 位）") % {"n": digits - places})
    return result


def clean_text(value: Any, *, max_length: int = REASON_MAX_LENGTH) -> str:
    """Free text (a reason, an answer) trimmed, with Windows line ends unified; ValueError
    (Chinese) for control characters or more than `max_length` characters."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        raise ValueError(_("含有不可见的控制字符，请删除后重新填写"))
    if len(text) > max_length:
        raise ValueError(
            _("不能超过 %(n)d 个字（现有 %(m)d 个）") % {"n": max_length, "m": len(text)}
        )
    return text


def text_problem(value: Any, *, max_length: int = REASON_MAX_LENGTH) -> str:
    """The Chinese refusal `clean_text` would give, or '' when the text is fine."""
    try:
        clean_text(value, max_length=max_length)
    except ValueError as error:
        return str(error)
    return ""


def validate_text(value: Any) -> None:
    """The text door as a form validator (reasons, answers, descriptions)."""
    if problem := text_problem(value):
        raise ValidationError(problem)


def strict_int(value: Any) -> int | None:
    """An id, year, page or version written in ASCII digits that fits a BIGINT; else None.

    `str.isdigit()` is not enough: "²" and "٣" are digits to Python but not ids.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ID else None
    text = str(value or "").strip()
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def int_param(params: Mapping[str, Any], name: str) -> int | None:
    """An optional integer parameter (query string or POST): None when absent or blank,
    404 when it is there but cannot name anything."""
    raw = params.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    number = strict_int(raw)
    if number is None:
        raise Http404(_("参数“%(name)s”不是有效的编号。") % {"name": name})
    return number


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"
