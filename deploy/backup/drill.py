"""The backup and point-in-time restore drill, on a PostgreSQL cluster of its own.

    .venv/bin/python deploy/backup/drill.py [--keep]

Never touches the machine's own PostgreSQL: it creates a temporary cluster (initdb on a
free port under /tmp, with WAL archiving as deploy/backup/postgresql-backup.conf sets
it), loads the demo district (`migrate`, `load_demo`), takes a base backup with
`backup.sh`, makes changes through the actions (drill_helper.py), notes the time,
checksums every table, makes more changes, copies the media again, restores with
`restore.sh` to the noted time into a second cluster, and proves that the restored
database equals the source at that moment: the same row count and checksum in every
table, the audit trail's append-only triggers present and refusing a DELETE, every
media file the database refers to present with its bytes, and the later changes absent.
Prints one JSON report; exits 1 if any check fails. Everything is removed at the end
(--keep leaves /tmp/jixiao-drill-*). When run as root, PostgreSQL runs as `postgres`.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PYTHON = sys.executable
PG_BIN = Path(
    sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))[-1]
)
AS_ROOT = os.geteuid() == 0
PG_USER = "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg(args: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *args] if AS_ROOT else args


def _run(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Cluster:
    def __init__(self, data: Path, port: int, log: Path) -> None:
        self.data, self.port, self.log = data, port, log

    def start(self) -> None:
        _run(
            _as_pg(
                [
                    f"{PG_BIN}/pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-w",
                    "-t",
                    "120",
                    "start",
                ]
            )
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_pg([f"{PG_BIN}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=60,
                check=False,
            )

    def connect(self, dbname: str = "jixiao") -> psycopg.Connection[Any]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/jixiao"


def _table_sums(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over every row's text, rows in a fixed order, per table."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    sums = {}
    for table in tables:
        count, digest = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
            f' FROM "{table}" t'
        ).fetchone()
        sums[table] = (count, digest)
    return sums


def _media_sums(media: Path, names: list[str]) -> dict[str, str | None]:
    return {
        name: hashlib.sha256((media / name).read_bytes()).hexdigest()
        if (media / name).is_file()
        else None
        for name in names
    }


def drill(work: Path) -> dict[str, Any]:
    clusters: list[Cluster] = []
    try:
        return _drill(work, clusters)
    finally:
        for cluster in clusters:
            cluster.stop()


def _drill(work: Path, clusters: list[Cluster]) -> dict[str, Any]:
    started = time.monotonic()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round(time.monotonic() - started, 1)

    archive, backups = work / "wal", work / "backups"
    media, restored_media = work / "media", work / "restored-media"
    for d in (archive, backups, media, restored_media):
        d.mkdir()
    if AS_ROOT:
        shutil.chown(work, PG_USER)
        shutil.chown(archive, PG_USER)
    source = Cluster(work / "source", _free_port(), work / "source.log")
    clusters.append(source)
    _run(
        _as_pg(
            [
                f"{PG_BIN}/initdb",
                "-D",
                str(source.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
    )
    with (source.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"port = {source.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{work}'\n"
            "wal_level = replica\narchive_mode = on\n"
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
            "max_wal_senders = 3\nfsync = off\nsynchronous_commit = off\n"
            "full_page_writes = on\nshared_buffers = 64MB\n"
        )
    source.start()
    with source.connect("postgres") as conn:
        conn.execute("CREATE DATABASE jixiao")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO", "JIXIAO_", "PG")) and k != "REDIS_URL"
    }
    env.update(
        DATABASE_URL=source.url(),
        DJANGO_SETTINGS_MODULE="jixiao.settings",
        JIXIAO_DATA_DIR=str(work / "data"),
        MEDIA_ROOT=str(media),
        SECRET_KEY="restore-drill-" + "x" * 40,
        JIXIAO_HTTPS="0",
    )
    _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([PYTHON, "manage.py", "createcachetable"], env)
    _run([PYTHON, "manage.py", "load_demo", "--quiet"], env, timeout=600)
    lap("demo loaded")

    backup_env = {
        **env,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(source.port),
        "PGUSER": "postgres",
        "BACKUP_DIR": str(backups),
        "MEDIA_ROOT": str(media),
        "PG_BIN": str(PG_BIN),
    }
    base = Path(_run([str(HERE / "backup.sh")], backup_env).strip().splitlines()[-1])
    lap("base backup")

    helper = [PYTHON, str(HERE / "drill_helper.py")]
    _run([*helper, "change", "A"], env)
    with source.connect() as conn:
        expected = _table_sums(conn)
        (target,) = conn.execute("SELECT clock_timestamp()::text").fetchone()
    expected_files = json.loads(_run([*helper, "files"], env))
    expected_media = _media_sums(media, expected_files)
    time.sleep(1.1)
    _run([*helper, "change", "B"], env)
    with source.connect() as conn:
        later = _table_sums(conn)
        (segment,) = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
        deadline = time.monotonic() + 60
        while not (archive / segment).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"WAL segment {segment} never reached the archive")
            time.sleep(0.1)
    media_copy = Path(
        _run([str(HERE / "backup.sh"), "--media-only"], backup_env).strip().splitlines()[-1]
    )
    lap("changes and archive")

    restored = Cluster(work / "restored", _free_port(), work / "restored.log")
    clusters.append(restored)
    _run(
        [str(HERE / "restore.sh"), str(base), str(restored.data), target],
        {
            **backup_env,
            "WAL_ARCHIVE": str(archive),
            "MEDIA_BACKUP": str(media_copy),
            "MEDIA_ROOT": str(restored_media),
            "PG_PORT": str(restored.port),
            "PG_EXTRA_CONF": f"archive_mode = off\nunix_socket_directories = '{work}'",
        },
    )
    restored.start()
    with restored.connect() as conn:
        deadline = time.monotonic() + 120
        while conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            if time.monotonic() > deadline:
                raise RuntimeError("the restored cluster never left recovery")
            time.sleep(0.2)
        lap("restored")
        actual = _table_sums(conn)
        triggers = sorted(
            r[0]
            for r in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass"
                " AND NOT tgisinternal"
            )
        )
        try:
            conn.execute(
                "DELETE FROM audit_auditevent WHERE id = (SELECT min(id) FROM audit_auditevent)"
            )
            delete_refused = False
        except psycopg.Error:
            delete_refused = True
    restored_media_sums = _media_sums(restored_media, expected_files)

    differing = sorted(
        t for t in expected.keys() | actual.keys() if expected.get(t) != actual.get(t)
    )
    changed_later = sorted(t for t in expected if expected[t] != later.get(t))
    checks = {
        "every table equal at the target time": not differing,
        "the later changes are absent": bool(changed_later)
        and all(actual.get(t) != later[t] for t in changed_later),
        "audit triggers present": triggers
        == ["audit_auditevent_no_truncate", "audit_auditevent_no_update_delete"],
        "audit DELETE refused": delete_refused,
        "media present and identical": bool(expected_files)
        and restored_media_sums == expected_media,
    }
    lap("compared")
    return {
        "ok": all(checks.values()),
        "checks": checks,
        "target_time": target,
        "tables": len(expected),
        "rows": sum(c for c, _ in expected.values()),
        "audit_rows": expected["audit_auditevent"][0],
        "tables_differing": differing,
        "tables_changed_after_target": changed_later,
        "media_files": len(expected_files),
        "seconds": timings,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jixiao-drill-"))
    work.chmod(0o755)
    try:
        report = drill(work)
    except Exception:
        for log in ("source.log", "restored.log"):
            if (work / log).exists():
                print(f"--- {log}\n" + (work / log).read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
