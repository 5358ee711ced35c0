from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jixiao.core.navigation import nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    items: list[dict[str, object]] = [
        {"label": item.label, "icon": item.icon, "url": reverse(item.url_name)}
        for item in nav_items_for(getattr(request, "user", None))
    ]
    # The entry whose URL is the longest prefix of the current path is the active one.
    matches = [i for i in items if request.path.startswith(str(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(str(i["url"])))["active"] = True
    return {"nav_items": items}
