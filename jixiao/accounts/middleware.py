"""Enforces, on every request, what a logged-in user must do before anything else:
pass the second factor (office and admin roles) and change an expired or initial
password. Nothing else is reachable until then, API included."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from jixiao.accounts.models import SecurityPolicy

ALWAYS_ALLOWED = ("/static/", "/i18n/", "/healthz", "/metrics")


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(ALWAYS_ALLOWED):
            return self.get_response(request)
        logout_url = reverse("accounts:logout")
        if request.path == logout_url:
            return self.get_response(request)

        if user.requires_two_factor and not user.is_verified():
            from django_otp.plugins.otp_totp.models import TOTPDevice

            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = reverse(
                "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
            )
            return self._divert(request, target)

        policy = SecurityPolicy.load()
        if user.must_change_password or user.password_expired(policy.password_max_age_days):
            return self._divert(request, reverse("accounts:password_change"))
        return self.get_response(request)

    def _divert(self, request: HttpRequest, target: str) -> HttpResponse:
        if request.path == target:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "须先完成双因素认证或修改密码。"}, status=403)
        return redirect(f"{target}?next={request.get_full_path()}")
