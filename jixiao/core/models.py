"""Long jobs (后台任务): one row per piece of long work a user started — a batch of PDF
report cards, an Excel export, a recompute. A Celery task does the work and writes its
progress here; the job page polls this row, so it survives a page reload and any app
server can answer. Results are files in the default storage (under the data directory),
never in memory: app servers keep no state of their own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


FINISHED_STATES = (JobState.DONE, JobState.FAILED)
QUEUE_PATIENCE_SECONDS = 120


class JobQuerySet(models.QuerySet["Job"]):
    def owned_by(self, user: Any) -> JobQuerySet:
        return self.filter(owner_id=getattr(user, "pk", None))

    def unfinished(self) -> JobQuerySet:
        return self.exclude(state__in=FINISHED_STATES)


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("发起人"),
    )
    # The registered kind (see jixiao.core.jobs): which runner does the work.
    kind = models.CharField(_("任务类型"), max_length=40)
    title = models.CharField(_("任务"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # The owner's interface language when starting it: the worker writes files in it.
    language = models.CharField(_("语言"), max_length=10, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    result = models.FileField(_("结果文件"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("文件名"), max_length=200, blank=True)
    # A page to open when done, for jobs whose result is not a file (a new run).
    result_url = models.CharField(_("结果页面"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Touched whenever the runner reports progress: a running job whose heartbeat is older
    # than JIXIAO_JOB_STALL_MINUTES lost its worker (restart, crash, OOM) and is failed
    # by `fail_stalled_jobs` instead of showing 进行中 for ever.
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("owner", "-created_at"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="core_job_progress_at_most_100",
                violation_error_message=_("任务进度不能超过100%，请填写0到100之间的数。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def waiting_long(self) -> bool:
        """Queued for minutes: no worker is taking jobs (say so instead of spinning)."""
        from django.utils import timezone

        return (
            self.state == JobState.QUEUED
            and (timezone.now() - self.created_at).total_seconds() > QUEUE_PATIENCE_SECONDS
        )

    @property
    def has_file(self) -> bool:
        return self.state == JobState.DONE and bool(self.result)
