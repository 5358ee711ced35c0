"""The task list and the bulletin read a bounded number of rows and queries, whatever
the number of tasks (timing goals are in bench/bench_supervision.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.supervision import bulletin, cards
from jixiao.supervision.models import TaskState
from jixiao.supervision.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _tasks(n: int, unit: Organization, other: Organization, creator: User) -> None:
    states = [TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.CLOSED, TaskState.ASSIGNED]
    for i in range(n):
        TaskFactory.create(
            lead_unit=unit if i % 2 else other,
            created_by=creator,
            state=states[i % 4],
            deadline=date(2026, 3, 1) + timedelta(days=i),
            assigned_on=date(2026, 2, 1),
            accepted_on=date(2026, 2, 2),
        )


@pytest.mark.parametrize("n", [5, 60])
def test_the_task_list_queries_do_not_grow_with_the_tasks(
    n: int,
    supervision: User,
    unit: User,
    unit_org: Organization,
    other_unit_org: Organization,
    django_assert_max_num_queries: Any,
) -> None:
    _tasks(n, unit_org, other_unit_org, supervision)
    cards.run(date(2026, 4, 1))
    client = login(Client(), supervision)
    url = reverse("supervision:index")
    for query in ("", "?year=2026&state=in_progress", "?year=2026&overdue=1&page=2", "?q=督办"):
        client.get(url + query)  # warm the session and caches
        with django_assert_max_num_queries(14):
            assert client.get(url + query).status_code == 200
    unit_client = login(Client(), unit)
    with django_assert_max_num_queries(14):
        assert unit_client.get(url + "?year=2026").status_code == 200


@pytest.mark.parametrize("n", [5, 60])
def test_the_bulletin_figures_take_a_fixed_number_of_queries(
    n: int,
    supervision: User,
    unit_org: Organization,
    other_unit_org: Organization,
    django_assert_max_num_queries: Any,
) -> None:
    _tasks(n, unit_org, other_unit_org, supervision)
    cards.run(date(2026, 4, 1))
    with django_assert_max_num_queries(12):
        f = bulletin.figures(2026, 3, date(2026, 3, 31))
    assert f["total"] == n
    assert sum(u["tasks"] for u in f["units"]) == n
