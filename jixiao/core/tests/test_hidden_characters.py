"""A NUL or other control character typed into a search box or a reason gets a Chinese
refusal and changes nothing (PostgreSQL cannot store or compare NUL: it used to be a 500)."""

from __future__ import annotations

import pytest
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
