from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import SecurityPolicy, User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.org.models import Organization


def test_the_system_admin_creates_an_account_with_a_one_time_password(
    system_admin_client: Client, department_org: Organization
) -> None:
    response = system_admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "newdept",
            "last_name": "钱",
            "first_name": "多",
            "organization": department_org.pk,
            "role": Role.DEPARTMENT,
            "is_active": "on",
        },
        follow=True,
    )
    assert "初始密码" in response.content.decode()
    user = User.objects.get(username="newdept")
    assert user.must_change_password
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_CHANGE, object_id=str(user.pk))
    assert event.after["role"] == Role.DEPARTMENT


def test_a_role_change_is_audited_with_before_after_and_reason(
    system_admin_client: Client, department: User, other_department_org: Organization
) -> None:
    system_admin_client.post(
        reverse("accounts:user_edit", args=[department.pk]),
        {
            "last_name": "dept",
            "first_name": "",
            "organization": other_department_org.pk,
            "role": Role.DEPARTMENT,
            "is_active": "on",
            "reason": "调岗",
            "version": department.version,
        },
    )
    event = AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, object_id=str(department.pk)
    ).latest("at")
    assert event.before["organization_id"] != event.after["organization_id"]
    assert event.reason == "调岗"


def test_an_account_change_needs_a_reason(system_admin_client: Client, department: User) -> None:
    response = system_admin_client.post(
        reverse("accounts:user_edit", args=[department.pk]),
        {
            "last_name": "x",
            "organization": department.organization_id,
            "role": Role.UNIT,
            "is_active": "on",
        },
    )
    assert "请填写变更原因" in response.content.decode()
    department.refresh_from_db()
    assert department.role == Role.DEPARTMENT


def test_a_department_role_needs_a_department_organization(
    system_admin_client: Client, unit_org: Organization
) -> None:
    response = system_admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "bad",
            "organization": unit_org.pk,
            "role": Role.DEPARTMENT,
            "is_active": "on",
        },
    )
    assert "只能属于数据采集单位" in response.content.decode()
    assert not User.objects.filter(username="bad").exists()


def test_there_is_no_superuser(db: None, office_org: Organization) -> None:
    with pytest.raises(NotImplementedError):
        User.objects.create_superuser("root", "r@x", "Xk9#mPq2")
    with pytest.raises(IntegrityError):
        User.objects.create(
            username="root", organization=office_org, role=Role.SYSTEM_ADMIN, is_superuser=True
        )


def test_an_account_holds_exactly_one_of_the_three_admin_duties(system_admin: User) -> None:
    # One role column: holding two admin duties is not representable.
    field = User._meta.get_field("role")
    assert not field.many_to_many
    assert not field.null
    assert system_admin.is_admin_role
    assert system_admin.role == Role.SYSTEM_ADMIN


def test_the_security_policy_cannot_be_weakened_below_mlps(security_admin_client: Client) -> None:
    policy = SecurityPolicy.load()
    response = security_admin_client.post(
        reverse("accounts:security_settings"),
        {
            "min_password_length": 6,
            "password_max_age_days": 180,
            "lockout_failures": 10,
            "lockout_minutes": 5,
            "session_idle_minutes": 120,
            "version": policy.version,
        },
    )
    assert response.status_code == 200
    policy.refresh_from_db()
    assert (policy.min_password_length, policy.password_max_age_days) == (8, 90)


def test_a_policy_edited_by_two_admins_at_once_reports_a_conflict(
    security_admin_client: Client,
) -> None:
    policy = SecurityPolicy.load()
    data = {
        "min_password_length": 10,
        "password_max_age_days": 60,
        "lockout_failures": 5,
        "lockout_minutes": 30,
        "session_idle_minutes": 30,
        "version": policy.version,
    }
    assert (
        security_admin_client.post(reverse("accounts:security_settings"), data).status_code == 302
    )
    data["min_password_length"] = 12
    response = security_admin_client.post(reverse("accounts:security_settings"), data)
    assert "已被他人修改" in response.content.decode()
    policy.refresh_from_db()
    assert policy.min_password_length == 10
