"""The results API: a run the caller may not see is not found (not an empty list), and a
visible run's rows are scoped like the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import World, publish, zhangjiagang_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    department_org: Organization, unit_org: Organization, other_unit_org: Organization
) -> World:
    w = zhangjiagang_world(department=department_org)
    for org in (unit_org, other_unit_org):
        w.units[org.code] = org
        w.unit(org.code, "JG", staffing=30)
        w.entry(org.code, "1.1.1", 80, 100)
    return w


@pytest.fixture
def computed(world: World, office: User) -> ScoreRun:
    return actions.compute_run(world.year, user=office)


def _results(user: User, run_pk: int) -> tuple[int, list[str]]:
    response = login(Client(), user).get(reverse("api_run_results", args=[run_pk]))
    if response.status_code != 200:
        return response.status_code, []
    return 200, [row["unit"] for row in response.json()["results"]]


@pytest.mark.parametrize("persona", ["leader", "unit"])
def test_an_unpublished_runs_results_are_not_found_for_those_who_may_not_see_it(
    computed: ScoreRun, personas: dict[str, User], persona: str
) -> None:
    assert _results(personas[persona], computed.pk) == (404, [])


def test_the_office_reads_an_unpublished_run(computed: ScoreRun, office: User) -> None:
    status, units = _results(office, computed.pk)
    assert status == 200
    assert len(units) == computed.unit_count


def test_a_run_that_does_not_exist_is_not_found(computed: ScoreRun, office: User) -> None:
    assert _results(office, computed.pk + 1000)[0] == 404


def test_a_published_run_shows_a_unit_only_its_own_row(
    computed: ScoreRun, office: User, leader: User, unit: User, unit_org: Organization
) -> None:
    publish(computed, user=office, audience=RankingsAudience.LEADERS)
    assert _results(unit, computed.pk) == (200, [unit_org.code])
    status, units = _results(leader, computed.pk)
    assert (status, len(units)) == (200, computed.unit_count)


@pytest.mark.parametrize("persona", ["dept", "reviewer", "sysadmin", "auditadmin"])
def test_other_roles_are_refused(
    computed: ScoreRun, personas: dict[str, User], persona: str
) -> None:
    assert _results(personas[persona], computed.pk)[0] == 403
