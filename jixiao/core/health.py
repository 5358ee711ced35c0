"""What a load balancer, a container runtime and Prometheus ask an app server.

`/healthz` answers without login: 200 when the database, the cache and (when one is
configured) the queue broker answer, else 503 naming the part that failed. It reveals
no detail beyond "ok"/"error": the exception goes to the log, with the request id.

`/metrics` (django-prometheus) is for the monitoring server only: the addresses in
`JIXIAO_METRICS_ALLOWED_IPS` or a caller presenting `JIXIAO_METRICS_TOKEN` as a bearer
token; anyone else gets a 404, as if the path did not exist.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Each answer must come fast: a hung dependency makes the check fail, not hang.
BROKER_TIMEOUT_SECONDS = 2.0


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"jixiao:healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def _queue() -> None:
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def checks() -> dict[str, Callable[[], None]]:
    """The dependencies this server needs; the broker only where tasks leave the process."""
    found: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        found["queue"] = _queue
    return found


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in checks().items():
        try:
            check()
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "error"
        else:
            results[name] = "ok"
    healthy = all(state == "ok" for state in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )


def _may_read_metrics(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_read_metrics(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
