"""Group commit of public ratings: many taps, one INSERT, one commit, then every answer.

A threaded app server process (gunicorn `gthread`) answers many taps at once. Each
request thread hands its row to the process's one `GroupCommitter` and waits; the
committer's thread takes every row waiting (up to `MAX_BATCH`), writes them with one
multi-row `INSERT … ON CONFLICT (window, device, day) DO NOTHING RETURNING` in
autocommit, and only then wakes each request with whether its row was stored. So:

* a thank-you page is sent only after its row is committed (durable: the commit is
  PostgreSQL's, with its fsync);
* the unique constraint still decides one rating per device, window and day, even for
  identical taps in one batch (the first is stored, the others are told “already”);
* a failed batch answers every request in it with an error, never with a thank-you.

One fsync serves a whole batch, which is where the throughput comes from: the rows of a
second's taps cost a handful of commits instead of a thousand (bench/README.md).
PostgreSQL only; the embedded SQLite mode keeps the one-row path of `intake`.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from django.db import close_old_connections, connections

log = logging.getLogger(__name__)

MAX_BATCH = 500
COLUMNS = (
    "window_id, unit_id, day, device, choice, item, comment, address, status, quarantine_reason"
)
ROW = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())"


def insert_sql(n: int) -> str:
    """n rows of placeholders: constants only, every value is a parameter."""
    rows = ", ".join([ROW] * n)
    return (
        f"INSERT INTO evaluation_satisfactionrating ({COLUMNS}, created_at) VALUES {rows}"  # noqa: S608
        " ON CONFLICT (window_id, device, day) DO NOTHING RETURNING window_id, device, day"
    )


def write_batch(rows: list[tuple[Any, ...]]) -> list[bool]:
    """Insert the rows in one statement (autocommit); per row, whether it was stored.

    Identical keys in one batch: the database stores one row, and only the first of them
    is told so.
    """
    connection = connections["default"]
    params: list[Any] = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(insert_sql(len(rows)), params)
        inserted = {(w, d, str(day)) for w, d, day in cursor.fetchall()}
    stored = []
    for window_id, _unit, day, device, *_rest in rows:
        key = (window_id, device, str(day))
        stored.append(key in inserted)
        inserted.discard(key)
    return stored


class GroupCommitter:
    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[tuple[Any, ...], Future[bool]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0  # for the benchmark's report and the tests

    def submit(self, row: tuple[Any, ...]) -> Future[bool]:
        """Queue one row; the future's result says whether it was stored (after commit)."""
        self._ensure_thread()
        future: Future[bool] = Future()
        self._queue.put((row, future))
        return future

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:  # one thread per process (and again in a forked worker)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="jixiao-group-commit", daemon=True
                )
                self._thread.start()

    def _take(self) -> list[tuple[tuple[Any, ...], Future[bool]]]:
        batch = [self._queue.get()]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            try:
                close_old_connections()  # a broken connection is replaced, not reused
                stored = write_batch([row for row, _ in batch])
            except Exception as error:  # every request of the batch learns it failed
                log.exception("group commit of %s ratings failed", len(batch))
                connections["default"].close()
                for _, future in batch:
                    future.set_exception(error)
                continue
            self.batches += 1
            for (_, future), ok in zip(batch, stored, strict=True):
                future.set_result(ok)


committer = GroupCommitter()
