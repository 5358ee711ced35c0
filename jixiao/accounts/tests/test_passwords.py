from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import SecurityPolicy, User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core.testing import PASSWORD, login


@pytest.mark.parametrize(
    "password",
    ["Ab1#xyz", "abcdefgh1", "password123", "ABCDEFGH", "12345678901", "Password1"],
    ids=["too-short", "two-classes", "common", "one-class", "numeric", "common-variant"],
)
def test_weak_passwords_are_rejected(db: None, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Xk9#mPq2", "longer-pass-W0rd", "Strong2026Jixiao"])
def test_passwords_with_eight_characters_and_three_classes_are_accepted(
    db: None, password: str
) -> None:
    validate_password(password)


def test_the_policy_can_require_longer_passwords(db: None) -> None:
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"min_password_length": 12})
    with pytest.raises(ValidationError, match="至少为 12 位"):
        validate_password("Xk9#mPq2abc")


def test_an_expired_password_forces_a_change_before_anything_else(department: User) -> None:
    User.objects.filter(pk=department.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    client = login(Client(), department)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert "已超过有效期" in client.get(reverse("accounts:password_change")).content.decode()


def test_a_password_89_days_old_is_still_valid(department: User) -> None:
    User.objects.filter(pk=department.pk).update(
        password_changed_at=timezone.now() - timedelta(days=89)
    )
    assert login(Client(), department).get(reverse("core:home")).status_code == 200


def test_a_new_account_must_change_its_initial_password(department: User) -> None:
    User.objects.filter(pk=department.pk).update(must_change_password=True)
    client = login(Client(), department)
    assert client.get(reverse("org:organization_list"))["Location"].startswith(
        reverse("accounts:password_change")
    )


def test_the_api_is_closed_until_the_password_is_changed(department: User) -> None:
    User.objects.filter(pk=department.pk).update(must_change_password=True)
    client = login(Client(), department)
    assert client.get("/api/v1/org/organizations/").status_code == 403


def test_changing_the_password_unblocks_the_account_and_is_audited(department: User) -> None:
    User.objects.filter(pk=department.pk).update(must_change_password=True)
    client = login(Client(), department)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Fresh#Pass99",
            "new_password2": "Fresh#Pass99",
        },
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.check_password("Fresh#Pass99")
    assert not department.must_change_password
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=department).exists()


def test_the_new_password_must_differ_and_match(department: User) -> None:
    client = login(Client(), department)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert "不能与当前密码相同" in response.content.decode()
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Fresh#Pass99",
            "new_password2": "Fresh#Pass98",
        },
    )
    assert "不一致" in response.content.decode()


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    # The test suite swaps in a fast hasher; the real setting module must not.
    import importlib

    from django.conf import settings

    import jixiao.settings as real

    importlib.reload(real)
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AUTH_USER_MODEL == "accounts.User"
