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
import time
from concurrent.futures import Future
from typing import Any

from django.db import connections

log = logging.getLogger(__name__)

MAX_BATCH = 500
# After the first row, wait this long for the rows of the taps being answered at the same
# moment: bigger batches cost less per row, and a tap waits for a commit anyway.
LINGER_SECONDS = 0.002
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


#: A row and the future its request waits on.
Item = tuple[tuple[Any, ...], Future[bool]]


class GroupCommitter:
    def __init__(self, max_batch: int = MAX_BATCH, linger: float = LINGER_SECONDS) -> None:
        self.max_batch = max_batch
        self.linger = linger
        self._queue: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
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

    def close(self) -> None:
        """Write what is queued, close the thread's connection and end it (tests, and a
        worker shutting down); the next submit starts a new thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout=30)

    def _take(self) -> tuple[list[Item], bool]:
        """The rows waiting (at least one, at most max_batch); True once told to stop."""
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        lingered = False
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if lingered or not self.linger:
                    break
                lingered = True
                time.sleep(self.linger)
                continue
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _run(self) -> None:
        stop = False
        while not stop:
            batch, stop = self._take()
            if batch:
                self._write(batch)
        connections["default"].close()

    def _write(self, batch: list[Item]) -> None:
        try:
            # The thread keeps its connection (CONN_MAX_AGE is for request threads); one
            # that failed is closed below, and Django opens a new one for the next batch.
            stored = write_batch([row for row, _ in batch])
        except Exception as error:  # every request of the batch learns it failed
            log.exception("group commit of %s ratings failed", len(batch))
            connections["default"].close()
            for _, future in batch:
                future.set_exception(error)
            return
        self.batches += 1
        for (_, future), ok in zip(batch, stored, strict=True):
            future.set_result(ok)


committer = GroupCommitter()
