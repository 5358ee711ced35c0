"""The job pages: a user's recent long jobs, one job's progress (polled by htmx while it
runs) and its result file. Only the job's owner sees any of it; others get 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.actions import fail_stalled_jobs
from jixiao.core.models import Job

RECENT = 20


def access_job(user: Any, pk: int) -> Job:
    fail_stalled_jobs(owner=user)
    return get_object_or_404(Job.objects.owned_by(user), pk=pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    fail_stalled_jobs(owner=request.user)
    jobs = Job.objects.owned_by(request.user)[:RECENT]
    return render(request, "core/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/_job.html", {"job": job})
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_job(request.user, pk)
    if not job.has_file:
        raise Http404
    record(AuditAction.EXPORT, job, after={"name": job.result_name})
    response = FileResponse(
        job.result.open("rb"), as_attachment=True, filename=job.result_name or job.result.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]
