"""Writes of the core app: starting, pruning and failing long jobs (see jixiao.core.jobs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jixiao.audit.records import record_create
from jixiao.core.jobs import runner_for
from jixiao.core.models import FINISHED_STATES, Job, JobState


def start_job(owner: Any, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    """Record a job for `owner` and run it after commit (eagerly when embedded, on a
    worker otherwise), in the language the owner is using now (an English user's export
    has English headings). Raises JobError for an unknown kind before anything is written."""
    from jixiao.core.tasks import run_job

    runner_for(kind)
    with transaction.atomic():
        job = Job.objects.create(
            owner=owner,
            kind=kind,
            title=title[:200],
            params=params or {},
            language=get_language() or "",
        )
        record_create(job)
        transaction.on_commit(lambda: run_job.delay(job.pk))
    prune_jobs()
    job.refresh_from_db()
    return job


def prune_jobs(now: dt.datetime | None = None) -> int:
    """Forget finished jobs older than JIXIAO_JOB_KEEP_DAYS, with their files."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.JIXIAO_JOB_KEEP_DAYS)
    old = list(Job.objects.filter(state__in=FINISHED_STATES, finished_at__lt=cutoff))
    for job in old:
        if job.result:
            job.result.delete(save=False)
    Job.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)


def fail_stalled_jobs(now: dt.datetime | None = None, owner: Any = None) -> int:
    """Fail running jobs that have not reported progress for JIXIAO_JOB_STALL_MINUTES:
    their worker was restarted or killed, and the job would otherwise show 进行中 for
    ever. Runners report at least every few seconds, so a live job is never caught; a
    slow-but-alive runner that finishes after all still stores its result as done."""
    minutes = settings.JIXIAO_JOB_STALL_MINUTES
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=minutes)
    stalled = Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=cutoff)
    if owner is not None:
        stalled = stalled.owned_by(owner)
    return stalled.update(
        state=JobState.FAILED,
        finished_at=now or timezone.now(),
        message=_(
            "任务已中断：后台处理进程超过 %(minutes)s 分钟没有进展（可能已重启），请重新发起。"
        )
        % {"minutes": minutes},
    )
