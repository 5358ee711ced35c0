"""`{{ value|engine }}` and `{{ value|formula }}`: the scoring engine's Chinese labels and
formulas in the active language."""

from __future__ import annotations

from typing import Any

from django import template

from jixiao.scoring.labels import engine_formula, engine_text

register = template.Library()


@register.filter
def engine(value: Any) -> str:
    return engine_text(value)


@register.filter
def formula(value: Any) -> str:
    """An engine-built formula / explanation / cap note in the active language."""
    return engine_formula(value)
