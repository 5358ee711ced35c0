"""Every role × every foundation view: allowed (200) or denied (403), on the server.

Apps add their own matrices next to their views; this one covers the foundation.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import ServiceToken, User
from jixiao.accounts.service_tokens import issue_token
from jixiao.core.testing import PERSONA_USERNAMES, login
from jixiao.org.models import AssessmentYear
from jixiao.org.tests.factories import AssessmentYearFactory

EVERYONE = set(PERSONA_USERNAMES)
DIRECTORY_READERS = {"office", "sysadmin"}
# The security admin enters the account pages but does not manage ordinary accounts:
# for it an ordinary account does not exist (404), like any object out of scope.
NOT_FOUND = {("accounts:user_edit", "secadmin"), ("accounts:user_reset_password", "secadmin")}

# (url name, args factory, users allowed to GET it)
VIEWS: list[tuple[str, Any, set[str]]] = [
    ("core:home", lambda p: [], EVERYONE),
    ("core:jobs", lambda p: [], EVERYONE),
    ("accounts:profile", lambda p: [], EVERYONE),
    ("accounts:password_change", lambda p: [], EVERYONE),
    # Both account admins, each for its own accounts (accounts/tests/test_admin_duties.py).
    ("accounts:user_list", lambda p: [], {"sysadmin", "secadmin"}),
    ("accounts:user_create", lambda p: [], {"sysadmin", "secadmin"}),
    ("accounts:user_edit", lambda p: [p["dept"].pk], {"sysadmin"}),
    ("accounts:security_settings", lambda p: [], {"secadmin"}),
    ("accounts:token_list", lambda p: [], {"sysadmin"}),
    ("audit:log", lambda p: [], {"auditadmin"}),
    ("audit:export", lambda p: [], {"auditadmin"}),
    ("org:organization_list", lambda p: [], DIRECTORY_READERS),
    ("org:organization_detail", lambda p: [p["unit"].organization_id], DIRECTORY_READERS),
    ("org:organization_export", lambda p: [], DIRECTORY_READERS),
    ("org:organization_create", lambda p: [], {"sysadmin"}),
    ("org:organization_import", lambda p: [], {"sysadmin"}),
    ("org:year_list", lambda p: [], DIRECTORY_READERS),
    ("org:year_detail", lambda p: [p["_year"].pk], DIRECTORY_READERS),
    ("org:enrollment_create", lambda p: [p["_year"].pk], {"sysadmin"}),
]

# State-changing POST endpoints: denied roles get 403 and nothing happens.
POSTS: list[tuple[str, Any, set[str]]] = [
    ("accounts:user_reset_password", lambda p: [p["dept"].pk], {"sysadmin"}),
    ("accounts:security_reset_two_factor", lambda p: [p["office"].pk], {"secadmin"}),
    ("accounts:security_unlock", lambda p: [], {"secadmin"}),
    ("org:year_make_current", lambda p: [p["_year"].pk], {"sysadmin"}),
    ("accounts:token_revoke", lambda p: [p["_token"].pk], {"sysadmin"}),
]


@pytest.fixture
def people(personas: dict[str, User]) -> dict[str, Any]:
    year = AssessmentYearFactory(year=2026, is_current=False)
    token, _key = issue_token(
        personas["sysadmin"],
        name="外部系统",
        role="department",
        organization=personas["dept"].organization,
        days=30,
    )
    return {**personas, "_year": year, "_token": token}


@pytest.mark.parametrize(("name", "args", "allowed"), VIEWS, ids=[v[0] for v in VIEWS])
def test_each_role_reaches_exactly_its_own_pages(
    people: dict[str, Any], name: str, args: Any, allowed: set[str]
) -> None:
    url = reverse(name, args=args(people))
    for username in EVERYONE:
        status = login(Client(), people[username]).get(url).status_code
        expected = 200 if username in allowed else 403
        if (name, username) in NOT_FOUND:
            expected = 404
        assert status == expected, f"{username} GET {url}: {status}, expected {expected}"


@pytest.mark.parametrize(("name", "args", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_denied_roles_cannot_post_and_nothing_changes(
    people: dict[str, Any], name: str, args: Any, allowed: set[str]
) -> None:
    from jixiao.audit.models import AuditEvent

    url = reverse(name, args=args(people))
    dept_password = User.objects.get(username="dept").password
    for username in EVERYONE - allowed:
        before = AuditEvent.objects.count()
        expected = 404 if (name, username) in NOT_FOUND else 403
        response = login(Client(), people[username]).post(url, {"username": "dept"})
        assert response.status_code == expected, username
        assert AuditEvent.objects.count() == before
    assert User.objects.get(username="dept").password == dept_password
    assert not AssessmentYear.objects.get(pk=people["_year"].pk).is_current
    assert ServiceToken.objects.get(pk=people["_token"].pk).revoked_at is None


@pytest.mark.parametrize(
    "name", ["core:home", "org:organization_list", "audit:log", "accounts:user_list"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(db: None, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_api_refuses_anonymous_callers(db: None) -> None:
    assert Client().get("/api/v1/org/organizations/").status_code == 403


def test_every_role_gets_only_its_own_navigation(people: dict[str, Any]) -> None:
    expectations = {
        "sysadmin": ("用户与角色", "组织机构"),
        "secadmin": ("安全设置",),
        "auditadmin": ("审计日志",),
        "office": ("组织机构",),
    }
    forbidden = {"用户与角色", "安全设置", "审计日志"}
    for username in EVERYONE:
        page = login(Client(), people[username]).get(reverse("core:home")).content.decode()
        nav = page.split('class="jx-nav"')[1].split("</ul>")[0]
        for label in expectations.get(username, ()):
            assert label in nav, (username, label)
        for label in forbidden - set(expectations.get(username, ())):
            assert label not in nav, (username, label)
