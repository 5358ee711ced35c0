"""Test helpers shared by every app: personas (built by the apps' factory_boy factories)
and logging a client in past 2FA."""

from __future__ import annotations

import html
import re
from typing import Any

from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import resolve, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import User
from jixiao.org.models import Organization

PASSWORD = "Test#Pass2026"

# The usernames of the personas in jixiao/conftest.py: one per role, plus a second
# department, a department leader and a second unit that must never see each other.
PERSONA_USERNAMES = (
    "office",
    "dept",
    "dept_leader",
    "other_dept",
    "unit",
    "other_unit",
    "reviewer",
    "inspector",
    "supervision",
    "leader",
    "observer",
    "sysadmin",
    "secadmin",
    "auditadmin",
)


def make_org(code: str, **kwargs: Any) -> Organization:
    """The organization with this code (created once: the personas share theirs)."""
    from jixiao.org.tests.factories import OrganizationFactory

    return OrganizationFactory.create(code=code, **kwargs)


def make_user(username: str, role: str, org: Organization, **kwargs: Any) -> User:
    """A user who can log in at once, with a confirmed TOTP device where the role needs it."""
    from jixiao.accounts.tests.factories import UserFactory

    return UserFactory.create(username=username, role=role, organization=org, **kwargs)


def login(client: Client, user: User) -> Client:
    """Log in as if the user passed password and (where required) the second factor."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def download_from_job(client: Client, url: str, data: dict[str, Any] | None = None) -> HttpResponse:
    """POST to a view that starts a long job (run eagerly on commit, as embedded) and
    download the finished job's file."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302, response.status_code
    match = resolve(response.url)  # type: ignore[attr-defined]
    assert match.view_name == "core:job", response.url  # type: ignore[attr-defined]
    download = client.get(reverse("core:job_download", args=[match.kwargs["pk"]]))
    if not getattr(download, "streaming", False):
        return download  # type: ignore[return-value]
    # Read the streamed file so tests can use `.content` as with any response.
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    return HttpResponse(body, status=download.status_code, headers=dict(download.headers))


def page_text(response: Any) -> str:
    """What a reader sees of an HTML response: the text without tags, scripts or styles,
    whitespace collapsed ("1 待初审" for a figure above its label)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
