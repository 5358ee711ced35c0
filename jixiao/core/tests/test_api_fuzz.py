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
import re
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, models
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import Resolver404, URLResolver, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.accounts.service_tokens import issue_token
from jixiao.collection.models import Entry, EntryStatus, RecheckRequest
from jixiao.collection.workflow import Act
from jixiao.core import api_urls
from jixiao.core.api import IsVerifiedUser
from jixiao.core.testing import login
from jixiao.evaluation import actions as evaluation
from jixiao.evaluation.models import Reviewer
from jixiao.evaluation.tests.factories import ballot_post, make_setup, reviewer_account
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience
from jixiao.scoring.tests.factories import publish, zhangjiagang_world

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Extra personas beside the one per role: the department's leader account (its own
# second confirmation) and a role's second organization are scoped differently.
EXTRA_PERSONAS = ("dept_leader",)
# Machine clients: a service token for each role one may carry.
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


def _api_views() -> list[Any]:
    """Every view class mounted under /api/v1/ (each app's api.py, found at start-up)."""
    found: list[Any] = []

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "cls", None) or getattr(
                    pattern.callback, "view_class", None
                )
                if view is not None and getattr(view, "schema", True) is not None:
                    found.append(view)

    walk(api_urls.urlpatterns)
    return found


def api_roles() -> list[str]:
    """The roles any API view lets in: from each view's `HasRole.of(...)`; a view that
    names no role (only a login) lets every role in."""
    roles: set[str] = set()
    for view in _api_views():
        named = [getattr(p, "roles", None) for p in getattr(view, "permission_classes", [])]
        if any(r for r in named):
            roles |= {role for r in named if r for role in r}
        elif any(
            isinstance(p, type) and issubclass(p, IsVerifiedUser) for p in view.permission_classes
        ):
            roles |= set(Role.values)
    return sorted(roles)


def _persona_for(personas: dict[str, User], role: str) -> User:
    return next(u for name, u in personas.items() if u.role == role and name not in EXTRA_PERSONAS)


def _view_model(path: str) -> type[models.Model] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(view, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def _model_of(path: str) -> type[models.Model] | None:
    """The model an operation's {id} names: that of the list the id belongs to
    (`/runs/{id}/results/` names a run, listed at `/runs/`), else the path's own view's."""
    if "{" not in path:
        return None
    return _view_model(path[: path.index("{")]) or _view_model(re.sub(r"\{[^}]+\}", "1", path))


def _known_ids(path: str) -> list[int]:
    """The ids that exist for an operation's {id}: random ids mostly miss them."""
    model = _model_of(path)
    if model is None:
        return []
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    return sorted({*ids[:2], *ids[-3:]})  # the oldest and the newest


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
        if _model_of(operation.path) is not Entry:
            continue  # other writes: the generated cases below
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


def test_every_app_with_an_api_and_every_role_it_admits_is_fuzzed() -> None:
    mounted = {
        p.pattern._route.rstrip("/") for p in api_urls.urlpatterns if hasattr(p, "url_patterns")
    }
    with_api = {
        c.label
        for c in apps.get_app_configs()
        if c.name.startswith("jixiao.")
        and (Path(c.path) / "api.py").exists()
        and hasattr(import_module(f"{c.name}.api"), "urlpatterns")
    }
    assert with_api <= mounted
    assert {"office", "department", "unit", "leader"} <= set(api_roles())
    operations = [r.ok() for r in _schema().get_all_operations()]
    assert {o.path.split("/")[3] for o in operations} == mounted


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


@pytest.mark.parametrize("who", [*api_roles(), *EXTRA_PERSONAS])
def test_the_api_answers_every_generated_request_within_its_schema(
    world: None, keep_test_connection: None, personas: dict[str, User], who: str
) -> None:
    user = personas[who] if who in EXTRA_PERSONAS else _persona_for(personas, who)
    _fuzz(*_credentials(user))


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_a_service_token_client_gets_the_same_answers_within_the_schema(
    world: None,
    keep_test_connection: None,
    personas: dict[str, User],
    department_org: Organization,
    unit_org: Organization,
    role: str,
) -> None:
    """Machine clients (`Authorization: Bearer …`, accounts/service_tokens.py)."""
    org = {"department": department_org, "unit": unit_org}.get(
        role, personas["office"].organization
    )
    token, key = issue_token(
        personas["sysadmin"], name=f"fuzz-{role}", role=role, organization=org, days=1
    )
    _fuzz({}, {"Authorization": f"Bearer {key}"})
    token.refresh_from_db()
    assert token.last_used_at is not None  # the requests did go in as the token
