from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core.testing import PASSWORD


def password_login(user: User) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    return client


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_the_office_must_enter_a_code_after_the_password(office: User) -> None:
    client = password_login(office)
    response = client.get(reverse("core:home"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_a_correct_code_opens_the_office_home_page(office: User) -> None:
    client = password_login(office)
    device = TOTPDevice.objects.get(user=office)
    response = client.post(reverse("accounts:two_factor_verify"), {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_a_wrong_code_is_refused_and_audited(office: User) -> None:
    client = password_login(office)
    response = client.post(reverse("accounts:two_factor_verify"), {"token": "000000"})
    assert "动态口令不正确" in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor=office).exists()


def test_every_admin_role_needs_the_second_factor(
    system_admin: User, security_admin: User, audit_admin: User
) -> None:
    for user in (system_admin, security_admin, audit_admin):
        client = password_login(user)
        assert client.get(reverse("core:home"))["Location"].startswith(
            reverse("accounts:two_factor_verify")
        )
        assert client.get("/api/v1/org/organizations/").status_code == 403


def test_a_first_login_without_an_authenticator_must_bind_one(office: User) -> None:
    TOTPDevice.objects.filter(user=office).delete()
    client = password_login(office)
    assert client.get(reverse("core:home"))["Location"].startswith(
        reverse("accounts:two_factor_setup")
    )
    page = client.get(reverse("accounts:two_factor_setup")).content.decode()
    assert "<svg" in page  # the QR code is drawn locally, not fetched
    device = TOTPDevice.objects.get(user=office, confirmed=False)
    client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


def test_departments_and_units_log_in_with_a_password_only(department: User, unit: User) -> None:
    for user in (department, unit):
        assert password_login(user).get(reverse("core:home")).status_code == 200


def test_the_security_admin_resets_an_authenticator(office: User, security_admin: User) -> None:
    from jixiao.core.testing import login

    admin = login(Client(), security_admin)
    admin.post(reverse("accounts:security_reset_two_factor", args=[office.pk]))
    assert not TOTPDevice.objects.filter(user=office).exists()
    client = password_login(office)
    assert client.get(reverse("core:home"))["Location"].startswith(
        reverse("accounts:two_factor_setup")
    )
