"""The limited child process every upload is parsed in (core/sandbox.py)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from jixiao.core import sandbox
from jixiao.core.sandbox import Budget, Busy, LimitExceeded, Refused, run_limited

# A wall clock far above the CPU limit: on a busy machine the niced child gets little CPU.
TIGHT = Budget(cpu_seconds=1, wall_seconds=120, memory_bytes=64 * 1024 * 1024)


def test_the_result_comes_back_from_the_child() -> None:
    assert run_limited(lambda: {"rows": [(2, {"数值": 1.5})], "pid": os.getpid()})["rows"] == [
        (2, {"数值": 1.5})
    ]


def test_a_refusal_in_the_child_keeps_its_chinese_message() -> None:
    def refuse() -> None:
        raise Refused("文件不对")

    with pytest.raises(Refused, match="文件不对"):
        run_limited(refuse)


def test_a_parse_that_wants_too_much_memory_is_stopped() -> None:
    with pytest.raises(LimitExceeded, match="内存上限"):
        run_limited(lambda: bytearray(512 * 1024 * 1024), TIGHT)


def test_a_parse_that_never_ends_is_stopped_by_its_cpu_limit() -> None:
    def spin() -> None:
        while True:
            pass

    with pytest.raises(LimitExceeded, match="时间或内存上限"):
        run_limited(spin, TIGHT)


def test_a_parse_that_sleeps_is_stopped_by_the_wall_clock() -> None:
    budget = Budget(cpu_seconds=5, wall_seconds=0.5, memory_bytes=64 * 1024 * 1024)
    with pytest.raises(LimitExceeded):
        run_limited(lambda: time.sleep(30), budget)


def test_a_crash_in_the_child_is_a_refusal_and_the_worker_lives_on() -> None:
    with pytest.raises(LimitExceeded, match="文件无法读取"):
        run_limited(lambda: 1 / 0)
    with pytest.raises(LimitExceeded):
        run_limited(lambda: os.kill(os.getpid(), signal.SIGSEGV))
    assert run_limited(lambda: "still here") == "still here"


def test_with_every_slot_taken_the_upload_is_asked_to_come_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken = threading.BoundedSemaphore(1)
    taken.acquire()
    monkeypatch.setattr(sandbox, "_slots", taken)
    with pytest.raises(Busy, match="稍后再试"):
        run_limited(lambda: 1)
