"""Fixtures for every app: one named persona per role, plus an outsider.

`office_client`, `department_client`, … are logged-in clients. `other_department` and
`other_unit` belong to organizations that must never see each other's data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.testing import login, make_org, make_user
from jixiao.org.models import Organization, OrganizationKind


def _allow_test_flush(sender: Any, connection: Any, **kwargs: Any) -> None:
    # The audit table refuses TRUNCATE unless a session declares maintenance; the test
    # runner's flush between transactional tests is such maintenance.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jixiao.allow_audit_truncate = 'on'")


connection_created.connect(_allow_test_flush, dispatch_uid="jixiao_test_flush")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); skipped on SQLite")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Iterator[None]:
    # LocaleMiddleware leaves the last request's language active on the thread; each
    # test starts in the default language, as each real request does.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_http(settings: Any, tmp_path: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def office_org(db: None) -> Organization:
    return make_org("JXB", name="区绩效办", kind=OrganizationKind.OFFICE)


@pytest.fixture
def department_org(db: None) -> Organization:
    return make_org("FGJ", name="区发展和改革局", is_department=True, is_assessed_unit=True)


@pytest.fixture
def other_department_org(db: None) -> Organization:
    return make_org("JYJ", name="区教育局", is_department=True, is_assessed_unit=True)


@pytest.fixture
def unit_org(db: None) -> Organization:
    return make_org("JD01", name="东湖街道", kind=OrganizationKind.STREET, is_assessed_unit=True)


@pytest.fixture
def other_unit_org(db: None) -> Organization:
    return make_org("JD02", name="西关街道", kind=OrganizationKind.STREET, is_assessed_unit=True)


@pytest.fixture
def misc_org(db: None) -> Organization:
    return make_org("QT", name="其他单位", kind=OrganizationKind.OTHER)


@pytest.fixture
def office(office_org: Organization) -> User:
    return make_user("office", Role.OFFICE, office_org)


@pytest.fixture
def department(department_org: Organization) -> User:
    return make_user("dept", Role.DEPARTMENT, department_org)


@pytest.fixture
def department_leader(department_org: Organization) -> User:
    return make_user("dept_leader", Role.DEPARTMENT, department_org, is_org_leader=True)


@pytest.fixture
def other_department(other_department_org: Organization) -> User:
    return make_user("other_dept", Role.DEPARTMENT, other_department_org)


@pytest.fixture
def unit(unit_org: Organization) -> User:
    return make_user("unit", Role.UNIT, unit_org)


@pytest.fixture
def other_unit(other_unit_org: Organization) -> User:
    return make_user("other_unit", Role.UNIT, other_unit_org)


@pytest.fixture
def reviewer(misc_org: Organization) -> User:
    return make_user("reviewer", Role.REVIEWER, misc_org)


@pytest.fixture
def inspector(misc_org: Organization) -> User:
    return make_user("inspector", Role.INSPECTOR, misc_org)


@pytest.fixture
def supervision(misc_org: Organization) -> User:
    return make_user("supervision", Role.SUPERVISION, misc_org)


@pytest.fixture
def leader(misc_org: Organization) -> User:
    return make_user("leader", Role.LEADER, misc_org)


@pytest.fixture
def observer(misc_org: Organization) -> User:
    return make_user("observer", Role.OBSERVER, misc_org)


@pytest.fixture
def system_admin(office_org: Organization) -> User:
    return make_user("sysadmin", Role.SYSTEM_ADMIN, office_org)


@pytest.fixture
def security_admin(office_org: Organization) -> User:
    return make_user("secadmin", Role.SECURITY_ADMIN, office_org)


@pytest.fixture
def audit_admin(office_org: Organization) -> User:
    return make_user("auditadmin", Role.AUDIT_ADMIN, office_org)


@pytest.fixture
def personas(
    office: User,
    department: User,
    department_leader: User,
    other_department: User,
    unit: User,
    other_unit: User,
    reviewer: User,
    inspector: User,
    supervision: User,
    leader: User,
    observer: User,
    system_admin: User,
    security_admin: User,
    audit_admin: User,
) -> dict[str, User]:
    return {u.username: u for u in locals().values() if isinstance(u, User)}


def _client_for(user: User) -> Client:
    return login(Client(), user)


@pytest.fixture
def office_client(office: User) -> Client:
    return _client_for(office)


@pytest.fixture
def department_client(department: User) -> Client:
    return _client_for(department)


@pytest.fixture
def unit_client(unit: User) -> Client:
    return _client_for(unit)


@pytest.fixture
def system_admin_client(system_admin: User) -> Client:
    return _client_for(system_admin)


@pytest.fixture
def security_admin_client(security_admin: User) -> Client:
    return _client_for(security_admin)


@pytest.fixture
def audit_admin_client(audit_admin: User) -> Client:
    return _client_for(audit_admin)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright. Never a browser downloaded by a tool."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing on CI: `make test` installs it with apt-get")
        pytest.skip("chromium not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
