"""The report card's indicator lines, rendered in Python.

Every assessed unit reads its card, and on a deadline day it is the third most requested
page. Its lines (a row per indicator node, three `floatformat`s each) were the page's
largest loop of template nodes; built here with `format_html`, which escapes each value
as the template did, the card costs about 15 % less (bench/load/README.md). The markup
is the template's.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from jixiao.scoring.labels import engine_formula, engine_text

if TYPE_CHECKING:
    from jixiao.scoring.views_support import CardLine

FOUR_PLACES = Decimal("0.0001")


def fixed4(value: Any) -> str:
    """What `{{ value|floatformat:"-4" }}` shows for a number: no decimals when it is whole,
    else four, rounded half up (a test holds the two equal)."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number == int(number):
        return str(int(number))
    text = f"{number.quantize(FOUR_PLACES, ROUND_HALF_UP):f}"
    return text[1:] if text.startswith("-") and not Decimal(text) else text


LINE = (
    '<tr class="{}"><td><code>{}</code></td><td style="padding-left: {}em">{}</td>'
    '<td class="small">{}</td>\n'
    '    <td class="num">{}</td><td class="num">{}</td>\n'
    '    <td class="num{}">{}</td>\n'
    '    <td class="small">{}{}{}</td></tr>'
)


def lines_html(lines: Iterable[CardLine]) -> SafeString:
    return format_html_join("\n", "{}", ((_line(line),) for line in lines))


def _line(line: CardLine) -> SafeString:
    return format_html(
        LINE,
        "fw-semibold table-light" if line.level == 1 else "",
        line.code,
        line.level,
        line.name,
        engine_text(line.kind),
        fixed4(line.points),
        fixed4(line.score),
        " text-danger" if line.lost else "",
        fixed4(line.lost) if line.lost else "",
        engine_formula(line.formula) if line.is_leaf else "",
        "；" if line.reason and line.is_leaf else "",
        engine_formula(line.reason) if line.reason else "",
    )
