from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts import sessions
from jixiao.accounts.models import SecurityPolicy, User
from jixiao.core.testing import PASSWORD


def test_a_session_expires_after_30_idle_minutes(department: User) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "dept", "password": PASSWORD})
    assert client.session.get_expiry_age() == 30 * 60


def test_a_request_pushes_the_idle_deadline_forward_at_most_once_a_minute(
    department: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "dept", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("core:home"))
    # Within the minute nothing is written: the deadline is where it was.
    assert Session.objects.get().expire_date < timezone.now() + timedelta(minutes=6)

    later = sessions._now() + sessions.REFRESH_SECONDS
    monkeypatch.setattr(sessions, "_now", lambda: later)
    client.get(reverse("core:home"))
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)


def test_an_idle_session_is_logged_out(department: User) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "dept", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_security_admin_can_shorten_the_idle_timeout(department: User) -> None:
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"session_idle_minutes": 10})
    client = Client()
    client.post(reverse("accounts:login"), {"username": "dept", "password": PASSWORD})
    assert client.session.get_expiry_age() == 10 * 60
