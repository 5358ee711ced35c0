"""Celery beat's schedule names tasks that exist and do their housekeeping."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.celery import app
from jixiao.core.models import Job, JobState
from jixiao.core.tasks import prune_old_jobs


def test_every_scheduled_task_is_registered() -> None:
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_the_daily_task_forgets_old_finished_jobs(office: User) -> None:
    long_ago = timezone.now() - dt.timedelta(days=settings.JIXIAO_JOB_KEEP_DAYS + 1)
    old = Job.objects.create(
        owner=office,
        kind="scoring.compute",
        title="旧任务",
        state=JobState.DONE,
        finished_at=long_ago,
    )
    fresh = Job.objects.create(
        owner=office,
        kind="scoring.compute",
        title="新任务",
        state=JobState.DONE,
        finished_at=timezone.now(),
    )
    assert prune_old_jobs() == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not Job.objects.filter(pk=old.pk).exists()
