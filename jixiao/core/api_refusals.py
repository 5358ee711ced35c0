"""API refusals: one body for every 4xx, documented on every operation.

Kept apart from `core.api` because DRF imports its settings' classes (the permission
classes there) while `rest_framework.views` itself is still loading.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

REFUSAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A refusal: `detail` is the Chinese message to show.",
    "properties": {
        "detail": {"type": "string"},
        "messages": {
            "type": "array",
            "items": {"type": "string"},
            "description": "One message per refusal.",
        },
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "The refused input fields and their messages.",
        },
    },
    "required": ["detail"],
}
# Every operation may answer these (bad parameter, no access, not in the caller's scope).
REFUSAL_CODES = {
    "400": "Refused (Chinese message)",
    "401": "Service token refused (unknown, revoked or expired)",
    "403": "Not allowed",
    "404": "Not found",
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with every refusal body carrying a Chinese `detail`: a validation
    error's field messages are joined into it (and kept under `fields`)."""
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, ValidationError):
        return response
    data = response.data
    messages = list(_messages(data))
    body: dict[str, Any] = {"detail": "；".join(messages) or "请求无效。", "messages": messages}
    if isinstance(data, dict):
        body["fields"] = data
    response.data = body
    return response


def _messages(data: Any, field: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            name = "" if key in ("non_field_errors", "detail") else str(key)
            yield from _messages(value, name or field)
    elif isinstance(data, list):
        for value in data:
            yield from _messages(value, field)
    else:
        yield f"{field}：{data}" if field else str(data)


def document_refusals(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents REFUSAL_CODES with
    the one Refusal body, so clients (and the fuzz test) know every answer's shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = REFUSAL_SCHEMA
    ref = {"$ref": "#/components/schemas/Refusal"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in REFUSAL_CODES.items():
                responses.setdefault(
                    code,
                    {"content": {"application/json": {"schema": ref}}, "description": description},
                )
    return result
