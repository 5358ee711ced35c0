"""A request id on every request, its response and every log line written while it runs.

The id the proxy sends (`X-Request-ID`, nginx's `$request_id`) is kept when it looks like
one, so a line in nginx's log, the app's log and the user's screenshot of an error page
can be matched; otherwise a new one is made. With `JIXIAO_LOG_JSON=1` each log line is
one JSON object carrying `request_id` (python-json-logger).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# Anything else (too long, spaces, quotes, control characters) could forge log lines.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_current: ContextVar[str] = ContextVar("jixiao_request_id", default="-")


def current_request_id() -> str:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request: workers, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
