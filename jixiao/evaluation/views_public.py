"""The public rating page: no login, one tap, a thank-you page (served at /r/<code>/).

CSRF protection is off on purpose: there is no session or login to ride on, and a forged
rating is no easier than a real tap; the device cookie, the per-day uniqueness in the
database and the per-address limits are what limit abuse.
"""

from __future__ import annotations

import re
import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jixiao.core.public_intake import (
    DEVICE_COOKIE,
    DEVICE_SALT,
    bucket,
    client_address,
    device_of,
    remember_device,
)
from jixiao.evaluation.intake import RatingRefused, accept
from jixiao.evaluation.public_models import CHOICES, WINDOW_CODE_LENGTH, ServiceWindow

__all__ = ["DEVICE_COOKIE", "DEVICE_SALT", "not_found", "rate", "server_error"]
CODE_PATTERN = re.compile(r"^[a-z0-9]{4,16}$")


#: Windows by code, kept a minute per process: the intake's one query is then the INSERT.
_WINDOWS: dict[str, tuple[float, ServiceWindow | None]] = {}
WINDOW_CACHE_SECONDS = 60


def _window(code: str) -> ServiceWindow | None:
    code = code.strip().lower()
    if not CODE_PATTERN.match(code):
        return None
    now = time.monotonic()
    hit = _WINDOWS.get(code)
    if hit is not None and hit[0] > now:
        return hit[1]
    window = (
        ServiceWindow.objects.filter(code=code, is_active=True, unit__is_active=True)
        .select_related("unit")
        .first()
    )
    if len(_WINDOWS) > 50_000:
        _WINDOWS.clear()
    _WINDOWS[code] = (now + WINDOW_CACHE_SECONDS, window)
    return window


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"evaluation/public/{template}", context, status=status)


@csrf_exempt
def rate(request: HttpRequest, code: str) -> HttpResponse:
    window = _window(code)
    if window is None:
        return _page(
            request,
            "message.html",
            {
                "title": _("二维码无法识别"),
                "text": _("没有找到这个评价码（%(n)s 位字母数字）。请重新扫描服务窗口的二维码。")
                % {"n": WINDOW_CODE_LENGTH},
            },
            status=404,
        )
    device, new_device = device_of(request)
    if request.method == "POST":
        try:
            choice = int(request.POST.get("choice", "0"))
        except ValueError:
            choice = 0
        try:
            outcome = accept(
                window,
                device=device,
                choice=choice,
                item=request.POST.get("item", "")[:100],
                comment=request.POST.get("comment", "")[:400],
                address=client_address(request),
                day=timezone.localdate(),
                bucket=bucket(),
            )
        except RatingRefused as refused:
            response = _page(
                request,
                "rate.html",
                {"window": window, "choices": CHOICES, "error": str(refused)},
                status=400 if choice else 200,
            )
        else:
            response = _page(
                request, "thanks.html", {"window": window, "duplicate": not outcome.stored}
            )
    else:
        response = _page(request, "rate.html", {"window": window, "choices": CHOICES})
    if new_device:
        remember_device(response, device)
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The public server's 404: the main site's error pages link to pages it lacks."""
    return _page(
        request,
        "message.html",
        {"title": _("页面不存在"), "text": _("请扫描服务窗口的二维码进行评价。")},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "message.html",
        {"title": _("系统繁忙"), "text": _("请稍后再试。")},
        status=500,
    )
