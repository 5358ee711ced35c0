"""The demo district gives every data-collection department someone to remind."""

from __future__ import annotations

from jixiao.accounts import demo as accounts_demo
from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.org import demo as org_demo
from jixiao.org.models import Organization


def test_every_demo_department_has_a_clerk_and_a_leader(db: None) -> None:
    org_demo.build()
    accounts_demo.build()
    for department in Organization.objects.departments():
        staff = User.objects.filter(organization=department, role=Role.DEPARTMENT, is_active=True)
        assert staff.filter(is_org_leader=False).exists(), department.name
        assert staff.filter(is_org_leader=True).exists(), department.name


def test_the_department_accounts_are_opened_by_the_system_admin_and_audited(db: None) -> None:
    org_demo.build()
    accounts_demo.build()
    clerk = User.objects.get(username="jyj")
    assert (clerk.display_name, clerk.must_change_password) == (
        f"{clerk.organization.short_name or clerk.organization.name}填报员",
        True,
    )
    row = AuditEvent.objects.for_object(clerk).get()
    assert (row.action, row.actor_name) == (AuditAction.PERMISSION_CHANGE, "sysadmin")


def test_building_the_accounts_again_adds_nobody(db: None) -> None:
    org_demo.build()
    accounts_demo.build()
    count = User.objects.count()
    accounts_demo.build()
    assert User.objects.count() == count
