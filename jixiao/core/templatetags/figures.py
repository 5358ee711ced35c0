"""Template filters for figures, rounded half up (`jixiao.core.figures`):

{% load figures %}
{{ stat.mean|half_up:2 }}      69.885 → 69.89
{{ stat.share|percent:1 }}%    0.125 → 12.5
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from jixiao.core import figures

register = template.Library()


@register.filter
def half_up(value: Any, places: int = 2) -> Any:
    try:
        return figures.half_up(value, int(places))
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def percent(share: Any, places: int = 0) -> Any:
    """A share (0.125) as a percentage, rounded half up to at most `places` decimals and
    written without trailing zeros ("12.5" with places=2, "50", "66.67")."""
    if share is None or share == "":
        return ""
    try:
        value = figures.percent(Decimal(str(share)), 1, int(places))
    except (InvalidOperation, TypeError, ValueError):
        return share
    return format(value.normalize(), "f") if value else "0"
