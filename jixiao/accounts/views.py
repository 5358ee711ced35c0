"""Login, second factor, password change and profile: what every user goes through."""

from __future__ import annotations

import base64
from datetime import timedelta
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from jixiao.accounts import actions
from jixiao.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from jixiao.accounts.models import SecurityPolicy, User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import record


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@ratelimit(key="ip", rate=settings.LOGIN_ADDRESS_RATE, method="POST", block=True)
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user: User = form.get_user()
        login(request, user)
        request.session.set_expiry(SecurityPolicy.load().session_idle_minutes * 60)
        record(AuditAction.LOGIN, user, actor=user, reason="密码验证通过")
        return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})


def lockout_response(request: HttpRequest, credentials: Any = None, *args: Any) -> HttpResponse:
    policy = SecurityPolicy.load()
    form = LoginForm(request)
    message = _(
        "该账号连续 %(n)d 次登录失败，已锁定 %(m)d 分钟。请稍后再试，或联系安全管理员解锁。"
    ) % {
        "n": policy.lockout_failures,
        "m": policy.lockout_minutes,
    }
    return render(request, "accounts/login.html", {"form": form, "locked": message}, status=429)


def throttled_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    form = LoginForm(request)
    message = _("此地址登录尝试过于频繁，请 10 分钟后再试。")
    return render(request, "accounts/login.html", {"form": form, "locked": message}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(AuditAction.LOGOUT, request.user, actor=request.user)
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First login of an office or admin account: bind an authenticator app (TOTP)."""
    user: User = request.user  # type: ignore[assignment]
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two_factor_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(AuditAction.TWO_FACTOR, user, actor=user, reason="绑定认证器")
            messages.success(request, _("双因素认证已启用。"))
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("token", _("动态口令不正确，请核对手机时间后重试。"))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret},
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            record(AuditAction.TWO_FACTOR, user, actor=user, reason="动态口令验证通过")
            return HttpResponseRedirect(_safe_next(request))
        record(AuditAction.LOGIN_FAILED, user, actor=user, reason="动态口令错误")
        form.add_error("token", _("动态口令不正确。"))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.change_own_password(user, form.cleaned_data["new_password1"])
        # Keep this session; end the others (a changed password should lock out a thief).
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect(settings.LOGIN_REDIRECT_URL)
    forced = user.must_change_password or user.password_expired(
        SecurityPolicy.load().password_max_age_days
    )
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    policy = SecurityPolicy.load()
    expires = None
    if user.password_changed_at:
        expires = user.password_changed_at + timedelta(days=policy.password_max_age_days)
    recent = AuditEvent.objects.filter(
        actor=user, action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED]
    )[:8]
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "password_expires": expires,
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "recent_logins": recent,
        },
    )
