"""Integer parameters are parsed strictly everywhere: a Unicode digit, a word or a number
past BIGINT in a year, period, indicator, category, parent or id is a 404 or a Chinese
400, never a 500; the API never returns more than one capped page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import Entry
from jixiao.core.api import MAX_PAGE_SIZE
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import World, publish, zhangjiagang_world

pytestmark = pytest.mark.django_db

BAD = ["²", "٣", "１２", "abc", "1" * 30, "-1", "1.0", "9223372036854775808"]


@pytest.fixture
def world(department_org: Organization, unit_org: Organization) -> World:
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    w.entry(unit_org.code, "1.1.1", 95, 100)
    return w


@pytest.fixture
def run(world: World, office: User) -> ScoreRun:
    run = actions.compute_run(world.year, user=office)
    return publish(run, user=office, audience=RankingsAudience.LEADERS)


def _pages(world: World, run: ScoreRun) -> list[tuple[str, str, str]]:
    """(persona, url, parameter) for every page that reads an integer parameter."""
    scheme, period = world.scheme.pk, world.period.pk
    return [
        ("office", reverse("scoring:index"), "year"),
        ("office", reverse("scoring:rules"), "year"),
        ("office", reverse("org:organization_list"), "year"),
        ("office", reverse("scheme:indicator_create", args=[scheme]), "parent"),
        ("office", reverse("scheme:indicator_create", args=[scheme]), "after"),
        ("office", reverse("scheme:scheme_diff", args=[scheme]), "base"),
        ("office", reverse("collection:review_queue"), "period"),
        ("office", reverse("collection:review_queue"), "department"),
        ("dept", reverse("collection:workspace", args=[period]), "indicator"),
        ("dept", reverse("collection:recheck_queue"), "period"),
        ("office", reverse("api_entry_list"), "period"),
        ("office", reverse("api_entry_list"), "indicator"),
    ]


@pytest.mark.parametrize("bad", BAD)
def test_a_malformed_integer_in_a_query_is_not_found_or_refused_never_a_crash(
    world: World, run: ScoreRun, personas: dict[str, User], bad: str
) -> None:
    clients = {name: login(Client(), personas[name]) for name in ("office", "dept")}
    for persona, url, name in _pages(world, run):
        response = clients[persona].get(url, {name: bad})
        assert response.status_code in (200, 400, 404), (url, name, response.status_code)
        if response.status_code == 400:
            assert "整数" in response.content.decode(), url


@pytest.mark.parametrize("bad", BAD)
def test_a_malformed_integer_in_a_form_is_not_found_or_ignored(
    world: World, run: ScoreRun, office: User, bad: str
) -> None:
    client = login(Client(), office)
    assert client.post(reverse("scoring:compute"), {"year": bad}).status_code == 404
    # The batch PDF is a long job: a malformed category is not found, never a crash.
    response = client.post(reverse("scoring:cards_pdf", args=[run.pk]), {"category": bad})
    assert response.status_code == 404
    response = client.post(reverse("scoring:audience", args=[run.pk]), {"version": bad})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.rankings_audience == RankingsAudience.LEADERS
    response = client.post(reverse("collection:bulk_action"), {"action": "approve", "entry": [bad]})
    assert response.status_code in (302, 400, 404)
    assert not Entry.objects.exclude(status="approved").exists()


@pytest.mark.parametrize("limit", [str(2**63), str(2**63 - 1), "1001", "²"])
def test_an_api_page_never_holds_more_than_the_cap(world: World, office: User, limit: str) -> None:
    response = login(Client(), office).get(reverse("api_entry_list"), {"limit": limit})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= MAX_PAGE_SIZE


def test_the_page_size_is_capped() -> None:
    from jixiao.core.api import Pagination

    class Query:
        query_params: dict[str, Any] = {"limit": str(2**63)}

    assert Pagination().get_limit(Query()) == MAX_PAGE_SIZE  # type: ignore[arg-type]


def test_an_api_path_no_route_takes_is_a_json_not_found(office: User) -> None:
    client = login(Client(), office)
    for path in ("/api/v1/collection/entries/-1/", "/api/v1/nothing/", "/api/v1/scoring/runs/x/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


def test_every_api_refusal_carries_a_chinese_detail(office: User) -> None:
    response = login(Client(), office).get(reverse("api_entry_list"), {"period": "²"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "period：请填写整数编号。"
    assert body["fields"] == {"period": "请填写整数编号。"}


def test_an_id_past_bigint_in_a_path_is_not_found(office: User) -> None:
    client = login(Client(), office)
    big = "9" * 25
    for path in (
        f"/api/v1/org/organizations/{big}/",
        f"/api/v1/collection/entries/{big}/",
        f"/api/v1/scoring/runs/{big}/results/",
        f"/scoring/runs/{big}/",
        f"/collection/entries/{big}/",
        f"/scheme/{big}/",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("bad", ["²", "٣", "abc", str(2**70)])
def test_the_newer_pages_take_malformed_integers_without_a_crash(
    world: World, run: ScoreRun, office: User, bad: str
) -> None:
    client = login(Client(), office)
    assert client.get(reverse("verification:results"), {"period": bad}).status_code == 200
    compare = client.get(reverse("scoring:compare", args=[run.pk]), {"with": bad})
    assert compare.status_code in (200, 404)
    review = client.post(reverse("evaluation:quarantine_review"), {"ids": [bad], "do": "count"})
    assert review.status_code in (200, 302)
