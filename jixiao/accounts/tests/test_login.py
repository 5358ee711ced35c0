from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import SecurityPolicy, User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core.testing import PASSWORD, login

LOGIN = reverse("accounts:login")


def post_login(client: Client, username: str, password: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.fixture(autouse=True)
def _fresh_cache(db: None) -> None:  # the embedded cache is a database table
    from django.core.cache import cache

    cache.clear()


def test_a_department_user_logs_in_and_lands_on_the_home_page(department: User) -> None:
    client = Client()
    response = post_login(client, "dept", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


def test_a_wrong_password_is_refused_with_a_chinese_message(department: User) -> None:
    response = post_login(Client(), "dept", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_login_and_failure_are_audited_with_the_address(department: User) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    post_login(client, "dept", "nope")
    post_login(client, "dept", PASSWORD)
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.object_repr == "dept"
    assert failed.ip_address == "10.1.2.3"
    ok = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert ok.actor == department


def test_five_failures_lock_the_account_even_for_the_right_password(department: User) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, "dept", "wrong")
    response = post_login(client, "dept", PASSWORD)
    assert response.status_code == 429
    assert "已锁定 30 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, object_repr="dept").exists()


def test_four_failures_do_not_lock(department: User) -> None:
    client = Client()
    for _ in range(4):
        post_login(client, "dept", "wrong")
    assert post_login(client, "dept", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_policy_minutes(department: User) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        post_login(client, "dept", "wrong")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=31)
    )
    assert post_login(client, "dept", PASSWORD).status_code == 302


def test_the_security_admin_unlocks_an_account(department: User, security_admin: User) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, "dept", "wrong")
    admin = login(Client(), security_admin)
    page = admin.get(reverse("accounts:security_settings")).content.decode()
    assert "dept" in page
    admin.post(reverse("accounts:security_unlock"), {"username": "dept"})
    assert post_login(Client(), "dept", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.UNLOCK, object_repr="dept").exists()


def test_a_stricter_policy_locks_after_fewer_failures(department: User) -> None:
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"lockout_failures": 3})
    client = Client()
    for _ in range(3):
        post_login(client, "dept", "wrong")
    assert post_login(client, "dept", PASSWORD).status_code == 429


def test_one_address_is_throttled_across_accounts(settings: object, department: User) -> None:
    from django.core.cache import cache

    cache.clear()
    client = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [post_login(client, f"nobody{i}", "x").status_code for i in range(31)]  # type: ignore[attr-defined]
    assert statuses[-1] == 429
    assert "过于频繁" in post_login(client, "dept", PASSWORD).content.decode()  # type: ignore[attr-defined]
    # Another address is not affected.
    assert post_login(Client(REMOTE_ADDR="10.9.9.10"), "dept", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_an_inactive_account_cannot_log_in(department: User) -> None:
    department.is_active = False
    department.save()
    assert post_login(Client(), "dept", PASSWORD).status_code == 200


def test_logout_ends_the_session_and_is_audited(department: User) -> None:
    client = login(Client(), department)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=department).exists()


def test_login_redirects_only_to_this_site(department: User) -> None:
    client = Client()
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "dept", "password": PASSWORD}
    )
    assert response["Location"] == reverse("core:home")
