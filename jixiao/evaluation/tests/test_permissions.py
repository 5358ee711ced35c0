"""Role × view matrix of the evaluation app: who may GET each page, and POSTs that the
other roles are refused (403) without anything happening."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.core.testing import PERSONA_USERNAMES, login
from jixiao.evaluation.models import Round, RoundStatus
from jixiao.evaluation.public_models import ServiceWindow
from jixiao.evaluation.tests.factories import make_setup

pytestmark = pytest.mark.django_db

EVERYONE = set(PERSONA_USERNAMES)
OFFICE = {"office"}
READERS = {"office", "leader"}

VIEWS: list[tuple[str, Any, set[str]]] = [
    ("evaluation:round_list", lambda s: [], READERS),
    ("evaluation:round_create", lambda s: [], OFFICE),
    ("evaluation:round_detail", lambda s: [s.round.pk], READERS),
    ("evaluation:round_edit", lambda s: [s.round.pk], OFFICE),
    ("evaluation:slips", lambda s: [s.round.pk], OFFICE),
    ("evaluation:breaches", lambda s: [], READERS),
    ("evaluation:windows", lambda s: [], OFFICE),
    ("evaluation:qr_sheet", lambda s: [], OFFICE),
    ("evaluation:dashboard", lambda s: [], {"office", "leader", "unit", "other_unit"}),
    ("evaluation:quarantine", lambda s: [], OFFICE),
    ("evaluation:my_ballots", lambda s: [], {"reviewer"}),
]


@pytest.mark.parametrize(("name", "args", "allowed"), VIEWS, ids=[v[0] for v in VIEWS])
def test_each_role_reaches_exactly_its_own_pages(personas, name, args, allowed) -> None:
    setup = make_setup(2)
    ServiceWindow.objects.create(unit=setup.units[0])
    url = reverse(name, args=args(setup))
    for username in PERSONA_USERNAMES:
        status = login(Client(), personas[username]).get(url).status_code
        assert status == (200 if username in allowed else 403), (username, status)


@pytest.mark.parametrize("username", sorted(EVERYONE - OFFICE))
def test_only_the_office_changes_a_round(personas, username) -> None:
    setup = make_setup(2)
    client = login(Client(), personas[username])
    status = client.post(
        reverse("evaluation:round_status", args=[setup.round.pk]), {"to": "open"}
    ).status_code
    assert status == 403
    setup_post = client.post(
        reverse("evaluation:round_setup", args=[setup.round.pk, "codes"]),
        {"group": setup.leaders.pk, "count": 5},
    )
    assert setup_post.status_code == 403
    review = client.post(reverse("evaluation:quarantine_review"), {"reason": "x", "do": "count"})
    assert review.status_code == 403
    assert Round.objects.get().status == RoundStatus.DRAFT
    assert not setup.round.reviewers.exists()


def test_anyone_may_open_the_code_entry_page_without_logging_in(client) -> None:
    assert client.get(reverse("evaluation:code_entry")).status_code == 200
