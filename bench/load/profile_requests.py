"""What each request of the load test costs, in process, without the load: CPU, wall time
and queries per page kind, and where the CPU goes (cProfile) for one kind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jload .venv/bin/python \
        bench/load/profile_requests.py [--repeat 30] [--profile "the grid"]

Needs the load test's template database (`run.py` builds it once beside DATABASE_URL's
database); copies it to `<name>_prof`, plans a small crowd with `seed.py plan` and sends
each kind of request through Django's test client with that user's session cookie, the
settings as the load test's app server has them (DEBUG off, Redis for cache and
sessions). The load test's tail is the queueing of these costs on two shared cores, so
this is where to look first when its p95 moves.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "load"))

from run import _demo_fingerprint, _with_db, app_settings, load_redis_url  # noqa: E402

COUNTS = {"clerks": 20, "uploaders": 4, "reviewers": 4, "units": 8, "leaders": 2}


def _copy_template(url: str) -> str:
    import psycopg

    base = urlsplit(url).path.lstrip("/") or "jixiao"
    template, name = f"{base}_load_tpl_{_demo_fingerprint()}", f"{base}_prof"
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            raise SystemExit(f"no {template}: run bench/load/run.py once first")
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    copy = _with_db(url, name)
    with psycopg.connect(copy, autocommit=True) as db:
        db.execute("ANALYZE")  # as autovacuum would have by the time users arrive
    return copy


def _requests(plan: dict[str, Any], extra: list[str]) -> dict[str, Callable[[], Any]]:
    """One callable per request kind of the locustfile, each as its persona sends it."""
    from django.test import Client

    def client(session: str) -> Client:
        c = Client()
        c.cookies["sessionid"] = session
        return c

    clerk = plan["clerks"][0]
    clerk_client = client(clerk["session"])
    tab = clerk["tabs"][0]
    row = tab["rows"][0]
    grid = f"/collection/periods/{clerk['period']}/workspace/?indicator={tab['indicator']}"
    turn = {"save": 0, "upload": 0}

    def save() -> Any:
        values = row["values"][turn["save"] % len(row["values"])]
        turn["save"] += 1
        prefix = f"u{row['unit']}"
        data = {f"{prefix}.{k}": v for k, v in values.items()}
        data[f"{prefix}.reason"] = row["reason"]
        data[f"{prefix}.version"] = "" if row["version"] is None else str(row["version"])
        response = clerk_client.post(grid, data)
        assert response.status_code == 302, _problem(response)
        row["version"] = (row["version"] or 0) + 1

    uploader = plan["uploaders"][0]
    upload_client = client(uploader["session"])

    def upload() -> Any:
        # The locustfile's CSV (not imported: locust patches the standard library).
        lines = ["单位编码,指标编码,数值,基准值,等次,计分说明"]
        for r in uploader["rows"]:
            values = r["values"][turn["upload"] % len(r["values"])]
            columns = [values.get(k, "") for k in ("value", "reference", "grade")]
            lines.append(",".join([r["unit_code"], r["indicator_code"], *columns, r["reason"]]))
        turn["upload"] += 1
        payload = io.BytesIO(("\n".join(lines) + "\n").encode())
        payload.name = "填报.csv"
        response = upload_client.post(
            f"/collection/periods/{uploader['period']}/upload/", {"file": payload}
        )
        assert response.status_code in (200, 302), _problem(response)

    reviewer = plan["reviewers"][0]
    review_client = client(reviewer["session"])
    entry = reviewer["entries"][0]["pk"] if reviewer["entries"] else None
    unit = plan["units"][0]
    leader = plan["leaders"][0]

    def get(c: Client, url: str) -> Callable[[], Any]:
        def fetch() -> Any:
            response = c.get(url)
            assert response.status_code == 200, _problem(response)

        return fetch

    kinds = {
        "the grid": get(clerk_client, grid),
        "save a grid row": save,
        "upload a workbook": upload,
        "the review queue": get(review_client, "/collection/review/"),
        "a report card": get(
            client(unit["session"]), f"/scoring/runs/{unit['run']}/units/{unit['unit']}/"
        ),
        "rankings": get(
            client(leader["session"]),
            f"/scoring/runs/{leader['run']}/rankings/{leader['categories'][0]}/",
        ),
    }
    if entry is not None:
        kinds["an entry"] = get(review_client, f"/collection/entries/{entry}/")
    for url in extra:  # any other page, as the clerk
        kinds[url] = get(clerk_client, url)
    return kinds


def _queries_of(send: Callable[[], Any]) -> list[str]:
    from django.db import connection

    queries: list[str] = []

    def count(run: Any, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return run(sql, *args)
        finally:
            queries.append(f"{(time.perf_counter() - started) * 1000:6.1f} ms  {sql}")

    with connection.execute_wrapper(count):
        send()
    return queries


def _problem(response: Any) -> str:
    import re

    text = response.content.decode(errors="replace")
    found = re.findall(r"(?:alert|invalid-feedback|errorlist)[^>]*>\s*([^<]{2,200})", text)
    return f"{response.status_code}: {found[:3]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", help="a request kind to profile, e.g. 'the grid'")
    parser.add_argument("--url", action="append", default=[], help="also this page, as a clerk")
    parser.add_argument("--sql", action="store_true", help="print each kind's queries")
    parser.add_argument("--top", type=int, default=35, help="rows of the profile to print")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to the PostgreSQL server the load test uses")
    copy = _copy_template(url)
    work = Path(tempfile.mkdtemp(prefix="jixiao-prof-"))
    os.environ.update(
        app_settings(work),
        DATABASE_URL=copy,
        REDIS_URL=load_redis_url(),
        LOAD_COUNTS=json.dumps(COUNTS),
        ALLOWED_HOSTS="testserver",
    )
    plan_path = work / "plan.json"
    subprocess.run(
        [sys.executable, "bench/load/seed.py", "plan", json.dumps(COUNTS), str(plan_path)],
        cwd=ROOT,
        check=True,
    )
    os.environ.update(LOAD_PLAN=str(plan_path), LOAD_ACKS=str(work / "acks.jsonl"))
    import django

    django.setup()
    plan = json.loads(plan_path.read_text())
    kinds = _requests(plan, options.url)
    for send in kinds.values():  # first use: imports, template and URL caches
        for _ in range(3):
            send()
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(options.repeat):
            kinds[options.profile]()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(options.top)
        stats.sort_stats("tottime").print_stats(options.top)
        print(out.getvalue())
        return 0
    print(f"{'kind':<20} {'CPU ms':>7} {'wall ms':>8} {'queries':>8}")
    for name, send in kinds.items():
        cpu, wall = [], []
        queries = _queries_of(send)
        for _ in range(options.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            send()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        if options.sql:
            print("\n".join(f"    {sql[:160]}" for sql in queries))
        print(
            f"{name:<20} {statistics.median(cpu) * 1000:7.1f} "
            f"{statistics.median(wall) * 1000:8.1f} {len(queries):8d}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
