"""The audit log: searchable and exportable by the audit admin (审计管理员) only."""

from __future__ import annotations

import csv
from datetime import datetime, time

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction, AuditEvent, AuditEventQuerySet
from jixiao.audit.records import record
from jixiao.audit.render import model_label
from jixiao.audit.render import render as render_lines
from jixiao.core.excel import safe_cell, safe_row
from jixiao.core.permissions import role_required


def _filtered(request: HttpRequest) -> tuple[AuditEventQuerySet, dict[str, str]]:
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("q", "action", "actor", "since", "until", "object_type")
    }
    events: AuditEventQuerySet = AuditEvent.objects.all()
    if params["action"]:
        events = events.filter(action=params["action"])
    if params["actor"]:
        events = events.filter(actor_name__icontains=params["actor"])
    if params["object_type"]:
        events = events.filter(object_type=params["object_type"])
    if params["q"]:
        events = events.filter(object_repr__icontains=params["q"]) | events.filter(
            reason__icontains=params["q"]
        )
    tz = timezone.get_current_timezone()
    if since := parse_date(params["since"]):
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until := parse_date(params["until"]):
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events, params


@role_required(Role.AUDIT_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    events, params = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    lines = render_lines(page.object_list)
    object_types = (
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {
            "page": page,
            "lines": lines,
            "params": params,
            "actions": AuditAction.choices,
            "object_types": sorted(
                ((t, model_label(t)) for t in object_types if t), key=lambda t: t[1]
            ),
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@role_required(Role.AUDIT_ADMIN)
def audit_export(request: HttpRequest) -> HttpResponse:
    events, params = _filtered(request)
    record(
        AuditAction.EXPORT, object_type="audit.auditevent", object_repr="审计日志导出", after=params
    )
    writer = csv.writer(_Echo())
    header = [
        "时间",
        "操作人",
        "所属单位",
        "IP 地址",
        "操作",
        "对象类型",
        "对象编号",
        "对象",
        "修改前",
        "修改后",
        "原因",
    ]

    def rows():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow(safe_row(header))  # BOM: Excel opens UTF-8 CSV correctly
        chunk: list[AuditEvent] = []
        for e in events.iterator(chunk_size=2000):
            chunk.append(e)
            if len(chunk) == 2000:
                yield from _csv_rows(chunk)
                chunk = []
        yield from _csv_rows(chunk)

    def _csv_rows(chunk: list[AuditEvent]):  # type: ignore[no-untyped-def]
        # Rendered a chunk at a time: names behind ids are fetched once per chunk.
        for line in render_lines(chunk):
            e = line.event
            yield writer.writerow(
                [
                    line.at,
                    safe_cell(line.actor),
                    safe_cell(line.organization),
                    safe_cell(e.ip_address or ""),
                    safe_cell(line.action),
                    safe_cell(line.object_type),
                    safe_cell(e.object_id),
                    safe_cell(line.object),
                    safe_cell(
                        "；".join(f"{c.label}：{c.before}" for c in line.changes if c.before)
                    ),
                    safe_cell("；".join(f"{c.label}：{c.after}" for c in line.changes if c.after)),
                    safe_cell(line.reason),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response  # type: ignore[return-value]
