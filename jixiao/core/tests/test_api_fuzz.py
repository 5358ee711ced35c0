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
from jixiao.accounts.service_tokens import issue_token
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus, RecheckRequest
from jixiao.collection.workflow import Act
from jixiao.core.testing import login
from jixiao.observers.models import Observation
from jixiao.org.models import Organization
from jixiao.scheme.models import Scheme
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import publish, zhangjiagang_world

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Roles with API access (the pages' permission matrices say which operations each gets).
API_PERSONAS = ("office", "dept", "dept_leader", "unit", "leader", "observer", "sysadmin")
# Machine clients: a service token per role it may carry (`Authorization: Bearer …`).
TOKEN_ROLES = ("department", "unit", "office")
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
def world(department_org: Organization, unit_org: Organization, office: User, unit: User) -> None:
    """A year with entries in several states, an open recheck request (no outcome yet), a
    published run and a newer unpublished one."""
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    rechecked = w.entry(unit_org.code, "1.1.1", 95, 100, status=EntryStatus.RECHECK_REQUESTED)
    RecheckRequest.objects.create(entry=rechecked, unit=unit_org, reason="请复核", filed_by=unit)
    w.entry(unit_org.code, "1.1.2", 60, 100, status=EntryStatus.DRAFT, by=None)
    run = actions.compute_run(w.year, user=office)
    publish(run, user=office, audience=RankingsAudience.UNITS)
    actions.compute_run(w.year, user=office)


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
        ("/api/v1/collection/periods/", CollectionPeriod),
        ("/api/v1/observers/observations/", Observation),
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
        if operation.path.endswith("/values/"):
            cases.append(_values_case(operation, pk))
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


def _values_case(operation: Any, period_pk: int) -> Any:
    """Every entry of the period posted back as it is (unchanged rows, or conflicts)."""
    rows = [
        {"indicator": i, "unit": u, "value": str(v or ""), "version": version}
        for i, u, v, version in Entry.objects.filter(period_id=period_pk).values_list(
            "indicator_id", "unit_id", "value", "version"
        )[:5]
    ]
    return operation.Case(
        path_parameters={"id": period_pk},
        body={"rows": rows or [{"indicator": 1, "unit": 1}]},
        media_type="application/json",
    )


def _credentials(user: User) -> tuple[dict[str, str], dict[str, str]]:
    client = login(Client(), user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


def _fuzz(cookies: dict[str, str], headers: dict[str, str]) -> None:
    schema = _schema()
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


@pytest.mark.parametrize("persona", API_PERSONAS)
def test_the_api_answers_every_generated_request_within_its_schema(
    world: None, keep_test_connection: None, personas: dict[str, User], persona: str
) -> None:
    _fuzz(*_credentials(personas[persona]))


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_a_service_token_client_gets_the_same_answers_within_the_schema(
    world: None,
    keep_test_connection: None,
    personas: dict[str, User],
    department_org: Organization,
    unit_org: Organization,
    role: str,
) -> None:
    org = {"department": department_org, "unit": unit_org}.get(
        role, personas["office"].organization
    )
    token, key = issue_token(
        personas["sysadmin"], name=f"fuzz-{role}", role=role, organization=org, days=1
    )
    _fuzz({}, {"Authorization": f"Bearer {key}"})
    token.refresh_from_db()
    assert token.last_used_at is not None  # the requests did go in as the token
