"""The monthly bulletin pages: preview or published figures, publish, export."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.actions import start_job
from jixiao.core.permissions import role_required
from jixiao.core.workflow import TransitionRefused
from jixiao.supervision import bulletin as bulletins
from jixiao.supervision import jobs
from jixiao.supervision.access import ROLES
from jixiao.supervision.models import Bulletin


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _month(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404


@role_required(*ROLES)
def bulletin_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "supervision/bulletins.html",
        {
            "bulletins": Bulletin.objects.select_related("published_by")[:60],
            "this_year": today.year,
            "this_month": today.month,
            "can_publish": _user(request).role == Role.SUPERVISION,
        },
    )


@role_required(*ROLES)
def bulletin(request: HttpRequest, year: int, month: int) -> HttpResponse:
    _month(year, month)
    published = Bulletin.objects.filter(year=year, month=month).select_related("published_by")
    record = published.first()
    if record is None and _user(request).role not in (Role.SUPERVISION, Role.OFFICE, Role.LEADER):
        raise Http404  # units see a bulletin once it is published
    figures = record.figures if record is not None else bulletins.figures(year, month)
    return render(
        request,
        "supervision/bulletin.html",
        {
            "f": figures,
            "record": record,
            "year": year,
            "month": month,
            "can_publish": record is None and _user(request).role == Role.SUPERVISION,
        },
    )


@require_POST
@role_required(Role.SUPERVISION)
def publish(request: HttpRequest, year: int, month: int) -> HttpResponse:
    _month(year, month)
    try:
        bulletins.publish(_user(request), year, month, request.POST.get("note") or "")
    except TransitionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("督查通报已发布，各单位已收到通知。"))
    return redirect("supervision:bulletin", year, month)


@require_POST
@role_required(*ROLES)
def export(request: HttpRequest, year: int, month: int) -> HttpResponse:
    _month(year, month)
    user = _user(request)
    if user.role not in (Role.SUPERVISION, Role.OFFICE, Role.LEADER) and not (
        Bulletin.objects.filter(year=year, month=month).exists()
    ):
        raise Http404
    kind = jobs.BULLETIN_PDF if request.POST.get("format") == "pdf" else jobs.BULLETIN_XLSX
    title = _("%(y)d年%(m)d月督查通报") % {"y": year, "m": month}
    job = start_job(user, kind, title, {"year": year, "month": month})
    return redirect("core:job", job.pk)
