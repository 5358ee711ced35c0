"""`{{ value|engine }}`: the scoring engine's Chinese labels in the active language."""

from __future__ import annotations

from typing import Any

from django import template

from jixiao.scoring.labels import engine_text

register = template.Library()


@register.filter
def engine(value: Any) -> str:
    return engine_text(value)
