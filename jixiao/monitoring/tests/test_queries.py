"""The light matrix, a unit's lights, the report and the board read a fixed number of
queries however many units and targets there are."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.tests import factories as f
from jixiao.core.testing import login, page_text
from jixiao.monitoring import actions
from jixiao.monitoring.tests.conftest import Monitored

pytestmark = pytest.mark.django_db


def _more_units(monitored: Monitored, department: User, office: User, n: int, prefix: str) -> None:
    world = monitored.world
    targets = []
    for i in range(n):
        unit = f.make_org_unit(f"{prefix}{i:03d}", world.category)
        targets.append(actions.set_target(department, world.completion, unit, D(1200)))
        targets.append(actions.set_target(department, world.direct, unit, D(50)))
    actions.transition_plans(department, targets, "submit")
    actions.transition_plans(office, targets, "approve")
    for t in targets[::3]:
        t.refresh_from_db()
        actions.enter_progress(department, t, 9, t.annual / 2)


PAGES = {
    "matrix": lambda y: reverse("monitoring:matrix", args=[y]) + "?month=10",
    "board": lambda y: reverse("monitoring:board", args=[y]) + "?month=10",
    "report": lambda y: reverse("monitoring:report", args=[y, 10]),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_reads_the_same_number_of_queries_for_3_or_30_units(
    page: str,
    monitored: Monitored,
    department: User,
    office: User,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(Client(), office)
    url = PAGES[page](2026)
    _more_units(monitored, department, office, 1, "QA")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _more_units(monitored, department, office, 29, "QB")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(few) <= 25


def test_the_matrix_shows_each_units_lights_worst_first(
    monitored: Monitored, office: User, unit: User
) -> None:
    actions.enter_progress(unit, monitored.target, 10, D(1000))
    text = page_text(login(Client(), office).get(PAGES["matrix"](2026)))
    other, mine = monitored.world.other_unit.name, monitored.world.unit.name
    assert text.index(other) < text.index(mine)  # red (nothing entered) before green
    assert "红灯" in text
    assert "绿灯" in text
