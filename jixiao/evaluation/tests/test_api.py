"""The evaluation API: rounds and aggregates for the office and leaders, satisfaction
indices scoped like the dashboard, and a reviewer's own ballots through the page's
actions (409 on a stale version or a ballot already cast)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.evaluation import actions, intake, satisfaction
from jixiao.evaluation.models import Ballot, Reviewer
from jixiao.evaluation.tests.factories import Setup, ballot_post, make_setup, reviewer_account
from jixiao.org.models import Organization

pytestmark = pytest.mark.django_db

ROUND_READERS = {"office", "leader"}
SATISFACTION_READERS = {"office", "leader", "unit", "other_unit"}


def _client(user: User) -> Client:
    return login(Client(), user)


@pytest.fixture
def setup() -> Setup:
    s = make_setup()
    actions.open_round(s.round)
    return s


def _rate(window, device: str, choice: int) -> None:
    intake.accept(
        window,
        device=device,
        choice=choice,
        item="",
        comment="",
        address=None,
        day=date(2026, 5, 1),
        bucket=0,
    )


@pytest.mark.parametrize(
    ("name", "args", "readers"),
    [
        ("api_round_list", False, ROUND_READERS),
        ("api_round_detail", True, ROUND_READERS),
        ("api_round_turnout", True, ROUND_READERS),
        ("api_round_results", True, ROUND_READERS),
        ("api_satisfaction", False, SATISFACTION_READERS),
        ("api_my_ballots", False, {"reviewer"}),
    ],
)
def test_each_endpoint_answers_its_roles_and_refuses_the_others(
    setup: Setup, personas: dict[str, User], name: str, args: bool, readers: set[str]
) -> None:
    url = reverse(name, args=[setup.round.pk] if args else [])
    for persona, user in personas.items():
        status = _client(user).get(url).status_code
        assert status == (200 if persona in readers else 403), (persona, status)


def test_results_are_aggregates_and_never_name_a_reviewer_or_a_ballot(
    setup: Setup, leader: User
) -> None:
    first = reviewer_account(setup, "rev1")
    second = reviewer_account(setup, "rev2", setup.grassroots)
    actions.cast_ballot(first, ballot_post(setup, [91, 87, 83, 77, 73]))
    actions.cast_ballot(second, ballot_post(setup, [81, 77, 73, 67, 63]))
    response = _client(leader).get(reverse("api_round_results", args=[setup.round.pk]))
    body = response.json()
    first_unit = next(r for r in body if r["unit_code"] == "DW01")
    assert first_unit["rating"] == "87.0000"  # 91 × 60% + 81 × 40%
    assert [(g["group"], g["ballots"], g["score"]) for g in first_unit["groups"]] == [
        ("区领导", 1, "91.0000"),
        ("基层单位", 1, "81.0000"),
    ]
    assert "评议得分 = 91.00 × 60.00% + 81.00 × 40.00% = 87.0000" in first_unit["explanation"]
    text = response.content.decode()
    for secret in (
        "rev1",
        "rev2",
        *(str(pk) for pk in Ballot.objects.values_list("pk", flat=True)),
    ):
        assert secret not in text
    turnout = _client(leader).get(reverse("api_round_turnout", args=[setup.round.pk])).json()
    assert [(t["group"], t["reviewers"], t["cast"]) for t in turnout] == [
        ("区领导", 1, 1),
        ("基层单位", 1, 1),
    ]


def test_the_round_detail_shows_its_setup_in_words(setup: Setup, office: User) -> None:
    body = _client(office).get(reverse("api_round_detail", args=[setup.round.pk])).json()
    assert body["status_label"] == "评议中"
    assert body["indicators"][0]["name"] == "基层评议"
    assert {w["group"]: w["weight"] for w in body["indicators"][0]["weights"]} == {
        "区领导": "60.00",
        "基层单位": "40.00",
    }


def test_a_reviewer_saves_a_draft_then_submits_and_a_stale_version_is_refused(
    setup: Setup, reviewer: User
) -> None:
    own = reviewer_account(setup, reviewer.username)
    client = _client(reviewer)
    ballot = client.get(reverse("api_ballot", args=[own.pk])).json()
    cells = [c["name"] for c in ballot["screens"][0]["rows"][0]["cells"]]
    assert cells == [next(iter(ballot_post(setup, [1, 1, 1, 1, 1])))]
    draft = client.post(
        reverse("api_ballot_draft", args=[own.pk]),
        {"version": ballot["version"], "cells": ballot_post(setup, [91, 87, 83, 77, 73])},
        content_type="application/json",
    )
    assert draft.status_code == 200
    assert draft.json() == {"version": ballot["version"] + 1, "cast": False, "warnings": []}
    stale = client.post(
        reverse("api_ballot_submit", args=[own.pk]),
        {"version": ballot["version"], "cells": ballot_post(setup, [91, 87, 83, 77, 73])},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert "其他页面修改" in stale.json()["detail"]
    assert not Ballot.objects.exists()
    reread = client.get(reverse("api_ballot", args=[own.pk])).json()
    assert reread["screens"][0]["rows"][0]["cells"][0]["value"] == "91"
    submit = {"version": reread["version"], "cells": ballot_post(setup, [91, 87, 83, 77, 73])}
    done = client.post(
        reverse("api_ballot_submit", args=[own.pk]), submit, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["cast"] is True
    again = client.post(
        reverse("api_ballot_submit", args=[own.pk]), submit, content_type="application/json"
    )
    assert again.status_code == 409
    assert "只能提交一次" in again.json()["detail"]
    assert Ballot.objects.count() == 1
    own.refresh_from_db()
    assert own.draft == {}


def test_an_incomplete_ballot_is_refused_in_chinese_and_nothing_is_stored(
    setup: Setup, reviewer: User
) -> None:
    own = reviewer_account(setup, reviewer.username)
    cells = ballot_post(setup, [91, 87, 83, 77, 73])
    cells.pop(next(iter(cells)))
    response = _client(reviewer).post(
        reverse("api_ballot_submit", args=[own.pk]),
        {"version": own.version, "cells": cells},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "还有 1 处未评分" in response.json()["detail"]
    assert not Ballot.objects.exists()


def test_a_reviewer_cannot_read_or_write_another_reviewers_ballot(
    setup: Setup, reviewer: User
) -> None:
    other = reviewer_account(setup, "rev-other")
    client = _client(reviewer)
    assert client.get(reverse("api_ballot", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("api_ballot_draft", args=[other.pk]),
        {"version": other.version, "cells": ballot_post(setup, [91, 87, 83, 77, 73])},
        content_type="application/json",
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.draft == {}
    assert other.version == 1
    assert client.get(reverse("api_my_ballots")).json()["results"] == []


def test_satisfaction_indices_per_unit_and_window_and_a_unit_sees_only_its_own(
    setup: Setup, office: User, unit: User, unit_org: Organization
) -> None:
    foreign = satisfaction.add_window(setup.units[0], "综合窗口")
    own = satisfaction.add_window(unit_org, "办证窗口")
    for device, choice in (("a", 5), ("b", 4), ("c", 4)):
        _rate(foreign, device, choice)
    _rate(own, "d", 1)
    url = reverse("api_satisfaction")
    rows = _client(office).get(url, {"year": 2026}).json()
    assert [(r["unit_name"], r["count"], r["index"]) for r in rows] == [
        (unit_org.name, 1, "20.0000"),
        ("机关部门01", 3, "86.6667"),
    ]
    windows = _client(office).get(url, {"year": 2026, "by": "window"}).json()
    assert {r["window"] for r in windows} == {"综合窗口", "办证窗口"}
    mine = _client(unit).get(url, {"year": 2026, "by": "window"}).json()
    assert [(r["window"], r["counts"]) for r in mine] == [("办证窗口", {"1": 1})]
    assert _client(office).get(url, {"year": 2025}).json() == []
    assert _client(office).get(url, {"by": "street"}).status_code == 400
    assert _client(office).get(url, {"year": "²"}).status_code == 404
    assert Reviewer.objects.count() == 0
