"""Several processes, one truth: two gunicorn app servers and a Celery worker on one
PostgreSQL database and one Redis, as a province runs them behind its load balancer.

The processes use a database of their own (the test database's name + "_mp"), migrated
and seeded here (`multiprocess_helper.py seed`), and a Redis database number of their own
(`JIXIAO_MP_REDIS_DB`, default 11), flushed first. A "probe" process holds its own
per-process scoring cache, like a second worker or an embedded server. Every wait is
bounded; every process is killed at the end. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.db import connection
from requests.adapters import HTTPAdapter

from jixiao.core.testing import PASSWORD
from jixiao.core.tests.processes import ROOT, free_port, redis_up, wait_for
from jixiao.core.tests.processes import end as _end
from jixiao.core.tests.processes import spawn as _spawn

pytestmark = [pytest.mark.multiprocess]

PYTHON = sys.executable
REDIS_DB = int(os.environ.get("JIXIAO_MP_REDIS_DB", "11"))


class _FromAddress(HTTPAdapter):
    """Connects from another loopback address, so the per-address throttle sees a
    different client than the other tests' 127.0.0.1."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def browser(source: str = "127.0.0.1") -> requests.Session:
    session = requests.Session()
    session.mount("http://", _FromAddress(source))
    return session


@dataclass
class Cluster:
    a: str
    b: str
    env: dict[str, str]
    seed: dict[str, Any]
    probe: subprocess.Popen[str]
    db: Any  # a psycopg connection to the cluster's database, autocommit

    def ask(self, command: str) -> Any:
        """One command to the probe, one JSON answer (bounded by the probe's own work)."""
        assert self.probe.stdin is not None
        assert self.probe.stdout is not None
        self.probe.stdin.write(command + "\n")
        self.probe.stdin.flush()
        return json.loads(self.probe.stdout.readline())

    def office(self) -> requests.Session:
        session = browser()
        session.cookies.set("sessionid", self.seed["office_session"], domain="127.0.0.1")
        return session

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.db.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())


@pytest.fixture(scope="module")
def cluster(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Cluster]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the servers share one database")
    if not redis_up():
        reason = "needs Redis at 127.0.0.1:6379: the servers share its cache and queue"
        if os.environ.get("CI") == "true":  # CI has Redis: its absence is a failure there
            pytest.fail(reason)
        pytest.skip(reason)
    import psycopg
    import redis

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_mp"
    credentials = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **credentials) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = credentials["user"] + (f":{credentials['password']}" if credentials["password"] else "")
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    logs = tmp_path_factory.mktemp("multiprocess")
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO", "JIXIAO_", "GUNICORN_"))
        and k not in {"REDIS_URL", "ALLOWED_HOSTS"}
    }
    base.update(
        DATABASE_URL=f"postgres://{auth}@{credentials['host']}:{credentials['port']}/{name}",
        DJANGO_SETTINGS_MODULE="jixiao.settings",
        SECRET_KEY="multiprocess-test-key-" + "x" * 40,
        DEBUG="0",
        JIXIAO_HTTPS="0",
        JIXIAO_MANIFEST_STATIC="0",
        JIXIAO_DATA_DIR=str(logs),
        MEDIA_ROOT=str(logs / "media"),
        JIXIAO_LOGIN_ADDRESS_RATE="6/h",
        JIXIAO_LOG_JSON="1",
        LOG_LEVEL="WARNING",
    )
    env = {**base, "REDIS_URL": redis_url}
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=base,
        check=True,
        timeout=120,
    )
    seeded = subprocess.run(
        [PYTHON, "-m", "jixiao.core.tests.multiprocess_helper", "seed"],
        cwd=ROOT,
        env=base,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    ports = [free_port(), free_port()]
    processes = [
        _spawn(
            [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "jixiao.wsgi"],
            {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "1",
                "GUNICORN_THREADS": "4",
                "GUNICORN_ACCESSLOG": "/dev/null",
            },
            logs / f"server-{port}.log",
        )
        for port in ports
    ]
    processes.append(
        _spawn(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "jixiao",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
            logs / "worker.log",
        )
    )
    # The probe runs embedded (no REDIS_URL): its tasks run in-process, on its own cache.
    probe = _spawn(
        [PYTHON, "-m", "jixiao.core.tests.multiprocess_helper", "probe"],
        base,
        logs / "probe.log",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    processes.append(probe)
    db = psycopg.connect(dbname=name, autocommit=True, **credentials)
    try:
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        for url in (a, b):
            wait_for(lambda url=url: _healthy(url), 60, f"{url}/healthz")
        wait_for(
            lambda: redis.Redis.from_url(redis_url).keys("_kombu.binding.*"),
            60,
            "the Celery worker to bind its queue",
        )
        yield Cluster(a, b, env, seed, probe, db)
    finally:
        db.close()
        for process in processes:
            _end(process)
        with psycopg.connect(dbname="postgres", autocommit=True, **credentials) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _healthy(url: str) -> bool:
    try:
        answer = requests.get(f"{url}/healthz", timeout=10)
    except requests.RequestException:
        return False
    return answer.status_code == 200 and answer.json()["checks"]["queue"] == "ok"


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10).text
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, f"no form on {url}"
    return match.group(1)


def _login(session: requests.Session, server: str, username: str, password: str) -> Any:
    token = _csrf(session, f"{server}/accounts/login/")
    return session.post(
        f"{server}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        timeout=10,
        allow_redirects=False,
    )


def test_a_session_opened_on_one_server_is_valid_on_the_other(cluster: Cluster) -> None:
    clerk = browser()
    assert _login(clerk, cluster.a, "clerk", PASSWORD).status_code == 302
    home = clerk.get(f"{cluster.b}/", timeout=10, allow_redirects=False)
    assert home.status_code == 200
    assert "退出" in home.text
    # Logging out on B ends the session on A too.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
    assert token
    clerk.post(
        f"{cluster.b}/accounts/logout/", data={"csrfmiddlewaretoken": token.group(1)}, timeout=10
    )
    assert clerk.get(f"{cluster.a}/", timeout=10, allow_redirects=False).status_code == 302


def test_failed_logins_on_both_servers_add_up_to_one_lockout(cluster: Cluster) -> None:
    # From different addresses, so the per-address throttle plays no part here. The
    # policy locks at the 5th failure: four on alternating servers, the fifth on B.
    for i, server in enumerate([cluster.a, cluster.b, cluster.a, cluster.b]):
        refused = _login(browser(f"127.0.0.{10 + i}"), server, "locky", "wrong-password")
        assert refused.status_code == 200, _said(refused)
        assert "用户名或密码错误" in refused.text
    fifth = _login(browser("127.0.0.15"), cluster.b, "locky", "wrong-password")
    assert "已锁定" in _said(fifth)
    # Now even the right password is refused, on either server.
    for i, server in enumerate([cluster.a, cluster.b]):
        locked = _login(browser(f"127.0.0.{20 + i}"), server, "locky", PASSWORD)
        assert locked.status_code == 429
        assert "已锁定" in _said(locked)


def test_the_address_throttle_counts_attempts_on_both_servers(cluster: Cluster) -> None:
    # The rate is 6 an hour from one address: one more, whichever server, is refused.
    statuses = [
        _login(browser("127.0.0.2"), server, f"nobody{i}", "wrong").status_code
        for i, server in enumerate([cluster.a, cluster.b] * 4)
    ]
    assert statuses.count(429) == 2, statuses
    assert statuses[-2:] == [429, 429]


def _said(response: Any) -> str:
    """The message a person reads on a refused login page (for failure reports)."""
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>\s*([^<]+)', response.text))[:300]


def _results(session: requests.Session, server: str, run: int) -> dict[str, str]:
    answer = session.get(f"{server}/api/v1/scoring/runs/{run}/results/?limit=100", timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    return {row["unit"]: row["total"] for row in answer.json()["results"]}


def test_approval_on_one_server_shows_in_rankings_on_the_other_and_no_cache_goes_stale(
    cluster: Cluster,
) -> None:
    # The probe computes the working run: its per-process cache now holds the category.
    run = cluster.ask("compute")["run"]
    office = cluster.office()
    before = _results(office, cluster.b, run)
    mzj = cluster.seed["waiting"]["MZJ"]
    page = office.get(f"{cluster.a}/collection/entries/{mzj}/", timeout=10)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, "no review form on the entry page"
    approved = office.post(
        f"{cluster.a}/collection/entries/{mzj}/act/",
        data={
            "csrfmiddlewaretoken": _csrf(office, f"{cluster.a}/collection/entries/{mzj}/"),
            "action": "approve",
            "version": version.group(1),
        },
        timeout=10,
        allow_redirects=False,
    )
    assert approved.status_code == 302
    started = time.monotonic()
    # The worker recomputes incrementally; server B reads the new figure from the database.
    after = wait_for(
        lambda: (r := _results(office, cluster.b, run))["MZJ"] != before["MZJ"] and r,
        20,
        "server B to show the approved entry",
    )
    print(f"approval on A visible on B after {time.monotonic() - started:.2f} s")
    assert after["MZJ"] == "67.90"
    assert after["FGJ"] == before["FGJ"]

    # The probe's cached category is now stale (the worker patched the run) ...
    cache = cluster.ask("cache")
    rc = next(iter(cache["cached"]))
    assert cache["cached"][rc] != cache["stored"][rc]
    # ... so when the probe applies the next change, it checks the stored digest first,
    # reloads, and keeps the worker's change instead of overwriting it with old figures.
    assert cluster.ask(f"approve {cluster.seed['waiting']['JYJ']}") == {"ok": True}
    patched = cluster.ask(f"totals {run}")
    assert patched["MZJ"] == "67.90"
    assert patched["JYJ"] != before["JYJ"]
    # No stale figure anywhere: a full computation from the rows gives the same totals.
    fresh = cluster.ask("compute")["run"]
    assert cluster.ask(f"totals {fresh}") == patched
    assert _results(office, cluster.a, run) == patched


def _waiting_for_the_year(cluster: Cluster) -> int:
    # Inside a transaction PostgreSQL keeps showing its first view of the activity
    # table; clear it to see the sessions as they are now.
    cluster.query("SELECT pg_stat_clear_snapshot()")
    return int(
        cluster.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE '%%org_assessmentyear%%'"
        )[0][0]
    )


def test_two_processes_computing_the_same_year_at_once_store_one_version(
    cluster: Cluster,
) -> None:
    year = cluster.seed["year"]
    runs_before = cluster.query("SELECT count(*) FROM scoring_scorerun")[0][0]
    command = [PYTHON, "-m", "jixiao.core.tests.multiprocess_helper", "compute"]
    computations: list[subprocess.Popen[str]] = []
    try:
        # Hold the year's row lock so both computations are certainly under way at once.
        with cluster.db.transaction():
            cluster.db.execute("SELECT 1 FROM org_assessmentyear WHERE id = %s FOR UPDATE", (year,))
            computations = [
                subprocess.Popen(
                    command, cwd=ROOT, env=cluster.env, stdout=subprocess.PIPE, text=True
                )
                for _ in range(2)
            ]
            wait_for(
                lambda: _waiting_for_the_year(cluster) == 2,
                90,
                "both computations to wait for the year",
            )
        stored = [json.loads(c.communicate(timeout=60)[0])["run"] for c in computations]
    finally:
        for c in computations:
            if c.poll() is None:
                c.kill()
                c.wait(timeout=10)
    assert stored[0] == stored[1]
    assert cluster.query("SELECT count(*) FROM scoring_scorerun")[0][0] == runs_before + 1
