"""Versions read honestly: a computed run overtaken by a later one says so, and the
office can compare any two versions of a year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import Entry
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, RunStatus, ScoreRun
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
    w.entry(unit_org.code, "1.1.1", 95, 100)
    w.entry(other_unit_org.code, "1.1.1", 50, 100)
    return w


@pytest.fixture
def three_versions(world: World, office: User, other_unit_org: Organization) -> list[ScoreRun]:
    first = publish(
        actions.compute_run(world.year, user=office), user=office, audience=RankingsAudience.LEADERS
    )
    Entry.objects.filter(unit=other_unit_org).update(value=Decimal(100))
    second = actions.compute_run(world.year, user=office)
    third = actions.compute_run(world.year, user=office)
    return [first, second, third]


def test_a_computed_run_overtaken_by_a_later_one_reads_superseded(
    three_versions: list[ScoreRun], office_client: Client
) -> None:
    _first, second, third = three_versions
    assert ScoreRun.objects.get(pk=second.pk).status == RunStatus.COMPUTED  # no row changes
    page = office_client.get(reverse("scoring:index")).content.decode()
    assert "已被取代（第 3 版）" in page
    detail = office_client.get(reverse("scoring:run", args=[second.pk])).content.decode()
    assert "已被取代（第 3 版）" in detail
    newest = office_client.get(reverse("scoring:run", args=[third.pk])).content.decode()
    assert "已计算（未发布）" in newest


def test_the_office_compares_any_two_versions(
    three_versions: list[ScoreRun], office_client: Client, other_unit_org: Organization
) -> None:
    first, _second, third = three_versions
    url = reverse("scoring:compare", args=[third.pk])
    against_second = office_client.get(url).context["diff"]  # the version just before
    assert against_second == []
    against_first = office_client.get(url, {"with": first.pk}).context["diff"]
    moved = {d.unit_name: d for d in against_first}
    assert moved[other_unit_org.name].total_change > 0
    page = office_client.get(url, {"with": first.pk}).content.decode()
    assert "第 1 版 → 第 3 版" in page


def test_only_the_office_compares_versions(
    three_versions: list[ScoreRun], personas: dict[str, User]
) -> None:
    url = reverse("scoring:compare", args=[three_versions[0].pk])
    for name, user in personas.items():
        expected = 200 if name == "office" else 403
        assert login(Client(), user).get(url).status_code == expected, name


def test_a_run_of_another_year_cannot_be_compared(
    three_versions: list[ScoreRun], office_client: Client
) -> None:
    url = reverse("scoring:compare", args=[three_versions[2].pk])
    assert office_client.get(url, {"with": 999999}).status_code == 404


def test_rank_moves_show_their_number_both_ways() -> None:
    assert "↑6" in render_to_string("includes/rank_move.html", {"n": 6})
    assert "↓3" in render_to_string("includes/rank_move.html", {"n": -3})
    assert render_to_string("includes/rank_move.html", {"n": 0}).strip() == ""


def test_publishing_notifies_the_units_and_leaders_but_not_the_publisher(
    world: World, personas: dict[str, User], office: User, unit_org: Organization
) -> None:
    from jixiao.collection.models import Notification

    run = actions.compute_run(world.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    notes = {n.recipient.username: n for n in Notification.objects.select_related("recipient")}
    unit_user = personas["unit"]
    assert unit_user.organization_id == unit_org.pk
    assert set(notes) >= {unit_user.username, personas["leader"].username}
    assert office.username not in notes
    assert personas["dept"].username not in notes
    assert (
        notes[unit_user.username].text
        == f"{world.year.name}考核结果已发布（第 1 版），请查看本单位成绩单。"
    )
    card = Client()
    login(card, unit_user)
    assert card.get(notes[unit_user.username].link).status_code == 302  # to the unit's own card


def test_a_republication_says_which_version_it_replaces(
    world: World, office: User, personas: dict[str, User]
) -> None:
    from jixiao.collection.models import Notification

    for _ in range(2):
        run = actions.compute_run(world.year, user=office)
        publish(run, user=office, audience=RankingsAudience.LEADERS)
    assert Notification.objects.filter(text__contains="第 2 版，取代第 1 版").exists()
