"""The deadline-rush load test: locust against gunicorn + PostgreSQL + Redis + a worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/load/run.py \
        --users 200 --seconds 60          # or: make bench-load LOAD_USERS=200 LOAD_SECONDS=60

Builds (once, then reused) a template database `<name>_load_tpl` with the demo district,
copies it to `<name>_load` for each run, scales it up and plans the users' work
(seed.py), starts one gunicorn app server (deploy/gunicorn.conf.py; GUNICORN_WORKERS ×
GUNICORN_THREADS, default 16 × 1) and a Celery worker on that database and a Redis
database of its own (LOAD_REDIS_DB, default 8, flushed), runs locust headless for the
given time, then checks every acknowledged save against the database (seed.py verify).
Traffic goes to 127.0.0.1 only. Prints a JSON report (and the machine's load average
before and after); exits 1 if a check failed, and with --targets also if p95 > 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from jixiao.core.tests.processes import end, free_port, redis_up, spawn, wait_for  # noqa: E402

PYTHON = sys.executable
SHARES = {"clerks": 0.5, "uploaders": 0.1, "reviewers": 0.1, "units": 0.2, "leaders": 0.1}


def counts_for(users: int) -> dict[str, int]:
    counts = {k: max(1, int(users * share)) for k, share in SHARES.items()}
    counts["clerks"] += users - sum(counts.values())
    return counts


def _uptime() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes, best of three: how fast this machine's
    cores are right now. A shared machine's speed drifts (twice as slow one hour as the
    hour before has been seen), and the test's tail drifts with it (bench/load/README.md)."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


SCALE_VERSION = b"scale-1"  # bump when seed.py's `scale` changes: the template is rebuilt


def _demo_fingerprint() -> str:
    digest = hashlib.sha256(SCALE_VERSION)
    for path in sorted(
        [
            *ROOT.glob("jixiao/*/migrations/*.py"),
            *ROOT.glob("jixiao/*/demo*.py"),
            *ROOT.glob("jixiao/*/demo/*.py"),
        ]
    ):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def app_settings(work: Path) -> dict[str, str]:
    """The app server's settings for the load test (production-like: DEBUG off), its files
    under `work`."""
    return {
        "DJANGO_SETTINGS_MODULE": "jixiao.settings",
        "SECRET_KEY": "load-test-key-" + "x" * 40,
        "DEBUG": "0",
        "JIXIAO_HTTPS": "0",
        "JIXIAO_MANIFEST_STATIC": "0",
        "JIXIAO_DATA_DIR": str(work),
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
    }


def load_redis_url() -> str:
    return f"redis://127.0.0.1:6379/{os.environ.get('LOAD_REDIS_DB', '8')}"


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    parser.add_argument("--think", type=float, default=1.0, help="scales the users' pauses")
    parser.add_argument("--targets", action="store_true", help="also fail if p95 > 200 ms")
    parser.add_argument("--workers", default=os.environ.get("GUNICORN_WORKERS", "16"))
    parser.add_argument("--threads", default=os.environ.get("GUNICORN_THREADS", "1"))
    parser.add_argument(
        "--worker-class", default=os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
    )
    parser.add_argument(
        "--reset-stats", action="store_true", help="measure only once every user has started"
    )
    options = parser.parse_args()

    import psycopg
    import redis

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "set DATABASE_URL to a PostgreSQL server (the load database is made there)"
        )
    if not redis_up():
        raise SystemExit("needs Redis at 127.0.0.1:6379")
    base_name = urlsplit(url).path.lstrip("/") or "jixiao"
    template, name = f"{base_name}_load_tpl_{_demo_fingerprint()}", f"{base_name}_load"
    work = Path(tempfile.mkdtemp(prefix="jixiao-load-"))
    redis_url = load_redis_url()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO", "JIXIAO_", "GUNICORN_"))
        and k not in {"REDIS_URL", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    env.update(app_settings(work))
    admin_url = _with_db(url, "postgres")
    report: dict[str, Any] = {
        "users": options.users,
        "seconds": options.seconds,
        "load_before": _uptime(),
    }
    started_build = time.monotonic()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [template]
        ).fetchone()
        if not exists:
            for (old,) in admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{base_name}_load_tpl_%"]
            ).fetchall():
                admin.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{template}"')
            build_env = {**env, "DATABASE_URL": _with_db(url, template)}
            for command in (["migrate", "--noinput", "-v0"], ["load_demo", "--quiet"]):
                subprocess.run(
                    [PYTHON, "manage.py", *command],
                    cwd=ROOT,
                    env=build_env,
                    check=True,
                    timeout=900,
                )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    env["DATABASE_URL"] = _with_db(url, name)
    counts = counts_for(options.users)
    plan_path, acks_path = work / "plan.json", work / "acks.jsonl"
    subprocess.run(
        [PYTHON, "bench/load/seed.py", "plan", json.dumps(counts), str(plan_path)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
    )
    plan = json.loads(plan_path.read_text())
    report["setup_seconds"] = round(time.monotonic() - started_build, 1)
    report["cpu_probe_before"] = cpu_probe()
    report["scaled"] = {
        k: plan[k] for k in ("clerk_accounts", "unit_accounts", "editable_cells", "waiting_entries")
    }
    report["locust_users"] = counts
    redis.Redis.from_url(redis_url).flushdb()
    port = free_port()
    server_env = {**env, "REDIS_URL": redis_url}
    processes = [
        spawn(
            [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "jixiao.wsgi"],
            {
                **server_env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": str(options.workers),
                "GUNICORN_THREADS": str(options.threads),
                "GUNICORN_WORKER_CLASS": options.worker_class,
                "GUNICORN_ACCESSLOG": "/dev/null",
            },
            work / "server.log",
        ),
        spawn(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "jixiao",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            server_env,
            work / "worker.log",
        ),
    ]
    try:
        import requests

        def healthy() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
            except requests.RequestException:
                return False

        wait_for(healthy, 90, "the app server's /healthz")
        _warm_up(f"http://127.0.0.1:{port}", plan, int(options.workers) * int(options.threads))
        started = datetime.now(UTC).isoformat()
        report["load_at_start"] = _uptime()
        locust = subprocess.run(
            [
                str(Path(PYTHON).parent / "locust"),
                "-f",
                "bench/load/locustfile.py",
                "--headless",
                "-u",
                str(options.users),
                "-r",
                str(options.spawn_rate),
                "-t",
                f"{options.seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "stats"),
                "--only-summary",
                *(["--reset-stats"] if options.reset_stats else []),
                "--stop-timeout",
                "15",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_PLAN": str(plan_path),
                "LOAD_ACKS": str(acks_path),
                "LOAD_COUNTS": json.dumps(counts),
                "LOAD_THINK": str(options.think),
            },
            capture_output=True,
            text=True,
            timeout=options.seconds + 180,
            check=False,
        )
        report["load_at_end"] = _uptime()
    finally:
        for process in processes:
            end(process)
    report["cpu_probe_after"] = cpu_probe()
    verified = subprocess.run(
        [PYTHON, "bench/load/seed.py", "verify", str(plan_path), str(acks_path), started],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report["saves"] = json.loads(verified.stdout)
    report["requests"] = _stats(work / "stats_stats.csv")
    report["failures"] = _failures(work / "stats_failures.csv")
    report["exceptions"] = _failures(work / "stats_exceptions.csv")
    overall = report["requests"].get("Aggregated", {})
    report["p95_ms"] = overall.get("p95_ms")
    report["errors"] = overall.get("failures", 0)
    report["ok"] = bool(
        report["saves"]["ok"]
        and report["errors"] == 0
        and not report["exceptions"]
        and overall.get("count")
    )
    report["p95_target_met"] = report["p95_ms"] is not None and report["p95_ms"] <= 200
    if not overall.get("count"):
        report["locust_output"] = (locust.stdout + locust.stderr)[-3000:]
    server_log = (work / "server.log").read_text()[-2000:]
    if "Traceback" in server_log or "Error" in server_log:
        report["server_log_tail"] = server_log
    if not report["ok"]:  # keep the whole logs of a failed run for whoever reads it
        kept = Path(tempfile.mkdtemp(prefix="jixiao-load-logs-"))
        for log in ("server.log", "worker.log"):
            if (work / log).exists():
                shutil.copy(work / log, kept / log)
        report["logs_kept"] = str(kept)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(work, ignore_errors=True)
    return 0 if report["ok"] and (report["p95_target_met"] or not options.targets) else 1


def _warm_up(host: str, plan: dict[str, Any], threads: int) -> None:
    """Every page kind, as many at once as the server has threads, several times over: a
    deadline day meets servers that have been serving, so the run should not measure
    imports, first-use caches and database connections (each a new PostgreSQL backend
    with cold catalog caches) of freshly started workers."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    pages = []
    for clerk in plan["clerks"][:4]:
        pages.append((clerk["session"], f"/collection/periods/{clerk['period']}/workspace/"))
        pages.append((clerk["session"], f"/collection/periods/{clerk['period']}/upload/"))
    for unit in plan["units"][:4]:
        pages.append((unit["session"], f"/scoring/runs/{unit['run']}/units/{unit['unit']}/"))
    for leader in plan["leaders"][:1]:
        for category in leader["categories"]:
            pages.append((leader["session"], f"/scoring/runs/{leader['run']}/rankings/{category}/"))
    for reviewer in plan["reviewers"][:2]:
        pages.append((reviewer["session"], "/collection/review/"))

    def fetch(page: tuple[str, str]) -> None:
        requests.get(host + page[1], cookies={"sessionid": page[0]}, timeout=60)

    with ThreadPoolExecutor(threads) as pool:
        for _ in range(6):
            list(pool.map(fetch, pages * max(1, threads // len(pages) + 1)))


def _stats(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            out[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _ms(row["50%"]),
                "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]),
                "max_ms": _ms(row["Max Response Time"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
    return out


def _ms(text: str) -> float | None:
    return None if text in ("", "N/A") else round(float(text))


def _failures(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open() as f:
        return [
            {
                "name": r.get("Name") or r.get("Nodes") or "",
                "error": (r.get("Error") or r.get("Message") or r.get("Traceback") or "")[:300],
                "count": r.get("Occurrences") or r.get("Count") or "",
            }
            for r in csv.DictReader(f)
        ][:20]


if __name__ == "__main__":
    sys.exit(main())
