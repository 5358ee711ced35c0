"""The public-only server's lean path for a tap: `POST /r/<code>/` without Django's
request machinery, everything else through Django (jixiao/wsgi.py wraps the app with it
when `JIXIAO_PUBLIC_ONLY=1`).

A tap is the one request the internet sends by the thousand, so it is answered with the
least work that keeps every rule of the Django view (views_public.rate):

* the same window lookup (cached per process), the same checks, counters and quarantine
  (`intake.prepare`), the same signed device cookie (Django's cookie signer, so a cookie
  set by either path is read by the other);
* the row goes to the process's group committer (group_commit.py) on PostgreSQL, and
  the thank-you is sent after the batch holding it is committed; embedded (SQLite) it is
  the view's one-row insert;
* the thank-you page is rendered once per window and kept; its inline style is allowed
  by its hash in the Content-Security-Policy instead of a per-response nonce, and the
  response carries the headers the public middleware would add (request id, nosniff,
  referrer and opener policies, HSTS on HTTPS, X-Frame-Options, CSP).

Anything unusual (a query string, another content type, a large body, a NUL, a
malformed field, an unknown code, plain HTTP when HTTPS is required) goes to Django
unchanged, which answers it as before.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core import signing
from django.db import connection
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jixiao.core.request_id import _ACCEPTED, _current
from jixiao.evaluation import intake
from jixiao.evaluation.group_commit import committer
from jixiao.evaluation.public_models import CHOICES, ServiceWindow
from jixiao.evaluation.views_public import DEVICE_COOKIE, DEVICE_SALT, _window

log = logging.getLogger(__name__)

PATH = re.compile(r"^/r/([A-Za-z0-9]{4,16})/$")
MAX_BODY = 4096
COMMIT_TIMEOUT = 10.0  # seconds a tap waits for its batch before it is told to retry
STYLE = re.compile(rb"<style>(.*?)</style>", re.S)

StartResponse = Callable[..., Any]


class _Static:
    """What the public templates read of a request: no nonce (the style has a hash)."""

    csp_nonce = ""


def _render(template: str, context: dict[str, Any]) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"evaluation/public/{template}", {**context, "request": _Static})
    return text.replace(' nonce=""', "").encode()


class FastIntake:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._thanks: dict[tuple[int, bool], tuple[ServiceWindow, bytes]] = {}
        self._policies: dict[bytes, str] = {}

    # -- WSGI ------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        match = PATH.match(environ.get("PATH_INFO", ""))
        if environ.get("REQUEST_METHOD") != "POST" or match is None or not self._plain(environ):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self.app(environ, start_response)
        if not 0 < length <= MAX_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        fields = self._fields(body)
        window = _window(match.group(1)) if fields is not None else None
        if fields is None or window is None:
            environ["wsgi.input"] = io.BytesIO(body)  # Django reads it again
            return self.app(environ, start_response)
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
        token = _current.set(request_id)
        try:
            status, page, cookie = self._tap(environ, window, fields)
        finally:
            _current.reset(token)
        headers = self._headers(environ, page, request_id)
        if cookie:
            headers.append(("Set-Cookie", cookie))
        start_response(status, headers)
        return [page]

    @staticmethod
    def _plain(environ: dict[str, Any]) -> bool:
        """A form post with no query string, to an allowed host, over HTTPS when HTTPS is
        required (Django answers the others: 400 for a foreign host, the redirect)."""
        if environ.get("QUERY_STRING") or not _allowed_host(environ):
            return False
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return False
        return not settings.SECURE_SSL_REDIRECT or _is_secure(environ)

    @staticmethod
    def _fields(body: bytes) -> dict[str, str] | None:
        """The posted fields, or None for anything the Django view should answer."""
        if b"\x00" in body or b"%00" in body:
            return None
        try:
            text = body.decode("ascii")  # a browser percent-encodes a form post
            parsed = parse_qs(text, keep_blank_values=True, max_num_fields=10, errors="strict")
        except (UnicodeDecodeError, ValueError):
            return None
        fields = {k: v[0] for k, v in parsed.items()}
        if fields.get("choice", "") not in ("1", "2", "3", "4", "5"):
            return None
        return fields

    # -- the tap ---------------------------------------------------------------------

    def _tap(
        self, environ: dict[str, Any], window: ServiceWindow, fields: dict[str, str]
    ) -> tuple[str, bytes, str]:
        device, cookie = self._device(environ.get("HTTP_COOKIE", ""))
        choice = int(fields["choice"])
        with translation.override(settings.LANGUAGE_CODE):
            try:
                row = intake.prepare(
                    window,
                    device=device,
                    choice=choice,
                    item=fields.get("item", "")[:100],
                    comment=fields.get("comment", "")[:400],
                    address=environ.get("REMOTE_ADDR") or None,
                    day=timezone.localdate(),
                    bucket=int(time.time() // 600),
                )
            except intake.RatingRefused as refused:
                page = _render(
                    "rate.html", {"window": window, "choices": CHOICES, "error": str(refused)}
                )
                return "400 Bad Request", page, cookie
            try:
                stored = self._store(row)
            except Exception:  # not stored, or not known to be: never a thank-you
                log.exception("a public rating could not be stored")
                page = _render("message.html", {"title": _("系统繁忙"), "text": _("请稍后再试。")})
                return "503 Service Unavailable", page, cookie
        return "200 OK", self._thanks_page(window, duplicate=not stored), cookie

    @staticmethod
    def _store(row: intake.Row) -> bool:
        if connection.vendor != "postgresql":
            return intake._insert(row)
        try:
            return committer.submit(row).result(timeout=COMMIT_TIMEOUT)
        except FutureTimeout as error:
            raise RuntimeError("group commit timed out") from error

    def _device(self, header: str) -> tuple[str, str]:
        """The device named by a valid signed cookie, or a new one and its Set-Cookie."""
        value = parse_cookie(header).get(DEVICE_COOKIE) if header else None
        if value:
            # Exactly what `request.get_signed_cookie` does (its salts change in patches).
            unsign = signing._unsign_cookie  # type: ignore[attr-defined]
            try:
                return unsign(value, cookie_name=DEVICE_COOKIE, salt=DEVICE_SALT), ""
            except signing.BadSignature:
                pass
        device = secrets.token_urlsafe(16)
        response = HttpResponse()
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device,
            salt=DEVICE_SALT,
            max_age=2 * 365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return device, response.cookies[DEVICE_COOKIE].OutputString()

    def _thanks_page(self, window: ServiceWindow, duplicate: bool) -> bytes:
        kept = self._thanks.get((window.pk, duplicate))
        if kept is not None and kept[0] is window:  # the window lookup's cache is fresh
            return kept[1]
        page = _render("thanks.html", {"window": window, "duplicate": duplicate})
        if len(self._thanks) > 20_000:
            self._thanks.clear()
        self._thanks[(window.pk, duplicate)] = (window, page)
        return page

    # -- headers ---------------------------------------------------------------------

    def _headers(
        self, environ: dict[str, Any], page: bytes, request_id: str
    ) -> list[tuple[str, str]]:
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page))),
            ("X-Request-ID", request_id),
            ("X-Frame-Options", settings.X_FRAME_OPTIONS),
            ("Content-Security-Policy", self._policy(page)),
        ]
        if settings.SECURE_CONTENT_TYPE_NOSNIFF:
            headers.append(("X-Content-Type-Options", "nosniff"))
        if settings.SECURE_REFERRER_POLICY:
            policy = settings.SECURE_REFERRER_POLICY
            headers.append(
                ("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy))
            )
        if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
            headers.append(
                ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY)
            )
        if settings.SECURE_HSTS_SECONDS and _is_secure(environ):
            hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                hsts += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                hsts += "; preload"
            headers.append(("Strict-Transport-Security", hsts))
        return headers

    def _policy(self, page: bytes) -> str:
        """The house policy with the page's one inline style allowed by its hash."""
        match = STYLE.search(page)
        style = match.group(1) if match else b""
        policy = self._policies.get(style)
        if policy is None:
            from csp.constants import SELF
            from csp.utils import build_policy

            digest = base64.b64encode(hashlib.sha256(style).digest()).decode()
            policy = build_policy(
                replace={"style-src": [SELF, f"'sha256-{digest}'"], "script-src": [SELF]}
            )
            self._policies[style] = policy
        return policy


def _allowed_host(environ: dict[str, Any]) -> bool:
    """As Django's `request.get_host()` checks the Host header against ALLOWED_HOSTS."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _is_secure(environ: dict[str, Any]) -> bool:
    """As Django's `request.is_secure()`: the proxy's header when it sends one."""
    header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if header and environ.get(header[0]) is not None:
        return str(environ[header[0]]).split(",")[0].strip() == header[1]
    return environ.get("wsgi.url_scheme") == "https"
