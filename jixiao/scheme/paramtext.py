"""Scoring parameters as text a person can read and type (Excel cells, the API).

Written as JSON with plain numbers: {"per_occurrence": 0.5, "floor": 0}. Read back from
JSON or from "key=value; key=value" (values in JSON, or 是 / 否, or bare words).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _plain(value: Any) -> Any:
    if isinstance(value, str) and _NUMBER.match(value):
        number = Decimal(value)
        return (
            int(number)
            if number == number.to_integral_value() and "." not in value
            else float(value)
        )
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def params_to_text(params: Any) -> str:
    if not params:
        return ""
    return json.dumps(_plain(params), ensure_ascii=False)


def _value(text: str) -> Any:
    text = text.strip()
    if text in ("是", "true", "True"):
        return True
    if text in ("否", "false", "False"):
        return False
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        return text


def params_from_text(text: str) -> dict[str, Any]:
    """Parameters from a cell; raises ValueError with a Chinese message."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise ValueError(
                _("不是有效的 JSON（第 %(c)d 个字符附近）") % {"c": error.pos + 1}
            ) from error
        if not isinstance(data, dict):
            raise ValueError(_("应为 {参数: 值} 形式"))
        return data
    result: dict[str, Any] = {}
    for part in re.split(r"[;；\n]+", text):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(_("“%(p)s”应写成“参数=值”") % {"p": part.strip()})
        result[key.strip()] = _value(value)
    return result
