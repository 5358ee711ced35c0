"""The three admin duties (三权分立) against each other and against ordinary accounts.

The system admin manages ordinary accounts; the security admin manages the admin-role
accounts; the audit admin manages none; nobody manages their own account here. Every
cell of the matrix is tried through the pages, and a refusal must leave everything as it
was: the account row, its password, its lock, and the audit trail.
"""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts import actions
from jixiao.accounts.models import User
from jixiao.accounts.roles import ADMIN_ROLES, Role
from jixiao.audit.models import AuditEvent
from jixiao.core.testing import login, make_user
from jixiao.org.models import Organization

ADMINS = ("sysadmin", "secadmin", "auditadmin")
# Targets: an ordinary account, each admin (so each actor also meets itself) and a second
# security admin (a security admin managing a peer is allowed; managing itself is not).
TARGETS = ("dept", "sysadmin", "secadmin", "secadmin2", "auditadmin")


def manages(actor: str, target_role: str, target: str | None = None) -> bool:
    """The rule under test, written out independently of accounts/policy.py."""
    if target == actor:
        return False
    if actor == "sysadmin":
        return target_role not in ADMIN_ROLES
    if actor == "secadmin":
        return target_role in ADMIN_ROLES
    return False


@pytest.fixture
def people(personas: dict[str, User], office_org: Organization) -> dict[str, User]:
    return {**personas, "secadmin2": make_user("secadmin2", Role.SECURITY_ADMIN, office_org)}


def state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.password, user.role, user.is_active, user.organization_id, user.version)


def form_data(user: User, **changes: Any) -> dict[str, Any]:
    data = {
        "last_name": user.last_name,
        "first_name": user.first_name,
        "organization": user.organization_id,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "reason": "调整",
        "version": user.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize("role", [Role.DEPARTMENT, *sorted(ADMIN_ROLES)])
def test_only_the_duty_owner_creates_an_account_of_a_role(
    people: dict[str, User], office_org: Organization, actor: str, role: str
) -> None:
    client = login(Client(), people[actor])
    audit_rows = AuditEvent.objects.count()
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "newcomer",
            "last_name": "新",
            "organization": office_org.pk
            if role != Role.DEPARTMENT
            else people["dept"].organization_id,
            "role": role,
            "is_active": "on",
        },
        follow=True,
    )
    created = User.objects.filter(username="newcomer").first()
    if manages(actor, role):
        assert created is not None
        assert created.role == role
        assert created.must_change_password
        assert "初始密码：" in response.content.decode()
    else:
        assert created is None, f"{actor} created a {role}"
        assert "初始密码：" not in response.content.decode()
        assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize("target", TARGETS)
def test_only_the_duty_owner_resets_a_password_and_sees_it(
    people: dict[str, User], actor: str, target: str
) -> None:
    victim = people[target]
    before = state(victim)
    audit_rows = AuditEvent.objects.count()
    response = login(Client(), people[actor]).post(
        reverse("accounts:user_reset_password", args=[victim.pk]), follow=True
    )
    if manages(actor, victim.role, target):
        assert state(victim)[0] != before[0]
        assert "临时密码" in response.content.decode()
    else:
        assert response.status_code in (403, 404), (actor, target)
        assert "临时密码" not in response.content.decode()
        assert state(victim) == before
        assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize("target", TARGETS)
def test_only_the_duty_owner_deactivates_an_account(
    people: dict[str, User], actor: str, target: str
) -> None:
    victim = people[target]
    before = state(victim)
    audit_rows = AuditEvent.objects.count()
    response = login(Client(), people[actor]).post(
        reverse("accounts:user_edit", args=[victim.pk]), form_data(victim, is_active="")
    )
    if manages(actor, victim.role, target):
        assert response.status_code == 302
        assert state(victim)[2] is False
    else:
        assert response.status_code in (403, 404), (actor, target)
        assert state(victim) == before
        assert AuditEvent.objects.count() == audit_rows


# (target, new role): inside a group, into the admin group, out of it.
ROLE_CHANGES = [
    ("dept", Role.UNIT),
    ("dept", Role.AUDIT_ADMIN),
    ("dept", Role.SECURITY_ADMIN),
    ("auditadmin", Role.SECURITY_ADMIN),
    ("auditadmin", Role.DEPARTMENT),
    ("secadmin2", Role.AUDIT_ADMIN),
    ("sysadmin", Role.AUDIT_ADMIN),
    ("secadmin", Role.SYSTEM_ADMIN),
]


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize(("target", "new_role"), ROLE_CHANGES)
def test_a_role_changes_only_within_the_duty_of_the_admin_who_owns_both_roles(
    people: dict[str, User], unit_org: Organization, actor: str, target: str, new_role: str
) -> None:
    victim = people[target]
    before = state(victim)
    audit_rows = AuditEvent.objects.count()
    org = unit_org.pk if new_role == Role.UNIT else victim.organization_id
    response = login(Client(), people[actor]).post(
        reverse("accounts:user_edit", args=[victim.pk]),
        form_data(victim, role=new_role, organization=org),
    )
    allowed = manages(actor, victim.role, target) and manages(actor, new_role)
    if allowed:
        assert response.status_code == 302
        assert state(victim)[1] == new_role
    else:
        assert response.status_code in (200, 403, 404), (actor, target, new_role)
        assert state(victim) == before, (actor, target, new_role)
        assert AuditEvent.objects.count() == audit_rows


def lock(user: User) -> None:
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.0.0.9",
        user_agent="test",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )


@pytest.mark.parametrize("actor", ADMINS)
@pytest.mark.parametrize("target", ["dept", "sysadmin", "auditadmin", "secadmin2"])
def test_only_the_security_admin_unlocks_any_account(
    people: dict[str, User], actor: str, target: str
) -> None:
    client = login(Client(), people[actor])  # first: a login clears its own account's lock
    lock(people[target])
    audit_rows = AuditEvent.objects.count()
    response = client.post(reverse("accounts:security_unlock"), {"username": target})
    still_locked = AccessAttempt.objects.filter(username=target).exists()
    if actor == "secadmin":
        assert response.status_code == 302
        assert not still_locked
    else:
        assert response.status_code == 403
        assert still_locked
        assert AuditEvent.objects.count() == audit_rows


def test_the_system_admin_does_not_even_see_the_admin_accounts(
    system_admin_client: Client, people: dict[str, User]
) -> None:
    page = system_admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "dept" in page
    for name in ("secadmin", "auditadmin"):
        assert f">{name}<" not in page
    assert (
        system_admin_client.get(
            reverse("accounts:user_edit", args=[people["auditadmin"].pk])
        ).status_code
        == 404
    )
    form = system_admin_client.get(reverse("accounts:user_create")).content.decode()
    assert "审计管理员" not in form.split('name="role"')[1].split("</select>")[0]


def test_the_security_admin_lists_only_the_other_admin_accounts(
    security_admin_client: Client, people: dict[str, User]
) -> None:
    page = security_admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "管理员账号" in page
    assert ">auditadmin<" in page
    assert ">sysadmin<" in page
    assert ">dept<" not in page
    assert ">secadmin<" not in page  # itself: its profile page is for that


def test_an_admin_account_created_by_the_security_admin_must_change_its_password_and_bind_2fa(
    security_admin_client: Client, office_org: Organization
) -> None:
    security_admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "auditor2",
            "last_name": "审",
            "organization": office_org.pk,
            "role": Role.AUDIT_ADMIN,
            "is_active": "on",
        },
    )
    user = User.objects.get(username="auditor2")
    assert user.must_change_password
    assert user.requires_two_factor


@pytest.mark.parametrize(
    ("actor", "call"),
    [
        ("sysadmin", lambda by, p: actions.reset_password(by, p["auditadmin"])),
        ("sysadmin", lambda by, p: actions.unlock_account(by, "auditadmin")),
        ("sysadmin", lambda by, p: actions.reset_two_factor(by, p["auditadmin"])),
        ("secadmin", lambda by, p: actions.reset_password(by, p["dept"])),
        ("secadmin", lambda by, p: actions.reset_password(by, p["secadmin"])),
        ("auditadmin", lambda by, p: actions.reset_password(by, p["dept"])),
        (
            "sysadmin",
            lambda by, p: actions.create_user(
                by,
                User(username="x", role=Role.AUDIT_ADMIN, organization=by.organization),
                "Xk9#mPq2zz",
            ),
        ),
    ],
)
def test_every_door_refuses_through_the_actions_too(
    people: dict[str, User], actor: str, call: Any
) -> None:
    before = {u: state(people[u]) for u in TARGETS}
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        call(people[actor], people)
    assert {u: state(people[u]) for u in TARGETS} == before
    assert AuditEvent.objects.count() == audit_rows
    assert not User.objects.filter(username="x").exists()


def test_a_changed_role_sent_behind_the_form_is_refused_by_the_action(
    people: dict[str, User],
) -> None:
    dept = people["dept"]
    before = state(dept)
    dept.role = Role.AUDIT_ADMIN
    with pytest.raises(PermissionDenied, match="安全管理员"):
        actions.update_user(people["sysadmin"], dept, {"role": Role.DEPARTMENT}, dept.version)
    assert state(dept) == before
