"""Closed years' archives, searched by the audit admin without touching live tables."""

from __future__ import annotations

from datetime import datetime, time

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from jixiao.accounts.roles import Role
from jixiao.audit.archive import AUDIT_LABEL
from jixiao.audit.models import ArchivedRow, AuditAction, AuditEvent, YearArchive
from jixiao.audit.records import record
from jixiao.audit.render import model_label
from jixiao.audit.render import render as render_lines
from jixiao.audit.retention import state
from jixiao.core.permissions import role_required
from jixiao.core.values import strict_int

EVENT_FIELDS = {f.attname: f for f in AuditEvent._meta.concrete_fields}


def access_archive(pk: object) -> YearArchive:
    number = strict_int(pk)
    archive = YearArchive.objects.filter(pk=number).first() if number is not None else None
    if archive is None:
        raise Http404
    return archive


@role_required(Role.AUDIT_ADMIN)
def archives(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "audit/archives.html",
        {"archives": YearArchive.objects.all(), "retention": state()},
    )


def as_event(row: ArchivedRow) -> AuditEvent:
    """An archived audit row as an (unsaved) event, for the one rendering layer."""
    data = row.data
    event = AuditEvent(
        pk=strict_int(row.object_pk),
        actor_id=data.get("actor"),
        **{
            name: data.get(name)
            for name in (
                "actor_name",
                "organization_name",
                "ip_address",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "before",
                "after",
                "reason",
            )
        },
    )
    event.at = parse_datetime(str(data.get("at") or "")) or row.at  # type: ignore[assignment]
    return event


@role_required(Role.AUDIT_ADMIN)
def archive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    archive = access_archive(pk)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "action", "actor", "since", "until")}
    rows = archive.archived_rows.filter(model=AUDIT_LABEL)
    if params["action"]:
        rows = rows.filter(action=params["action"])
    if params["actor"]:
        rows = rows.filter(actor_name__icontains=params["actor"])
    if params["q"]:
        rows = rows.filter(Q(text__icontains=params["q"]))
    tz = timezone.get_current_timezone()
    if since := parse_date(params["since"]):
        rows = rows.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until := parse_date(params["until"]):
        rows = rows.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    page = Paginator(rows.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    tables = [
        (model_label(r["model"]), r["n"])
        for r in archive.archived_rows.values("model").annotate(n=Count("pk")).order_by("model")
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/archive_detail.html",
        {
            "archive": archive,
            "page": page,
            "lines": render_lines([as_event(r) for r in page.object_list]),
            "params": params,
            "actions": AuditAction.choices,
            "tables": tables,
            "query": query.urlencode(),
        },
    )


@role_required(Role.AUDIT_ADMIN)
def archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    archive = access_archive(pk)
    record(AuditAction.EXPORT, archive, after={"file": archive.file.name})
    response = FileResponse(
        archive.file.open("rb"),
        as_attachment=True,
        filename=f"jixiao-archive-{archive.year}.zip",
        content_type="application/zip",
    )
    return response  # type: ignore[return-value]
