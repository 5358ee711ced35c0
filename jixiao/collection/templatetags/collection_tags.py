from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """A Decimal without trailing zeros and never in exponent form (10, 9.5, 0.25)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def status_label(value: Any) -> str:
    from jixiao.collection.models import BonusPenaltyStatus, EntryStatus

    for choices in (EntryStatus, BonusPenaltyStatus):
        if value in choices.values:
            return str(choices(value).label)
    return str(value or "")
