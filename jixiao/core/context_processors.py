from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from jixiao.core.navigation import nav_items_for


@functools.lru_cache(maxsize=256)
def _url(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


def navigation(request: HttpRequest) -> dict[str, Any]:
    # The prefix and the URL conf are part of the key: a name reverses under both.
    prefix, urlconf = get_script_prefix(), get_urlconf()
    items: list[dict[str, object]] = [
        {"label": item.label, "icon": item.icon, "url": _url(item.url_name, prefix, urlconf)}
        for item in nav_items_for(getattr(request, "user", None))
    ]
    # The entry whose URL is the longest prefix of the current path is the active one.
    matches = [i for i in items if request.path.startswith(str(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(str(i["url"])))["active"] = True
    return {"nav_items": items}
