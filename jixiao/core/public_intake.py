"""Anti-abuse pieces shared by the public pages without login (the satisfaction rating
at /r/, the 群众反映 window at /c/).

* a signed device cookie names a phone (not a person) across visits;
* per-address counters over ten-minute buckets in the cache (Redis in production, the
  database cache embedded) decide when to quarantine a burst for the office's review
  and when to ask the person to wait — nothing received is ever deleted;
* the same text sent again and again in a bucket is quarantined too.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse

BURST_WINDOW_SECONDS = 600
DEVICE_COOKIE = "jxd"
DEVICE_SALT = "jixiao.rating.device"


def bucket(now: float | None = None) -> int:
    """The ten-minute bucket the counters of this moment go into."""
    return int((time.time() if now is None else now) // BURST_WINDOW_SECONDS)


#: One Redis client per process: Django's cache makes a new one (with its table of ~170
#: response callbacks) for every call; a client is thread-safe over its connection pool.
_REDIS: dict[int, Any] = {}


def _redis(backend: RedisCache, key: str) -> Any:
    client = _REDIS.get(id(backend))
    if client is None:
        internal: Any = backend
        client = _REDIS[id(backend)] = internal._cache.get_client(key, write=True)
    return client


def count(key: str) -> int:
    """Increment and return a counter that lives one bucket: one Redis round trip (INCR,
    and EXPIRE the first time), else through the cache API (the database cache of the
    embedded mode). The rating intake's throughput depends on this being cheap."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(key)
        client = _redis(backend, full)
        value = int(client.incr(full))
        if value == 1:
            client.expire(full, BURST_WINDOW_SECONDS)
        return value
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 0, BURST_WINDOW_SECONDS)
        return cache.incr(key)


def digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def device_of(request: HttpRequest) -> tuple[str, bool]:
    """(the device's id, whether it is new and the response must set the cookie)."""
    device = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if device is None:
        return secrets.token_urlsafe(16), True
    return device, False


def remember_device(response: HttpResponse, device: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        device,
        salt=DEVICE_SALT,
        max_age=2 * 365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
