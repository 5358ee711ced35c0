"""The task API: scoped like the pages, one transition with a version, Chinese refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.supervision.models import TaskState
from jixiao.supervision.tests.factories import in_state

pytestmark = pytest.mark.django_db


def test_a_unit_lists_its_tasks_and_accepts_one_by_the_api(
    supervision: User, unit: User, other_unit: User, unit_org: Organization
) -> None:
    task = in_state(TaskState.ASSIGNED, unit_org, supervision)
    client = login(Client(), unit)
    listed = client.get("/api/v1/supervision/tasks/?year=2026").json()
    assert [t["id"] for t in listed["results"]] == [task.pk]
    detail = client.get(f"/api/v1/supervision/tasks/{task.pk}/").json()
    assert detail["actions"] == ["accept"]
    assert detail["state_label"] == "交办"
    url = f"/api/v1/supervision/tasks/{task.pk}/transition/"
    stale = client.post(url, {"action": "accept", "version": 9}, content_type="application/json")
    assert stale.status_code == 409
    moved = client.post(url, {"action": "accept", "version": 1}, content_type="application/json")
    assert moved.json()["state"] == TaskState.ACCEPTED
    refused = client.post(url, {"action": "close", "version": 2}, content_type="application/json")
    assert refused.status_code == 400
    assert "不能执行“销号”" in refused.json()["detail"]
    other = login(Client(), other_unit)
    assert other.get(f"/api/v1/supervision/tasks/{task.pk}/").status_code == 404
    assert other.get("/api/v1/supervision/tasks/?year=x").status_code == 400
