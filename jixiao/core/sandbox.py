"""Run a parser in a child process with a hard limit on its time and memory.

Uploaded files are parsed by code we do not control byte by byte (zlib, expat, csv, json):
a hostile file must cost at most a bounded amount of CPU and memory, and must never take
the web worker down with it. `run_limited(fn)` forks, caps the child's address space
(RLIMIT_AS, relative to what the fork already maps) and CPU time (RLIMIT_CPU), runs `fn`
and sends back its result, pickled. The parent waits with a wall
clock deadline too (a child starved of CPU by other work is killed as well).

At most `PARSE_SLOTS` parses run at once per server process. A request that finds no
free slot within a quarter of a second is told to try again rather than queued: a waiting
request holds one of the server's few threads, and eight hostile uploads at once must
leave threads and CPU for everyone else. (The child keeps the worker's priority: a niced
child starved a province-size upload past its wall clock on a busy machine.)

Whatever happens in the child becomes either the result, `Refused` with the child's
Chinese message (the parser refused the file), or `LimitExceeded` (killed by a limit,
out of memory, or crashed): the worker itself only waits. The same code runs under
gunicorn, runserver and the tests (fork is cheap: the child shares the parent's pages).
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Budget:
    """What one parse may cost: CPU seconds, wall seconds, extra memory in bytes."""

    cpu_seconds: int
    wall_seconds: float
    memory_bytes: int


def default_budget() -> Budget:
    return Budget(
        cpu_seconds=settings.PARSE_CPU_SECONDS,
        wall_seconds=settings.PARSE_WALL_SECONDS,
        memory_bytes=settings.PARSE_MEMORY_MB * 1024 * 1024,
    )


class Refused(Exception):
    """The parser refused the input; the message is Chinese and says why."""


class LimitExceeded(Refused):
    """The parse was stopped: too slow, too big in memory, or it crashed."""


class Busy(Refused):
    """Every parse slot of this server process is taken; try again shortly."""


_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()
SLOT_WAIT_SECONDS = 0.25


def _parse_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.PARSE_SLOTS)
        return _slots


def _mapped_bytes() -> int:
    """The address space this process maps now (what RLIMIT_AS counts)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


def _child(conn: Connection, fn: Callable[[], Any], budget: Budget) -> None:
    faulthandler.disable()  # a crash here is reported by the parent, in one line
    limit = _mapped_bytes() + budget.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (budget.cpu_seconds, budget.cpu_seconds + 1))
    try:
        outcome: tuple[str, Any] = ("ok", fn())
    except Refused as error:
        outcome = ("refused", str(error))
    except MemoryError:
        outcome = ("limit", "memory")
    except BaseException as error:  # anything else: reported, never raised in the worker
        outcome = ("crash", f"{type(error).__name__}: {error}"[:500])
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("limit", "memory"))
    conn.close()


def _too_big() -> LimitExceeded:
    return LimitExceeded(
        _(
            "文件过大或过于复杂，超出了解析的时间或内存上限，已拒绝。请拆分文件或删除多余内容后再上传。"
        )
    )


def run_limited(fn: Callable[[], T], budget: Budget | None = None) -> T:
    """`fn()` computed in a limited child process; Refused / LimitExceeded otherwise."""
    slots = _parse_slots()
    if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise Busy(_("服务器正在处理其他上传的文件，请稍后再试。"))
    try:
        return _run(fn, budget or default_budget())
    finally:
        slots.release()


def _run(fn: Callable[[], T], budget: Budget) -> T:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, fn, budget), daemon=True)
    started = time.monotonic()
    child.start()
    sender.close()
    outcome: tuple[str, Any] | None = None
    try:
        if receiver.poll(budget.wall_seconds):
            outcome = receiver.recv()
    except (EOFError, OSError):
        outcome = None  # the child died (a limit's signal) before it answered
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    elapsed = time.monotonic() - started
    if outcome is None:
        code = child.exitcode
        why = signal.Signals(-code).name if code is not None and code < 0 else code
        logger.warning("Upload parse stopped after %.1f s (child exit %s)", elapsed, why)
        raise _too_big()
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "refused":
        raise Refused(value)
    logger.warning("Upload parse failed after %.1f s: %s %s", elapsed, kind, value)
    if kind == "limit":
        raise _too_big()
    raise LimitExceeded(_("文件无法读取：文件已损坏或格式不受支持。"))
