"""The health check, request ids in logs, and the restricted metrics endpoint."""

from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
from django.test import Client, override_settings

from jixiao.accounts.models import User
from jixiao.conftest import login
from jixiao.core import health


def test_the_health_check_answers_without_login_and_names_each_part(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_the_health_check_is_answered_over_plain_http_when_https_is_enforced(db: None) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert Client().get("/healthz").status_code == 200
        assert Client().get("/").status_code == 301


def test_a_failing_database_makes_the_health_check_fail_with_503(db: None) -> None:
    def broken() -> None:
        raise OSError("connection refused")

    with mock.patch.dict(health.checks.__globals__, {"_database": broken}):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert "refused" not in response.content.decode()


def test_a_configured_queue_broker_is_checked_too(db: None) -> None:
    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0"
    ):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == "error"


def test_every_response_carries_a_request_id_and_keeps_the_proxys(db: None) -> None:
    made = Client().get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"
    forged = Client().get("/healthz", HTTP_X_REQUEST_ID='x" level=ERROR')
    assert forged["X-Request-ID"] != 'x" level=ERROR'


def test_a_log_line_is_one_json_object_with_the_request_id(db: None) -> None:
    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    from jixiao.core.request_id import RequestIdFilter, _current

    options = dict(settings.LOGGING["formatters"]["json"])
    options.pop("()")
    formatter = JsonFormatter(**options)
    record = logging.LogRecord("jixiao.x", logging.WARNING, __file__, 1, "计分完成", None, None)
    token = _current.set("req-12345678")
    try:
        RequestIdFilter().filter(record)
    finally:
        _current.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING"
    assert line["message"] == "计分完成"


def test_metrics_are_served_to_the_allowed_addresses_only(db: None) -> None:
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 404


@override_settings(METRICS_ALLOWED_IPS=[], METRICS_TOKEN="s3cret-token")
def test_metrics_accept_the_bearer_token_and_nothing_else(db: None) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    answered = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert answered.status_code == 200
    assert b"django_http_requests_total" in answered.content


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_a_logged_in_user_with_an_expired_password_still_reaches_them(
    department: User, path: str
) -> None:
    department.must_change_password = True
    department.save()
    client = login(Client(REMOTE_ADDR="127.0.0.1"), department)
    assert client.get(path).status_code == 200
