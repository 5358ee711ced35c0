"""Public rating intake through the real HTTP stack: gunicorn + PostgreSQL + a load generator.

    make bench-intake    # or:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_evaluation \\
    REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/bench_rating_intake.py [--seconds 60] [--workers 2] [--threads 32]

Migrates the database, registers 500 service windows, starts gunicorn serving the
public-only configuration (`JIXIAO_PUBLIC_ONLY=1`, the internet-facing server of
docs/deployment.md: threaded workers, taps on the lean path of evaluation/fast_intake.py
with group commit; `--plain` turns the lean path off to compare), then an asyncio load
generator taps random windows as new devices (no cookie, so every tap is a new rating;
one connection per tap, as phones do) for `--seconds`. Reports accepted ratings per
second, latency percentiles, errors, the CPU the app server and the load generator spent
per tap (the figure that does not depend on what else the machine runs), and checks that
every acknowledged rating (a 200 thank-you page) is in PostgreSQL afterwards.

Targets: ≥ 1,000 accepted ratings/s sustained for 60 s, p95 ≤ 100 ms, 0 errors, every
acknowledged rating counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from jixiao.core.testing import make_org  # noqa: E402
from jixiao.evaluation.public_models import SatisfactionRating, ServiceWindow  # noqa: E402
from jixiao.org.models import OrganizationKind  # noqa: E402

WINDOWS = 500
BODY = b"choice=5&item=&comment="


def setup() -> list[str]:
    call_command("migrate", verbosity=0)
    unit = make_org("BENCHJD", name="压测街道", kind=OrganizationKind.STREET, is_assessed_unit=True)
    have = ServiceWindow.objects.filter(unit=unit).count()
    ServiceWindow.objects.bulk_create(
        ServiceWindow(unit=unit, name=f"压测窗口{i:03d}") for i in range(have, WINDOWS)
    )
    return list(ServiceWindow.objects.filter(unit=unit).values_list("code", flat=True))


def start_server(port: int, workers: int, threads: int, plain: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JIXIAO_PUBLIC_ONLY": "1",
        "DEBUG": "0",
        "JIXIAO_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 50),
        # One load generator address: lift the per-address limits for the benchmark.
        "SATISFACTION_LIMIT_PER_ADDRESS": "1000000000",
        "SATISFACTION_BURST_PER_ADDRESS": "1000000000",
        "LOG_LEVEL": "ERROR",
        "JIXIAO_FAST_INTAKE": "0" if plain else "1",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "jixiao.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    return server


def wait_ready(port: int, code: str, workers: int) -> None:
    """Until every worker has loaded Django (each GET lands on some worker)."""
    import urllib.request

    deadline = time.time() + 120
    ok = 0
    while ok < workers * 3 and time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/r/{code}/", timeout=30).read()
            ok += 1
        except OSError:
            time.sleep(0.5)


async def tap(port: int, code: str) -> tuple[int, float, bool]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"POST /r/{code}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
    ).encode() + BODY
    writer.write(request)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    thanked = "感谢您的评价".encode() in data
    return status, time.perf_counter() - start, thanked


async def load(port: int, codes: list[str], seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    acknowledged = 0
    errors = 0
    stop = time.perf_counter() + seconds
    rng = random.Random(7)

    async def client() -> None:
        nonlocal acknowledged, errors
        while time.perf_counter() < stop:
            try:
                status, elapsed, thanked = await tap(port, rng.choice(codes))
            except OSError:
                errors += 1
                continue
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(elapsed)
            if status == 200 and thanked:
                acknowledged += 1
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "statuses": statuses,
        "acknowledged": acknowledged,
        "errors": errors,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the gunicorn workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--plain", action="store_true", help="the Django view, no lean path")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    codes = setup()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    before = SatisfactionRating.objects.count()
    server = start_server(args.port, args.workers, args.threads, args.plain)
    wait_ready(args.port, codes[0], args.workers)
    server_cpu = cpu_seconds(server.pid)
    own_cpu = time.process_time()
    try:
        result = asyncio.run(load(args.port, codes, args.seconds, args.concurrency))
        server_cpu = cpu_seconds(server.pid) - server_cpu
        own_cpu = time.process_time() - own_cpu
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    stored = SatisfactionRating.objects.count() - before
    lat = sorted(result["latencies"])
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: 0)
    rate = result["acknowledged"] / result["elapsed"]
    print(f"{result['acknowledged']:,} acknowledged in {result['elapsed']:.1f} s = {rate:,.0f}/s")
    print(
        f"latency p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms, "
        f"mean {statistics.fmean(lat) * 1000 if lat else 0:.1f} ms"
    )
    print(f"statuses {result['statuses']}, errors {result['errors']}")
    print(f"rows stored {stored:,} (acknowledged {result['acknowledged']:,})")
    taps = max(1, sum(result["statuses"].values()))
    print(
        f"CPU per tap: app server {server_cpu / taps * 1000:.2f} ms, "
        f"load generator {own_cpu / taps * 1000:.2f} ms "
        f"({'Django view' if args.plain else 'lean path, group commit'}, "
        f"{args.workers} workers × {args.threads} threads)"
    )
    loads = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load averages (1, 5, 15 min) {loads} on {os.cpu_count()} CPUs")
    ok = (
        rate >= 1000
        and p(0.95) <= 100
        and result["errors"] == 0
        and stored == result["acknowledged"]
    )
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
