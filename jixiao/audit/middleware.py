from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jixiao.audit.context import acting_as


def client_ip(request: HttpRequest) -> str | None:
    # Behind the load balancer REMOTE_ADDR is set from X-Forwarded-For by the proxy
    # layer (gunicorn --forwarded-allow-ips); never trust the header here directly.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with acting_as(actor, client_ip(request)):
            return self.get_response(request)
