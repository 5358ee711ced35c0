"""A NUL or other control character typed into a search box or a reason gets a Chinese
refusal and changes nothing (PostgreSQL cannot store or compare NUL: it used to be a 500)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RunStatus
from jixiao.scoring.tests.factories import zhangjiagang_world

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_search_box_is_refused_in_chinese(audit_admin: User, office: User) -> None:
    response = login(Client(), audit_admin).get(reverse("audit:log"), {"q": "张\x00"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    response = login(Client(), office).get(reverse("org:organization_list"), {"q": "\x00"})
    assert response.status_code == 400


def test_a_nul_in_an_api_query_is_a_refusal_with_a_detail(office: User) -> None:
    response = login(Client(), office).get(reverse("api_entry_list"), {"status": "\x00"})
    assert response.status_code == 400
    assert "控制字符" in response.json()["detail"]


def test_a_nul_in_a_publishing_reason_is_refused_and_nothing_is_published(
    department_org: Organization, office: User
) -> None:
    world = zhangjiagang_world(department=department_org)
    run = actions.compute_run(world.year, user=office)
    response = login(Client(), office).post(
        reverse("scoring:publish", args=[run.pk]), {"audience": "leaders", "reason": "发\x00布"}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert any("控制字符" in m for m in messages)


def test_a_nul_in_an_account_change_reason_is_refused_and_nothing_changes(
    system_admin_client: Client, department: User
) -> None:
    before = department.last_name
    response = system_admin_client.post(
        reverse("accounts:user_edit", args=[department.pk]),
        {
            "last_name": "新名字",
            "first_name": department.first_name,
            "role": department.role,
            "organization": department.organization_id or "",
            "is_active": "on",
            "version": department.version,
            "reason": "更\x00正",
        },
    )
    assert response.status_code == 200
    assert "控制字符" in response.content.decode()
    department.refresh_from_db()
    assert department.last_name == before


def test_a_nul_that_reaches_postgresql_is_a_chinese_refusal_not_a_crash(rf: Any) -> None:
    """The net under views that read a field raw: psycopg's refusal becomes a 400."""
    from jixiao.core.middleware import RefuseNulMiddleware

    middleware = RefuseNulMiddleware(lambda request: HttpResponse())
    request = rf.post("/evaluation/rounds/1/reopen/", {"reason": "x"})
    refusal = middleware.process_exception(
        request, ValueError("A string literal cannot contain NUL (0x00) characters.")
    )
    assert refusal is not None
    assert refusal.status_code == 400
    assert "控制字符" in refusal.content.decode()
    assert middleware.process_exception(request, ValueError("other")) is None
