"""One mechanism for long work (后台任务): an app registers a runner for a job kind in
its `<app>/jobs.py`; `jixiao.core.actions.start_job` records the job and schedules
`jixiao.core.tasks.run_job` on commit; the runner does the work, reports its progress
through `report(percent, message)` and returns a file (stored under the data
directory) or a page to open. Embedded mode runs the task eagerly, so the job is done
when the request that started it returns; production runs it on a Celery worker and
the job page polls the row.

A runner raises `JobError` (a Chinese sentence) for a failure the user should read;
anything else is logged and shown as a generic failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from jixiao.core.models import Job

Report = Callable[[int, str], None]


class JobError(Exception):
    """A failure explained to the job's owner (the message is shown as is)."""


@dataclass(frozen=True)
class JobOutput:
    content: bytes | None = None  # a file to download …
    filename: str = ""  # … under this name (Chinese is fine)
    url: str = ""  # or a page to open
    message: str = ""  # what the finished job says


Runner = Callable[["Job", Report], JobOutput]

_RUNNERS: dict[str, Runner] = {}
_discovered = False


def job_kind(kind: str) -> Callable[[Runner], Runner]:
    """Register `runner` as the way to do jobs of `kind` (names are app-prefixed:
    `scoring.cards_pdf`)."""

    def register(runner: Runner) -> Runner:
        _RUNNERS[kind] = runner
        return runner

    return register


def runner_for(kind: str) -> Runner:
    global _discovered
    if not _discovered:
        # Like nav.py: each app's jobs.py registers its kinds when imported.
        for config in apps.get_app_configs():
            if config.name.startswith("jixiao.") and config.name != "jixiao.core":
                try:
                    import_module(f"{config.name}.jobs")
                except ModuleNotFoundError as error:
                    if error.name != f"{config.name}.jobs":
                        raise
        _discovered = True
    try:
        return _RUNNERS[kind]
    except KeyError:
        raise JobError(f"未知的任务类型：{kind}") from None
