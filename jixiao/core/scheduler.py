"""The embedded mode's stand-in for Celery beat (定时任务).

Production runs one `celery -A jixiao beat` next to the workers. The embedded default
(`make run`: SQLite, no Redis, tasks run eagerly) has no beat, yet reminders, red and
yellow cards and housekeeping must still happen on time. So each app server process
started from `jixiao/wsgi.py` tries to become the scheduler: a thread that takes an
exclusive lock file in the data directory (only one process of the machine wins, the
others stay plain app servers) and runs every entry of `CELERY_BEAT_SCHEDULE` when it is
due, in-process, with the same schedule objects beat uses (`schedule`, `crontab`).

Tasks scheduled this way must be idempotent, as they are for beat: a restart runs each
entry again one interval after start, never immediately.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from celery.schedules import schedule as every
from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

_lock_file: IO[str] | None = None


def entries() -> dict[str, tuple[str, Any]]:
    """name → (task name, a Celery schedule object) for every beat entry."""
    result: dict[str, tuple[str, Any]] = {}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        when: Any = entry["schedule"]
        if isinstance(when, int | float | timedelta):
            when = every(when if isinstance(when, timedelta) else timedelta(seconds=when))
        result[name] = (str(entry["task"]), when)
    return result


def due(
    planned: dict[str, tuple[str, Any]], last_run: dict[str, datetime]
) -> tuple[list[str], float]:
    """The entries due now, and how many seconds until the next check."""
    names, wait = [], 60.0
    for name, (_task, when) in planned.items():
        is_due, next_in = when.is_due(last_run[name])
        if is_due:
            names.append(name)
        wait = min(wait, max(1.0, float(next_in)))
    return names, wait


def run_entry(task_name: str) -> None:
    from jixiao.celery import app

    app.loader.import_default_modules()  # once per process; then a no-op
    # The thread holds its own connection: drop it when stale, as a request would — never
    # inside a transaction (a test's, or a caller's).
    in_transaction = connection.in_atomic_block
    if not in_transaction:
        close_old_connections()
    try:
        app.tasks[task_name].apply(throw=True)
    except Exception:
        logger.exception("scheduled task %s failed", task_name)
    finally:
        if not in_transaction:
            close_old_connections()


def _loop(planned: dict[str, tuple[str, Any]]) -> None:
    from jixiao.celery import app

    start = app.now()
    last_run = {name: start for name in planned}
    while True:
        names, wait = due(planned, last_run)
        for name in names:
            last_run[name] = app.now()
            run_entry(planned[name][0])
        time.sleep(wait)


def start_embedded_scheduler(lock_path: Path | None = None) -> bool:
    """Start the scheduler thread in this process if no other process has it.
    Returns whether this process became the scheduler."""
    global _lock_file
    if _lock_file is not None or not settings.JIXIAO_EMBEDDED_SCHEDULER:
        return False
    path = lock_path or Path(settings.DATA_DIR) / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _lock_file = handle  # held for the life of the process
    threading.Thread(target=_loop, args=(entries(),), name="jixiao-scheduler", daemon=True).start()
    return True
