"""Long jobs: the owner watches the progress, downloads the result (stored as a file,
not in memory) and finds the job again after a reload; nobody else sees it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.core.actions import prune_jobs, start_job
from jixiao.core.jobs import JobError, JobOutput, Report, job_kind
from jixiao.core.models import Job, JobState
from jixiao.core.tasks import run_job
from jixiao.core.testing import login, make_user

pytestmark = pytest.mark.django_db

SEEN: list[tuple[int, str]] = []


@job_kind("test.report")
def _report(job: Job, report: Report) -> JobOutput:
    for percent in (30, 60, 120):
        report(percent, f"第 {percent} 步")
        SEEN.append(tuple(Job.objects.values_list("progress", "message").get(pk=job.pk)))  # type: ignore[arg-type]
    return JobOutput(content=b"%PDF-1.4 test", filename="成绩单-测试.pdf", message="已生成 1 份。")


@job_kind("test.refuse")
def _refuse(job: Job, report: Report) -> JobOutput:
    raise JobError("该版本不存在或您无权查看。")


@job_kind("test.crash")
def _crash(job: Job, report: Report) -> JobOutput:
    raise RuntimeError("internal detail")


@job_kind("test.page")
def _page(job: Job, report: Report) -> JobOutput:
    return JobOutput(url="/scoring/runs/1/", message="已完成计算。")


def started(user: User, kind: str, django_capture_on_commit_callbacks: Any) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user, kind, "全部成绩单 PDF")
    job.refresh_from_db()
    return job


def test_a_job_reports_its_progress_and_ends_with_a_file_to_download(
    office: User, office_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    SEEN.clear()
    job = started(office, "test.report", django_capture_on_commit_callbacks)
    # Progress stays below 100 until the file is stored: 100 means "ready".
    assert SEEN == [(30, "第 30 步"), (60, "第 60 步"), (99, "第 120 步")]
    assert job.state == JobState.DONE
    assert job.progress == 100
    assert Path(job.result.path).is_relative_to(Path(settings.MEDIA_ROOT))
    page = office_client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "已完成" in page
    assert "已生成 1 份。" in page
    assert "下载 成绩单-测试.pdf" in page
    assert "hx-trigger" not in page  # nothing left to poll
    download = office_client.get(reverse("core:job_download", args=[job.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]


def test_a_running_job_page_polls_until_done_and_survives_a_reload(
    office: User, office_client: Client
) -> None:
    job = Job.objects.create(owner=office, kind="test.report", title="导出考核结果 Excel")
    url = reverse("core:job", args=[job.pk])
    page = office_client.get(url).content.decode()
    assert "排队中" in page
    assert 'hx-trigger="every 1s"' in page
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress=42, message="正在排版")
    partial = office_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert "42%" in partial
    assert "正在排版" in partial
    assert "every 1s" in partial
    listing = office_client.get(reverse("core:jobs")).content.decode()
    assert "导出考核结果 Excel" in listing
    assert "42%" in listing


def test_only_the_owner_sees_or_downloads_a_job(
    office: User,
    personas: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = started(office, "test.report", django_capture_on_commit_callbacks)
    colleague = make_user("office2", office.role, office.organization)
    for user in (colleague, personas["leader"], personas["unit"], personas["sysadmin"]):
        client = login(Client(), user)
        assert client.get(reverse("core:job", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
        assert "全部成绩单 PDF" not in client.get(reverse("core:jobs")).content.decode()


def test_a_failed_job_says_why_in_chinese_and_offers_no_download(
    office: User, office_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    refused = started(office, "test.refuse", django_capture_on_commit_callbacks)
    assert refused.state == JobState.FAILED
    assert refused.message == "该版本不存在或您无权查看。"
    crashed = started(office, "test.crash", django_capture_on_commit_callbacks)
    assert crashed.state == JobState.FAILED
    assert "internal detail" not in crashed.message
    assert "任务失败" in crashed.message
    page = office_client.get(reverse("core:job", args=[crashed.pk])).content.decode()
    assert "失败" in page
    assert "jx-job-download" not in page
    assert office_client.get(reverse("core:job_download", args=[crashed.pk])).status_code == 404


def test_a_job_without_a_file_links_to_its_result_page(
    office: User, office_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    job = started(office, "test.page", django_capture_on_commit_callbacks)
    page = office_client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert 'href="/scoring/runs/1/"' in page
    assert "查看结果" in page


def test_a_redelivered_job_is_not_run_twice(
    office: User, django_capture_on_commit_callbacks: Any
) -> None:
    SEEN.clear()
    job = started(office, "test.report", django_capture_on_commit_callbacks)
    assert run_job(job.pk) == "skipped"
    assert len(SEEN) == 3


def test_old_finished_jobs_are_forgotten_with_their_files(
    office: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = started(office, "test.report", django_capture_on_commit_callbacks)
    path = Path(job.result.path)
    assert path.exists()
    later = timezone.now() + dt.timedelta(days=settings.JIXIAO_JOB_KEEP_DAYS + 1)
    assert prune_jobs(later) == 1
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not path.exists()


def test_a_job_whose_worker_died_is_failed_with_a_sentence_instead_of_running_for_ever(
    office: User, office_client: Client
) -> None:
    stall = dt.timedelta(minutes=settings.JIXIAO_JOB_STALL_MINUTES)
    long_ago = timezone.now() - stall - dt.timedelta(minutes=1)
    dead = Job.objects.create(
        owner=office,
        kind="test.report",
        title="全部成绩单 PDF",
        state=JobState.RUNNING,
        progress=40,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    alive = Job.objects.create(
        owner=office,
        kind="test.report",
        title="成绩汇总 Excel",
        state=JobState.RUNNING,
        progress=40,
        started_at=long_ago,
        heartbeat_at=timezone.now(),
    )
    page = office_client.get(reverse("core:job", args=[dead.pk]))
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.state == JobState.FAILED
    assert "任务已中断" in page.content.decode()
    assert alive.state == JobState.RUNNING


def test_the_beat_task_fails_stalled_jobs_of_every_owner(office: User) -> None:
    from jixiao.core.tasks import fail_stalled_jobs_task

    long_ago = timezone.now() - dt.timedelta(minutes=settings.JIXIAO_JOB_STALL_MINUTES + 1)
    Job.objects.create(
        owner=office,
        kind="test.report",
        title="旧任务",
        state=JobState.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    assert fail_stalled_jobs_task() == 1
    assert fail_stalled_jobs_task() == 0


def test_a_job_queued_for_minutes_says_no_worker_may_be_running(
    office: User, office_client: Client
) -> None:
    job = Job.objects.create(owner=office, kind="test.report", title="全部成绩单 PDF")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    page = office_client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "后台处理进程可能未启动" in page


def test_progress_reports_keep_a_running_job_alive(
    office: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = started(office, "test.report", django_capture_on_commit_callbacks)
    assert job.state == JobState.DONE
    assert job.heartbeat_at is not None
