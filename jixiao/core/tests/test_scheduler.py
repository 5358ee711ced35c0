"""The embedded scheduler runs Celery beat's entries when they are due, in exactly one
process of the machine."""

from __future__ import annotations

import fcntl
from datetime import timedelta
from pathlib import Path

from django.test import override_settings
from django.utils import timezone

from jixiao.core import scheduler


@override_settings(
    CELERY_BEAT_SCHEDULE={
        "often": {"task": "jixiao.core.tasks.fail_stalled_jobs_task", "schedule": 300},
        "daily": {"task": "jixiao.core.tasks.prune_old_jobs", "schedule": timedelta(days=1)},
    }
)
def test_an_entry_is_due_once_its_interval_has_passed_and_not_before() -> None:
    planned = scheduler.entries()
    now = timezone.now()
    last = {"often": now - timedelta(seconds=301), "daily": now - timedelta(hours=23)}
    names, wait = scheduler.due(planned, last)
    assert names == ["often"]
    assert 1 <= wait <= 60


def test_every_beat_entry_has_a_schedule_the_embedded_scheduler_understands() -> None:
    for task, when in scheduler.entries().values():
        assert task.startswith("jixiao.")
        assert hasattr(when, "is_due")


@override_settings(JIXIAO_EMBEDDED_SCHEDULER=True)
def test_only_one_process_becomes_the_scheduler(tmp_path: Path) -> None:
    lock = tmp_path / "scheduler.lock"
    with lock.open("w") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert scheduler.start_embedded_scheduler(lock) is False


@override_settings(JIXIAO_EMBEDDED_SCHEDULER=False)
def test_production_leaves_scheduling_to_celery_beat(tmp_path: Path) -> None:
    assert scheduler.start_embedded_scheduler(tmp_path / "scheduler.lock") is False
    assert not (tmp_path / "scheduler.lock").exists()


def test_a_due_entry_runs_its_task_in_process(office: object, db: None) -> None:
    from django.conf import settings

    from jixiao.core.models import Job, JobState

    long_ago = timezone.now() - timedelta(minutes=settings.JIXIAO_JOB_STALL_MINUTES + 1)
    job = Job.objects.create(
        owner=office,
        kind="scoring.compute",
        title="重新计算",
        state=JobState.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    scheduler.run_entry("jixiao.core.tasks.fail_stalled_jobs_task")
    job.refresh_from_db()
    assert job.state == JobState.FAILED
