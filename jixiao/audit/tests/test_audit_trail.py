from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import record, record_update, snapshot
from jixiao.org.models import Organization


@pytest.fixture
def event(office: User) -> AuditEvent:
    with acting_as(office, "10.0.0.1"):
        return record(AuditAction.CREATE, office, after={"x": 1}, reason="测试")


def test_a_record_carries_who_when_where_what_and_why(event: AuditEvent, office: User) -> None:
    assert event.actor == office
    assert event.actor_name == "office"
    assert event.organization_name == office.organization.name
    assert event.ip_address == "10.0.0.1"
    assert event.object_type == "accounts.user"
    assert event.after == {"x": 1}
    assert event.reason == "测试"


def test_an_update_records_only_the_values_that_changed(unit_org: Organization) -> None:
    before = snapshot(unit_org, ["name", "phone", "contact"])
    unit_org.phone = "020-1234"
    unit_org.save()
    event = record_update(unit_org, before, reason="更正电话")
    assert event.before == {"phone": ""}
    assert event.after == {"phone": "020-1234"}


def test_audit_rows_refuse_changes_through_the_orm(event: AuditEvent) -> None:
    event.reason = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="篡改")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
    ids=["update", "delete", "truncate"],
)
def test_postgres_rejects_rewriting_the_audit_table_in_sql(
    event: AuditEvent, statement: str
) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jixiao.allow_audit_truncate = 'off'")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    assert AuditEvent.objects.filter(pk=event.pk, reason="测试").exists()


def test_only_the_audit_admin_reads_the_log(personas: dict[str, User], event: AuditEvent) -> None:
    from jixiao.core.testing import login

    for name, user in personas.items():
        status = login(Client(), user).get(reverse("audit:log")).status_code
        assert status == (200 if name == "auditadmin" else 403), name


def test_the_audit_admin_filters_by_action_and_actor(
    audit_admin_client: Client, event: AuditEvent
) -> None:
    page = audit_admin_client.get(
        reverse("audit:log"), {"action": "create", "actor": "office"}
    ).content.decode()
    assert "测试" in page
    page = audit_admin_client.get(reverse("audit:log"), {"action": "delete"}).content.decode()
    assert "测试" not in page


def test_the_export_is_csv_with_formulas_neutralised(
    audit_admin_client: Client, office: User
) -> None:
    with acting_as(office):
        record(AuditAction.UPDATE, office, reason='=HYPERLINK("http://x")')
    response = audit_admin_client.get(reverse("audit:export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert body.splitlines()[0].startswith("时间,操作人")
    assert "'=HYPERLINK" in body
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
