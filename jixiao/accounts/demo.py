"""Demo accounts: one login for each role, all with the same demo password.

Accounts that need a second factor get an authenticator with a key derived from the
username, so `manage.py demo_totp` can print the current code on a demo machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.actions import create_user
from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.context import acting_as
from jixiao.org.models import Organization

DEMO_PASSWORD = "Jixiao#2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    last_name: str
    first_name: str
    org_code: str
    role: str
    is_org_leader: bool = False


DEMO_LOGINS = [
    DemoLogin("office", "张", "明", "JXB", Role.OFFICE),
    DemoLogin("fgj", "李", "娜", "FGJ", Role.DEPARTMENT),
    DemoLogin("fgj_leader", "王", "建国", "FGJ", Role.DEPARTMENT, is_org_leader=True),
    DemoLogin("donghu", "陈", "静", "JD01", Role.UNIT),
    DemoLogin("jyj_unit", "刘", "洋", "JYJ", Role.UNIT),
    DemoLogin("reviewer", "赵", "敏", "TYJCY", Role.REVIEWER),
    DemoLogin("inspector", "孙", "强", "CFHY", Role.INSPECTOR),
    DemoLogin("supervision", "周", "华", "DCS", Role.SUPERVISION),
    DemoLogin("leader", "吴", "国强", "QLD", Role.LEADER),
    DemoLogin("observer", "钱", "文", "GCY", Role.OBSERVER),
    DemoLogin("observer2", "蒋", "涛", "GCY", Role.OBSERVER),
    DemoLogin("sysadmin", "郑", "伟", "JXB", Role.SYSTEM_ADMIN),
    DemoLogin("secadmin", "冯", "丽", "JXB", Role.SECURITY_ADMIN),
    DemoLogin("auditadmin", "何", "平", "JXB", Role.AUDIT_ADMIN),
]


def demo_totp_key(username: str) -> str:
    return hashlib.sha256(f"jixiao-demo-totp:{username}".encode()).hexdigest()[:40]


def build() -> list[User]:
    users = []
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            user = User(username=login.username)
            user.set_password(DEMO_PASSWORD)
        user.last_name, user.first_name = login.last_name, login.first_name
        user.organization = Organization.objects.get(code=login.org_code)
        user.role = login.role
        user.is_org_leader = login.is_org_leader
        user.must_change_password = False
        user.password_changed_at = user.password_changed_at or timezone.now()
        user.save()
        if user.requires_two_factor:
            TOTPDevice.objects.update_or_create(
                user=user,
                name="demo",
                defaults={"key": demo_totp_key(user.username), "confirmed": True},
            )
        users.append(user)
    users += build_department_accounts()
    return users


def build_department_accounts() -> list[User]:
    """Every data-collection department gets a clerk (填报员) and a leader (负责人), so a
    reminder (催办) and the leader's second confirmation always reach someone. Created
    the way the system admin creates accounts, through `create_user` (audited, first
    login must change the password); the printed logins above stay the ones to try."""
    admin = User.objects.get(username="sysadmin")
    created = []
    with acting_as(admin):
        for department in Organization.objects.departments():
            staff = User.objects.filter(organization=department, role=Role.DEPARTMENT)
            for suffix, title, leader in (("", "填报员", False), ("_leader", "负责人", True)):
                username = f"{department.code.lower()}{suffix}"
                if staff.filter(is_org_leader=leader).exists() or (
                    User.objects.filter(username=username).exists()
                ):
                    continue
                user = User(
                    username=username,
                    last_name=department.short_name or department.name,
                    first_name=title,
                    organization=department,
                    role=Role.DEPARTMENT,
                    is_org_leader=leader,
                )
                created.append(
                    create_user(
                        admin, user, DEMO_PASSWORD, reason="演示数据：为数据采集单位开通账号"
                    )
                )
    return created
