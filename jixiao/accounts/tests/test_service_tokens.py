"""Service tokens: issued by the system admin alone, shown once, stored hashed; a token
acts with its role and organization's permissions and nothing more; refused with 401
(Chinese) once revoked or expired; its writes go through the grid's action and appear in
the audit trail under the token's name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts import policy
from jixiao.accounts.models import ServiceToken, User
from jixiao.accounts.roles import Role
from jixiao.accounts.service_tokens import issue_token, revoke_token
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login, page_text

pytestmark = pytest.mark.django_db
ENTRIES = "/api/v1/collection/entries/"


def _token(admin: User, org: Any, role: str = Role.DEPARTMENT, **kwargs: Any) -> tuple[Any, str]:
    values = {"name": "省财政一体化系统", "days": 30, **kwargs}
    return issue_token(admin, role=role, organization=org, **values)  # type: ignore[arg-type]


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_system_admin_issues_a_token_shown_once_and_stored_hashed(
    system_admin: User, department_org: Any
) -> None:
    client = login(Client(), system_admin)
    response = client.post(
        reverse("accounts:token_list"),
        {
            "name": "省财政一体化系统",
            "role": Role.DEPARTMENT,
            "organization": department_org.pk,
            "days": "90",
            "purpose": "每月推送财政收入数据",
        },
    )
    token = ServiceToken.objects.get()
    key = response.content.decode().split('id="token-key">')[1].split("<")[0]
    assert key.startswith(f"jxt_{token.prefix}_")
    assert key not in str(list(ServiceToken.objects.values_list()))
    assert "令牌只显示这一次" in page_text(response)
    again = page_text(client.get(reverse("accounts:token_list")))
    assert key not in again
    assert "省财政一体化系统 每月推送财政收入数据 数据采集单位" in again
    assert "从未使用 有效" in again
    row = AuditEvent.objects.get(object_type="accounts.servicetoken")
    assert (row.action, row.actor_name, row.after["name"]) == (
        AuditAction.PERMISSION_CHANGE,
        "sysadmin",
        "省财政一体化系统",
    )
    assert key not in str(row.after)


@pytest.mark.parametrize("who", ["security_admin", "audit_admin", "office"])
def test_no_one_else_issues_or_revokes(
    who: str, request: Any, system_admin: User, department_org: Any
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _token(actor, department_org)
    token, _ = _token(system_admin, department_org)
    with pytest.raises(PermissionDenied):
        revoke_token(actor, token, "不用了")
    assert login(Client(), actor).get(reverse("accounts:token_list")).status_code == 403
    assert ServiceToken.objects.get().revoked_at is None


def test_an_admin_role_or_a_mismatched_organization_is_refused(
    system_admin: User, department_org: Any, unit_org: Any
) -> None:
    with pytest.raises(ValueError, match="只能使用"):
        _token(system_admin, department_org, role=Role.SECURITY_ADMIN)
    with pytest.raises(ValueError, match="须属于数据采集单位"):
        _token(system_admin, unit_org)
    with pytest.raises(ValueError, match="有效期"):
        _token(system_admin, department_org, days=400)
    assert not ServiceToken.objects.exists()


def test_a_department_token_sees_its_own_entries_and_not_another_department_s(
    world: World, system_admin: User, department_org: Any
) -> None:
    own = f.make_entry(world.period, world.direct, world.unit)
    foreign = f.make_entry(world.period, world.other, world.unit, status=EntryStatus.PUBLISHED)
    _, key = _token(system_admin, department_org)
    body = _api(key).get(ENTRIES).json()
    assert [e["id"] for e in body["results"]] == [own.pk]
    assert _api(key).get(f"{ENTRIES}{foreign.pk}/").status_code == 404
    assert _api(key).get("/api/v1/org/organizations/").json()["count"] == 1  # its own only


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "malformed"])
def test_a_revoked_expired_or_unknown_token_is_refused_with_401_in_chinese(
    world: World, system_admin: User, department_org: Any, state: str
) -> None:
    token, key = _token(system_admin, department_org)
    if state == "revoked":
        revoke_token(system_admin, token, "对方系统下线")
    elif state == "expired":
        ServiceToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    elif state == "unknown":
        key = key[:-4] + "AAAA"
    else:
        key = "不是令牌"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}".encode().decode("latin-1")).get(ENTRIES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    expected = {"revoked": "已被吊销", "expired": "已过期", "unknown": "无效", "malformed": "无效"}
    assert expected[state] in response.json()["detail"]


def test_without_a_token_an_anonymous_caller_still_gets_403(db: None) -> None:
    assert Client().get(ENTRIES).status_code == 403


def test_use_is_recorded_and_revoking_is_audited(
    world: World, system_admin: User, department_org: Any
) -> None:
    token, key = _token(system_admin, department_org)
    _api(key).get(ENTRIES, REMOTE_ADDR="10.1.2.3")
    token.refresh_from_db()
    assert token.last_used_ip == "10.1.2.3"
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)  # type: ignore[operator]
    revoke_token(system_admin, token, "对方系统下线")
    row = AuditEvent.objects.filter(object_type="accounts.servicetoken").latest("pk")
    assert (row.reason, row.after) == ("对方系统下线", {"status": "revoked"})
    assert not User.objects.get(pk=token.account_id).is_active


def test_the_token_s_account_cannot_log_in_and_no_admin_manages_it(
    system_admin: User, department_org: Any
) -> None:
    token, key = _token(system_admin, department_org)
    assert not token.account.has_usable_password()
    assert not token.account.check_password(key)
    assert token.account not in policy.managed_users(system_admin)


def test_a_token_saves_values_through_the_grid_action_and_the_audit_names_it(
    world: World, system_admin: User, department_org: Any
) -> None:
    _, key = _token(system_admin, department_org)
    url = reverse("api_entry_values", args=[world.period.pk])
    row = {"indicator": world.direct.pk, "unit": world.unit.pk, "value": "８", "reason": "依台账"}
    response = _api(key).post(url, {"rows": [row]}, content_type="application/json")
    assert response.status_code == 200, response.content
    saved = response.json()["saved"][0]
    assert (saved["value"], saved["status"]) == ("8.0000", EntryStatus.DRAFT)
    entry = Entry.objects.get(pk=saved["id"])
    audit = AuditEvent.objects.for_object(entry).get()
    assert "省财政一体化系统" in audit.actor_name
    assert audit.organization_name == department_org.name
    # Then the grid's workflow: submit for review, with the version read.
    transition = reverse("api_entry_transition", args=[entry.pk])
    body = {"action": "submit", "version": saved["version"]}
    response = _api(key).post(transition, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.SUBMITTED


def test_a_refused_value_saves_nothing_and_says_why(
    world: World, system_admin: User, department_org: Any
) -> None:
    _, key = _token(system_admin, department_org)
    url = reverse("api_entry_values", args=[world.period.pk])
    rows = [
        {"indicator": world.direct.pk, "unit": world.unit.pk, "value": "8"},
        {"indicator": world.direct.pk, "unit": world.other_unit.pk, "value": "八点五"},
    ]
    response = _api(key).post(url, {"rows": rows}, content_type="application/json")
    assert response.status_code == 400
    assert "全部未保存" in response.json()["detail"]
    assert not Entry.objects.exists()


def test_a_department_token_cannot_write_another_department_s_indicator(
    world: World, system_admin: User, department_org: Any
) -> None:
    _, key = _token(system_admin, department_org)
    url = reverse("api_entry_values", args=[world.period.pk])
    rows = [
        {"indicator": world.direct.pk, "unit": world.unit.pk, "value": "8"},
        {"indicator": world.other.pk, "unit": world.unit.pk, "value": "9"},
    ]
    response = _api(key).post(url, {"rows": rows}, content_type="application/json")
    assert response.status_code == 404
    assert "没有这项指标" in response.json()["detail"]
    assert not Entry.objects.exists()


def test_a_unit_token_reads_but_cannot_write_values(
    world: World, system_admin: User, unit_org: Any
) -> None:
    _, key = _token(system_admin, unit_org, role=Role.UNIT, name="街道办公系统")
    url = reverse("api_entry_values", args=[world.period.pk])
    rows = [{"indicator": world.direct.pk, "unit": world.unit.pk, "value": "8"}]
    assert _api(key).get(ENTRIES).status_code == 200
    assert _api(key).post(url, {"rows": rows}, content_type="application/json").status_code == 403
    assert not Entry.objects.exists()


def test_the_openapi_schema_describes_the_token_scheme(department: User) -> None:
    schema = (
        login(Client(), department)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    scheme = schema["components"]["securitySchemes"]["serviceToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    values = schema["paths"]["/api/v1/collection/periods/{id}/values/"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(values["responses"])


def test_the_audit_log_reads_a_token_s_issue_in_words(
    system_admin: User, department_org: Any
) -> None:
    from jixiao.audit.render import changes_text, render

    _token(system_admin, department_org)
    line = render(AuditEvent.objects.filter(object_type="accounts.servicetoken"))[0]
    shown = changes_text(line)
    assert line.object_type == "服务令牌"
    assert "角色：数据采集单位" in shown or "数据采集单位" in shown
    assert department_org.name in shown
    assert "department" not in shown
