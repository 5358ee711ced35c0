"""Idle sessions: the deadline moves with the user's requests, written at most once a minute.

A session ends after the security policy's idle minutes (set at login). Writing the
session row on every request to push that deadline forward cost a transaction and a WAL
flush per page, the largest fixed cost of a request on a busy deadline day. Refreshing it
when the last refresh is a minute old ends an idle session at most a minute early, never
late, which keeps the policy's "no more than N idle minutes" true.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 60
REFRESHED_AT = "_jixiao_refreshed_at"


def _now() -> int:
    return int(time.time())


class IdleRefreshMiddleware:
    """Marks a signed-in user's session modified when its deadline is a minute old, so
    that SessionMiddleware (outside this one) saves it with a new expiry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = _now()
            if now - int(request.session.get(REFRESHED_AT, 0)) >= REFRESH_SECONDS:
                request.session[REFRESHED_AT] = now
        return response
