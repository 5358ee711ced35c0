"""The application's database role cannot unguard or rewrite the audit trail.

The trigger of migration audit/0002 rejects UPDATE, DELETE and TRUNCATE, but the table's
owner can disable it. Production therefore connects as a role that does not own the
table, granted by `manage.py grant_app_role` (docs/deployment.md). Here a NOLOGIN role
gets exactly those grants and the test acts as it with SET ROLE, inside the test's
transaction, so the role vanishes with the rollback.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import record

postgres = pytest.mark.postgres


@pytest.fixture
def as_app_role(office: User) -> Iterator[str]:
    role = f"jixiao_app_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_app_role", role)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@pytest.fixture
def event(office: User) -> AuditEvent:
    return record(AuditAction.CREATE, office, after={"x": 1}, reason="原始记录")


def refused(statement: str) -> str:
    """Run a statement as the current role; return PostgreSQL's refusal."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    return str(error.value)


@postgres
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_delete",
        "DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent",
        "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
        "DROP TABLE audit_auditevent",
    ],
    ids=["disable-all", "disable-one", "drop-trigger", "take-ownership", "drop-table"],
)
def test_the_app_role_cannot_unguard_the_audit_table(
    event: AuditEvent, as_app_role: str, statement: str
) -> None:
    assert "must be owner" in refused(statement)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
            "AND NOT tgisinternal AND tgenabled = 'O'"
        )
        assert cursor.fetchone()[0] == 2


@postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = '篡改'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
    ids=["update", "delete", "truncate"],
)
def test_the_app_role_cannot_rewrite_audit_rows_even_with_the_maintenance_switch(
    event: AuditEvent, as_app_role: str, statement: str
) -> None:
    # Any role may set the switch the test runner uses to empty its throwaway database;
    # the missing privilege, checked before any trigger runs, is what stops the app.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jixiao.allow_audit_truncate = 'on'")
    assert "permission denied" in refused(statement)
    assert AuditEvent.objects.filter(pk=event.pk, reason="原始记录").exists()


@postgres
def test_the_app_role_still_appends_and_reads_audit_rows_and_works_on_other_tables(
    office: User, as_app_role: str
) -> None:
    appended = record(AuditAction.UPDATE, office, reason="应用角色写入")
    assert AuditEvent.objects.filter(pk=appended.pk, reason="应用角色写入").exists()
    User.objects.filter(pk=office.pk).update(phone="020-1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == as_app_role


@postgres
def test_the_command_refuses_to_grant_the_owner_itself(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="所有者"):
        call_command("grant_app_role", owner)


@pytest.mark.parametrize("name", ["Robert'; DROP TABLE x", "JIXIAO", "a-b"])
def test_the_command_accepts_only_plain_role_names(db: None, name: str) -> None:
    with pytest.raises(CommandError, match="小写字母"):
        call_command("grant_app_role", name)
