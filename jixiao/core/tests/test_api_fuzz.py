"""Fuzz the whole API from its OpenAPI schema, as each role that has API access.

Schemathesis generates requests (valid and invalid) for every operation of the schema
drf-spectacular publishes and sends them to the Django app in-process (WSGI), logged in
as the persona. Every answer must be a non-5xx response that conforms to the schema:
documented status code, content type and body. Bounded (examples per operation, no
shrinking past a deadline) so it runs in `make test` on both databases.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus, RecheckRequest
from jixiao.collection.workflow import Act
from jixiao.core.testing import login
from jixiao.evaluation import actions as evaluation
from jixiao.evaluation.models import Reviewer, Round
from jixiao.evaluation.tests.factories import ballot_post, make_setup, reviewer_account
from jixiao.org.models import Organization
from jixiao.scheme.models import Scheme
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import publish, zhangjiagang_world

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Roles with API access (the pages' permission matrices say which operations each gets).
API_PERSONAS = ("office", "dept", "dept_leader", "unit", "leader", "reviewer", "sysadmin")
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _schema() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    plain = json.loads(json.dumps(raw, cls=DjangoJSONEncoder))
    schema = schemathesis.openapi.from_dict(plain)
    schema.app = WSGIHandler()
    return schema


@pytest.fixture
def world(
    department_org: Organization, unit_org: Organization, office: User, unit: User, reviewer: User
) -> None:
    """A year with entries in several states, an open recheck request (no outcome yet), a
    published run and a newer unpublished one; an open evaluation round with one ballot
    cast and the reviewer persona's ballot still to fill in."""
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    rechecked = w.entry(unit_org.code, "1.1.1", 95, 100, status=EntryStatus.RECHECK_REQUESTED)
    RecheckRequest.objects.create(entry=rechecked, unit=unit_org, reason="请复核", filed_by=unit)
    w.entry(unit_org.code, "1.1.2", 60, 100, status=EntryStatus.DRAFT, by=None)
    run = actions.compute_run(w.year, user=office)
    publish(run, user=office, audience=RankingsAudience.UNITS)
    actions.compute_run(w.year, user=office)
    setup = make_setup(period_code="2026-EV")
    evaluation.open_round(setup.round)
    evaluation.cast_ballot(
        reviewer_account(setup, "rev1"), ballot_post(setup, [91, 87, 83, 77, 73])
    )
    reviewer_account(setup, reviewer.username)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, as a server
    should; inside a test that would close the test's transaction (Django's test client
    does the same as this)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _known_ids(path: str) -> list[int]:
    """The ids that exist for an operation's {id}: random ids mostly miss them."""
    for prefix, model in (
        ("/api/v1/collection/entries/", Entry),
        ("/api/v1/org/organizations/", Organization),
        ("/api/v1/scheme/schemes/", Scheme),
        ("/api/v1/scoring/runs/", ScoreRun),
        ("/api/v1/evaluation/rounds/", Round),
        ("/api/v1/evaluation/ballots/", Reviewer),
    ):
        if path.startswith(prefix):
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            return sorted({*ids[:2], *ids[-3:]})  # the oldest and the newest
    return []


def _known_cases(operation: Any) -> list[Any]:
    """Each existing object through each operation; every workflow action on each entry."""
    if "{id}" not in operation.path:
        return [operation.Case()] if operation.method.upper() == "GET" else []
    cases = []
    for pk in _known_ids(operation.path):
        if operation.method.upper() == "GET":
            cases.append(operation.Case(path_parameters={"id": pk}))
            continue
        if operation.path.startswith("/api/v1/evaluation/ballots/"):
            version = Reviewer.objects.filter(pk=pk).values_list("version", flat=True).first()
            cells = {"s-1-0-1": "85", "s-x": "不是分数"}
            cases.append(
                operation.Case(
                    path_parameters={"id": pk},
                    body={"version": version or 1, "cells": cells},
                    media_type="application/json",
                )
            )
            continue
        version = Entry.objects.filter(pk=pk).values_list("version", flat=True).first() or 1
        cases += [
            operation.Case(
                path_parameters={"id": pk},
                body={"action": action, "version": version, "reason": "依据", "outcome": ""},
                media_type="application/json",
            )
            for action in Act.values
        ]
    return cases


def _credentials(user: User) -> tuple[dict[str, str], dict[str, str]]:
    client = login(Client(), user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_the_api_answers_every_generated_request_within_its_schema(
    world: None, keep_test_connection: None, personas: dict[str, User], persona: str
) -> None:
    schema = _schema()
    cookies, headers = _credentials(personas[persona])
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for case in _known_cases(operation):
            try:
                case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:
                failures.append(f"{operation.method.upper()} {case.formatted_path}: {error}")

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation's, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
