"""The permission matrix of the observers pages: every persona × every view, and a
refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.core.testing import PERSONA_USERNAMES, login
from jixiao.observers.models import Assignment, Observation, ObservationPoint, ObservationStatus
from jixiao.observers.tests.conftest import Field

pytestmark = pytest.mark.django_db

OFFICE = {"office": 200}
OBSERVER = {"observer": 200}


def _expect(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {p: allowed.get(p, default) for p in PERSONA_USERNAMES}


# (name, url builder, expected status per persona)
GETS: list[tuple[str, Callable[[Field], str], dict[str, int]]] = [
    (
        "index",
        lambda f: reverse("observers:index"),
        _expect({"office": 200, "observer": 200, "unit": 200, "other_unit": 200}),
    ),
    ("new", lambda f: reverse("observers:new"), _expect(OBSERVER)),
    (
        "detail of a submitted note about the unit",
        lambda f: reverse("observers:detail", args=[f.submitted.pk]),
        _expect({"office": 200, "observer": 200, "unit": 200, "other_unit": 404, "leader": 200}),
    ),
    (
        "detail of a draft",
        lambda f: reverse("observers:detail", args=[f.draft.pk]),
        _expect({"office": 200, "observer": 200, "unit": 404, "other_unit": 404, "leader": 404}),
    ),
    (
        "edit of a draft",
        lambda f: reverse("observers:edit", args=[f.draft.pk]),
        _expect({"observer": 200}),
    ),
    ("points", lambda f: reverse("observers:points"), _expect(OFFICE)),
    ("assignments", lambda f: reverse("observers:assignments"), _expect(OFFICE)),
    ("overview", lambda f: reverse("observers:overview"), _expect({"office": 200, "leader": 200})),
    (
        "the unit's report",
        lambda f: reverse("observers:report", args=[f.submitted.unit_id]),
        _expect({"office": 200, "leader": 200, "unit": 200, "other_unit": 404}),
    ),
]


@pytest.mark.parametrize(("name", "url", "expected"), GETS, ids=[g[0] for g in GETS])
def test_each_role_reaches_exactly_its_pages(
    field: Field, personas: dict[str, User], name: str, url: Any, expected: dict[str, int]
) -> None:
    target = url(field)
    got = {p: login(Client(), personas[p]).get(target).status_code for p in PERSONA_USERNAMES}
    assert got == expected


def _state() -> tuple[Any, ...]:
    return (
        list(Observation.objects.order_by("pk").values_list("status", "text", "version")),
        ObservationPoint.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.count(),
    )


POSTS: list[tuple[str, Callable[[Field], tuple[str, dict[str, str]]], set[str]]] = [
    (
        "submit",
        lambda f: (reverse("observers:submit", args=[f.draft.pk]), {"version": "1"}),
        {"observer"},
    ),
    (
        "return",
        lambda f: (reverse("observers:return", args=[f.submitted.pk]), {"reason": "补充"}),
        {"office"},
    ),
    (
        "edit",
        lambda f: (
            reverse("observers:edit", args=[f.draft.pk]),
            {
                "unit": str(f.draft.unit_id),
                "observed_on": "2026-10-01",
                "rating": "1",
                "text": "改",
                "version": "1",
            },
        ),
        {"observer"},
    ),
    (
        "register a point",
        lambda f: (
            reverse("observers:points"),
            {"unit": str(f.draft.unit_id), "name": "新观测点"},
        ),
        {"office"},
    ),
    (
        "toggle a point",
        lambda f: (reverse("observers:point_toggle", args=[f.point.pk]), {}),
        {"office"},
    ),
    (
        "unassign",
        lambda f: (
            reverse("observers:unassign", args=[Assignment.objects.first().pk]),  # type: ignore[union-attr]
            {},
        ),
        {"office"},
    ),
]


@pytest.mark.parametrize(("name", "post", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_denied_roles_cannot_post_and_nothing_changes(
    field: Field, personas: dict[str, User], name: str, post: Any, allowed: set[str]
) -> None:
    url, data = post(field)
    before = _state()
    for username in set(PERSONA_USERNAMES) - allowed:
        response = login(Client(), personas[username]).post(url, data)
        assert response.status_code in (403, 404), (username, response.status_code)
    assert _state() == before


def test_another_observer_cannot_open_or_submit_the_draft(field: Field, observer: User) -> None:
    from jixiao.core.testing import make_user

    second = login(Client(), make_user("observer_b", "observer", observer.organization))
    assert second.get(reverse("observers:detail", args=[field.draft.pk])).status_code == 404
    response = second.post(reverse("observers:submit", args=[field.draft.pk]), {"version": "1"})
    assert response.status_code == 404
    assert Observation.objects.get(pk=field.draft.pk).status == ObservationStatus.DRAFT
