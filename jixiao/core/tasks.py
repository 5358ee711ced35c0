"""The one Celery task behind every long job (see jixiao.core.jobs)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jixiao.audit.context import acting_as
from jixiao.core.jobs import JobError, runner_for
from jixiao.core.models import Job, JobState

logger = logging.getLogger(__name__)


@shared_task
def run_job(job_id: int) -> str:
    """Do the job and record its progress and result. Idempotent: a job that already
    started (a redelivered message) or finished is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, message=_("正在处理……")
    )
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("owner").get(pk=job_id)

    def report(percent: int, message: str = "") -> None:
        # Never 100 before the result is stored: 100 means "ready to download".
        fields: dict[str, object] = {
            "progress": max(0, min(99, int(percent))),
            "heartbeat_at": timezone.now(),
        }
        if message:
            fields["message"] = message[:300]
        Job.objects.filter(pk=job_id).update(**fields)

    try:
        with acting_as(job.owner), translation.override(job.language or None):
            output = runner_for(job.kind)(job, report)
    except JobError as error:
        _finish(job_id, JobState.FAILED, str(error))
        return "failed"
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job_id, JobState.FAILED, _("任务失败，请稍后重试；仍失败请联系系统管理员。"))
        return "failed"
    job.refresh_from_db()
    if output.content is not None:
        suffix = output.filename.rsplit(".", 1)[-1] if "." in output.filename else "bin"
        # An ASCII storage name; the Chinese name is given on download.
        job.result.save(f"job-{job.pk}.{suffix}", ContentFile(output.content), save=False)
    job.result_name = output.filename[:200]
    job.result_url = output.url[:300]
    job.state = JobState.DONE
    job.progress = 100
    job.message = (output.message or _("已完成。"))[:300]
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "result",
            "result_name",
            "result_url",
            "state",
            "progress",
            "message",
            "finished_at",
        ]
    )
    return "done"


def _finish(job_id: int, state: str, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        state=state, message=message[:300], finished_at=timezone.now()
    )


@shared_task
def prune_old_jobs() -> int:
    """Run daily by Celery beat (CELERY_BEAT_SCHEDULE): finished jobs and their files go
    after JIXIAO_JOB_KEEP_DAYS even when nobody starts a new job."""
    from jixiao.core.actions import prune_jobs

    return prune_jobs()


@shared_task
def fail_stalled_jobs_task() -> int:
    """Run every few minutes by Celery beat: jobs whose worker died are failed with a
    sentence saying so (the job pages also check on every view)."""
    from jixiao.core.actions import fail_stalled_jobs

    return fail_stalled_jobs()
