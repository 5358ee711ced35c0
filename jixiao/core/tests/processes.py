"""Starting and ending server processes on this machine, for the tests and benchmarks that
run real gunicorn servers and workers (test_multiprocess.py, bench/load/). No Django here:
a bench script imports it before choosing its settings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll until `check()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def spawn(args: list[str], env: dict[str, str], log: Path, **kwargs: Any) -> subprocess.Popen[str]:
    output = log.open("w")
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=kwargs.pop("stdout", output),
        stderr=output,
        text=True,
        start_new_session=True,  # so teardown can end the process and its children
        **kwargs,
    )


def end(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
