"""A small run of the deadline-rush load test (bench/load/run.py) in CI: 20 locust users
for 20 s against gunicorn, PostgreSQL, Redis and a worker. It proves the harness and the
pages under concurrency — no errors, every acknowledged save in the database — not the
timing goal, which lives in bench/ (bench/load/README.md) like every timing goal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from jixiao.core.tests.processes import ROOT, redis_up

pytestmark = [pytest.mark.load]


def test_twenty_users_for_twenty_seconds_get_no_error_and_every_save_is_stored() -> None:
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        pytest.skip("the load test runs in the PostgreSQL pass (set DATABASE_URL)")
    if not redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail("needs Redis at 127.0.0.1:6379")
        pytest.skip("needs Redis at 127.0.0.1:6379")
    auth = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    url = f"postgres://{auth}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
    # The test database's name: the load database and its template are made beside it.
    env = {**os.environ, "DATABASE_URL": url + str(database["NAME"]), "LOAD_REDIS_DB": "9"}
    done = subprocess.run(
        [sys.executable, "bench/load/run.py", "--users", "20", "--seconds", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.stdout, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["failures"] == [], report["failures"]
    assert report["errors"] == 0
    assert report["saves"]["ok"], report["saves"]
    assert report["saves"]["acknowledged_saves"] > 0
    assert report["saves"]["acknowledged_approvals"] > 0
    assert report["requests"]["a report card"]["count"] > 0
    assert report["requests"]["rankings"]["count"] > 0
