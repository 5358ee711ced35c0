"""Hostile uploads: each class refused in <= 2 s and <= 200 MB extra memory, and eight of
them at once leave a running server answering other users within 1 s.

    .venv/bin/python bench/bench_hostile_uploads.py                 # both parts, SQLite
    .venv/bin/python bench/bench_hostile_uploads.py --doors-only    # part 1 only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_upload .venv/bin/python bench/...

Part 1 (doors): every class of `jixiao/core/tests/hostile.py` at every door that reads it
(collection upload and evidence with the large limits, organization and scheme import
with the default ones, the scheme JSON door), each in a fresh forked process: wall time
of the refusal and the peak memory above the process's own before the call (the
sandboxed child's peak RSS minus what it shared at the fork).

Part 2 (server): gunicorn as `make run` starts it (2 workers x 8 threads) on 127.0.0.1
against a scratch database; a unit user's home page is requested every 100 ms while
eight departments upload the slowest hostile files at once. Reported: the slowest answer
to that user during the storm, every upload's status and time, the server's peak
proportional memory (PSS, all its processes) above idle.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
os.environ.setdefault("JIXIAO_HTTPS", "0")
SCRATCH = Path(tempfile.gettempdir()) / "jixiao_hostile_bench.sqlite3"
if "DATABASE_URL" not in os.environ:
    SCRATCH.unlink(missing_ok=True)  # a fresh scratch database each run
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}"

import django  # noqa: E402

TARGET_S = 2.0
TARGET_MB = 200
TARGET_PROBE_S = 1.0


# -- part 1 ----------------------------------------------------------------------------


class Named:
    def __init__(self, data: bytes, name: str) -> None:
        import io

        self.file = io.BytesIO(data)
        self.name = name
        self.size = len(data)

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seek(self, position: int) -> int:
        return self.file.seek(position)


def _doors() -> list[tuple[str, str, Callable[[], bytes], Callable[[bytes], str]]]:
    """(door, class, file builder, door call returning its refusal message)."""
    from jixiao.collection import evidence, spreadsheet
    from jixiao.core.excel import DEFAULT_LIMITS, LARGE_LIMITS, SpreadsheetError, read_upload
    from jixiao.core.tests import hostile
    from jixiao.org import importing
    from jixiao.scheme import excel_io, jsonio

    def table_door(required: list[str], optional: list[str], limits: Any, name: str) -> Any:
        def call(data: bytes) -> str:
            try:
                table = read_upload(Named(data, name), required, optional, limits=limits)
            except SpreadsheetError as error:
                return str(error)
            # Row errors (hidden rows, control characters) refuse the whole import too.
            return str(table.errors[0]) if table.errors else "ACCEPTED"

        return call

    def scheme_xlsx(data: bytes) -> str:
        try:
            errors = excel_io.parse_workbook(Named(data, "s.xlsx"))[2]  # type: ignore[arg-type]
        except SpreadsheetError as error:
            return str(error)
        return str(errors[0]) if errors else "ACCEPTED"

    def scheme_json(data: bytes) -> str:
        errors = jsonio.parse_document(Named(data, "s.json"))[3]  # type: ignore[arg-type]
        return str(errors[0]) if errors else "ACCEPTED"

    def evidence_door(data: bytes) -> str:
        try:
            evidence.inspect_upload(Named(data, "e.xlsx"))
        except evidence.EvidenceRejected as error:
            return str(error)
        return "ACCEPTED"

    collection = spreadsheet.HEADERS
    scheme = [*excel_io.REQUIRED, "党群类分值[DQ]"]
    doors: list[tuple[str, str, Callable[[], bytes], Callable[[bytes], str]]] = []
    for kind, build in hostile.XLSX_CLASSES.items():
        doors += [
            (
                "collection",
                kind,
                lambda b=build: b(collection, LARGE_LIMITS),
                table_door(spreadsheet.REQUIRED, spreadsheet.OPTIONAL, LARGE_LIMITS, "x.xlsx"),
            ),
            (
                "org",
                kind,
                lambda b=build: b(importing.COLUMNS, DEFAULT_LIMITS),
                table_door(importing.REQUIRED, importing.COLUMNS, DEFAULT_LIMITS, "x.xlsx"),
            ),
            ("scheme", kind, lambda b=build: b(scheme, DEFAULT_LIMITS), scheme_xlsx),
        ]
        if kind not in hostile.HARMLESS_AS_EVIDENCE:
            doors.append(
                ("evidence", kind, lambda b=build: b(collection, LARGE_LIMITS), evidence_door)
            )
    for kind, build in hostile.CSV_CLASSES.items():
        doors += [
            (
                "collection",
                kind,
                lambda b=build: b(collection, LARGE_LIMITS),
                table_door(spreadsheet.REQUIRED, spreadsheet.OPTIONAL, LARGE_LIMITS, "x.csv"),
            ),
            (
                "org",
                kind,
                lambda b=build: b(importing.COLUMNS, DEFAULT_LIMITS),
                table_door(importing.REQUIRED, importing.COLUMNS, DEFAULT_LIMITS, "x.csv"),
            ),
        ]
    for kind, build in hostile.JSON_CLASSES.items():
        doors.append(("scheme-json", kind, build, scheme_json))
    doors.append(("evidence", "docx_bomb", hostile.docx_bomb, evidence_door))
    return doors


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def _measure(call: Callable[[bytes], str], data: bytes, out: Any) -> None:
    from django.utils import translation

    translation.activate("zh-hans")
    before = _rss_kb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    message = call(data)
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + child.ru_utime + child.ru_stime - cpu_before
    peak = max(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )
    out.send((elapsed, cpu, max(0, peak - before) / 1024, message))


def run_doors() -> bool:
    from jixiao.core.tests import hostile

    context = multiprocessing.get_context("fork")
    print(f"{'door':12} {'class':24} {'file':>9} {'time':>7} {'cpu':>6} {'extra':>8}  refusal")
    ok = True
    for door, kind, build, call in _doors():
        data = build()
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_measure, args=(call, data, sender))
        child.start()
        elapsed, cpu, extra_mb, message = receiver.recv()
        child.join()
        refused = message != "ACCEPTED"
        expected = hostile.REFUSALS.get(kind, "")
        good = refused and elapsed <= TARGET_S and extra_mb <= TARGET_MB
        ok = ok and good
        print(
            f"{door:12} {kind:24} {len(data) / 1e6:7.2f}MB {elapsed:6.2f}s {cpu:5.2f}s "
            f"{extra_mb:6.0f}MB  "
            f"{'' if good else 'MISS '}{message[:60]}"
            + ("" if expected in message else f"  (expected {expected})")
        )
    return ok


# -- part 2 ----------------------------------------------------------------------------


def _prepare() -> dict[str, Any]:
    """A department with an open period and a unit user; their session cookies."""
    from django.core.management import call_command
    from django.test import Client

    from jixiao.accounts.roles import Role
    from jixiao.collection.tests import factories as f
    from jixiao.core.testing import login, make_org, make_user
    from jixiao.org.models import AssessmentYear

    call_command("migrate", verbosity=0)
    year = AssessmentYear.objects.filter(year=2097).first() or f.make_year(2097)
    category = f.make_category(year, code="HB")
    department = make_org("HBDEPT", is_department=True)
    unit = make_org("HBUNIT", is_assessed_unit=True)
    f.enroll(unit, category, 50)
    scheme = f.make_scheme(year)
    f.make_indicator(scheme, "HB01", department, points={category: 10})
    period = f.make_period(scheme)
    entry = f.make_entry(period, scheme.indicators.get(code="HB01"), unit)
    sessions = []
    for i in range(8):
        user = make_user(f"hb_dept_{time.time_ns()}_{i}", Role.DEPARTMENT, department)
        sessions.append(login(Client(), user).cookies["sessionid"].value)
    reader = make_user(f"hb_unit_{time.time_ns()}", Role.UNIT, unit)
    return {
        "period": period.pk,
        "entry": entry.pk,
        "departments": sessions,
        "unit": login(Client(), reader).cookies["sessionid"].value,
    }


def _pss_kb(root: int) -> int:
    """Proportional memory of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except OSError:
                continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                match = re.search(r"^Pss:\s+(\d+)", rollup.read(), re.M)
                total += int(match.group(1)) if match else 0
        except OSError:
            continue
    return total


def run_server(port: int, workers: int, threads: int) -> bool:
    import requests

    from jixiao.collection import spreadsheet
    from jixiao.core.excel import LARGE_LIMITS
    from jixiao.core.tests import hostile

    if not port:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    world = _prepare()
    env = {**os.environ, "JIXIAO_HTTPS": "0"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "jixiao.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _i in range(100):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn did not start on port {port}")
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        reader = requests.Session()
        reader.cookies.set("sessionid", world["unit"])
        for _i in range(5):
            reader.get(f"{base}/", timeout=10)
        idle_pss = _pss_kb(server.pid)
        files = [
            ("填报.xlsx", hostile.padded_rows(spreadsheet.HEADERS, LARGE_LIMITS), "upload"),
            ("填报.xlsx", hostile.many_shared_strings(spreadsheet.HEADERS, LARGE_LIMITS), "upload"),
            ("填报.csv", hostile.huge_csv(spreadsheet.HEADERS, LARGE_LIMITS), "upload"),
            ("填报.xlsx", hostile.padded_bomb(spreadsheet.HEADERS, LARGE_LIMITS), "upload"),
            ("佐证.xlsx", hostile.padded_rows(spreadsheet.HEADERS, LARGE_LIMITS), "evidence"),
            ("佐证.docx", hostile.docx_bomb(), "evidence"),
            ("填报.xlsx", hostile.far_corner(spreadsheet.HEADERS), "upload"),
            ("填报.xlsx", hostile.lying_size(spreadsheet.HEADERS), "upload"),
        ]
        results: list[tuple[str, int, float, str]] = []
        start = threading.Barrier(len(files) + 1)

        def upload(session_id: str, name: str, data: bytes, door: str) -> None:
            client = requests.Session()
            client.cookies.set("sessionid", session_id)
            url = (
                f"{base}/collection/periods/{world['period']}/upload/"
                if door == "upload"
                else f"{base}/collection/entries/{world['entry']}/evidence/"
            )
            page = client.get(url if door == "upload" else url.replace("evidence/", ""))
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            start.wait()
            began = time.perf_counter()
            response = client.post(
                url,
                data={"csrfmiddlewaretoken": token.group(1) if token else ""},
                files={"file": (name, data)},
                timeout=120,
            )
            said = re.findall(r"(?:alert[^>]*>|<td>)\s*([^<]{4,80})", response.text)
            results.append(
                (name, response.status_code, time.perf_counter() - began, (said or ["?"])[-1])
            )

        uploaders = [
            threading.Thread(target=upload, args=(world["departments"][i], *files[i]))
            for i in range(len(files))
        ]
        for uploader in uploaders:
            uploader.start()
        latencies: list[float] = []
        peak_pss = idle_pss
        start.wait()
        storm_began = time.perf_counter()
        while any(t.is_alive() for t in uploaders):
            began = time.perf_counter()
            status = reader.get(f"{base}/", timeout=30).status_code
            latencies.append(time.perf_counter() - began)
            assert status == 200, status
            peak_pss = max(peak_pss, _pss_kb(server.pid))
            time.sleep(0.1)
        storm = time.perf_counter() - storm_began
        for uploader in uploaders:
            uploader.join()
        print(f"\n8 hostile uploads at once, {workers} workers x {threads} threads")
        print(f"(storm {storm:.1f} s, load average {os.getloadavg()[0]:.1f}):")
        for name, status, elapsed, said in results:
            print(f"  {name:10} HTTP {status}  {elapsed:5.2f} s  {said.strip()[:60]}")
        worst = max(latencies)
        print(
            f"other user's home page during the storm: {len(latencies)} requests, "
            f"median {statistics.median(latencies) * 1000:.0f} ms, max {worst * 1000:.0f} ms "
            f"(target <= {TARGET_PROBE_S * 1000:.0f} ms)"
        )
        print(
            f"server memory (PSS, all processes): idle {idle_pss / 1024:.0f} MB, "
            f"peak {peak_pss / 1024:.0f} MB (+{(peak_pss - idle_pss) / 1024:.0f} MB)"
        )
        alive = requests.get(f"{base}/healthz", timeout=5).status_code == 200
        print(f"server alive afterwards: {alive}")
        return worst <= TARGET_PROBE_S and alive and all(s < 500 for _n, s, _e, _m in results)
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doors-only", action="store_true")
    parser.add_argument("--server-only", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=2, help="as make run: 2")
    parser.add_argument("--threads", type=int, default=8, help="as make run: 8")
    args = parser.parse_args()
    django.setup()
    print(f"load average {os.getloadavg()[0]:.1f}; database {os.environ['DATABASE_URL']}")
    ok = True
    if not args.server_only:
        ok = run_doors() and ok
    if not args.doors_only:
        ok = run_server(args.port, args.workers, args.threads) and ok
    print("all targets met" if ok else "SOME TARGETS MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
