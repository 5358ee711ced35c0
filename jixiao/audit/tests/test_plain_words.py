"""The audit log and its CSV read as words: model names, field labels, choice labels,
names instead of ids, local time — while the rows keep the raw data."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import record, record_create
from jixiao.collection.models import EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.org.models import Organization

INTERNALS = re.compile(
    r"\w+_id\b|\{'|\{\"|None|\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)|T\d{2}:\d{2}|"
    r"\b(collection|scheme|scoring|org|accounts|audit)\.[a-z]+\b|recheck_requested|"
    r"request_recheck|fingerprint|superseded_by"
)


def _rows(office: User, department_org: Organization, unit_org: Organization) -> None:
    year = f.make_year()
    category = f.make_category(year)
    f.enroll(unit_org, category)
    scheme = f.make_scheme(year)
    indicator = f.make_indicator(scheme, "A01", department_org, points={category: 10})
    entry = f.make_entry(f.make_period(scheme), indicator, unit_org, entered_by=office)
    with acting_as(office):
        record_create(entry)
        record(
            AuditAction.TRANSITION,
            entry,
            before={"status": EntryStatus.PUBLISHED},
            after={"status": EntryStatus.RECHECK_REQUESTED, "action": "request_recheck"},
            reason="有异议",
        )
        record(
            AuditAction.CREATE,
            year,
            object_type="scoring.scorerun",
            after={"number": 3, "fingerprint": "ab" * 32, "summary": {"units": 2}},
        )


def test_the_audit_log_shows_words_not_internals(
    audit_admin_client: Client, office: User, department_org: Organization, unit_org: Organization
) -> None:
    _rows(office, department_org, unit_org)
    page = audit_admin_client.get(reverse("audit:log")).content.decode()
    table = page.split("<tbody>", 1)[1]
    assert INTERNALS.search(table) is None, INTERNALS.search(table)
    assert "采集数据" in table  # the model's name
    assert "申请复核" in table  # the workflow step, by its label
    assert "已公示" in table
    assert "复核申请中" in table
    assert unit_org.name in table  # the unit by name, not by id
    assert "第 3 版" in table
    assert '<option value="collection.entry">采集数据</option>' in page


def test_the_csv_shows_the_same_words(
    audit_admin_client: Client, office: User, department_org: Organization, unit_org: Organization
) -> None:
    _rows(office, department_org, unit_org)
    audit_admin_client.get(reverse("audit:export"), {"object_type": "collection.entry"})
    response = audit_admin_client.get(reverse("audit:export"))  # lists the first export too
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert INTERNALS.search(body) is None, INTERNALS.search(body)
    assert "采集数据" in body
    assert "申请复核" in body
    assert unit_org.name in body


def test_the_rows_keep_the_raw_data(
    office: User, department_org: Organization, unit_org: Organization
) -> None:
    _rows(office, department_org, unit_org)
    row = AuditEvent.objects.get(reason="有异议")
    assert row.object_type == "collection.entry"
    assert row.after == {"status": "recheck_requested", "action": "request_recheck"}


def test_a_row_naming_its_target_by_code_shows_the_code(db: None) -> None:
    from jixiao.audit.render import render

    event = AuditEvent(
        action=AuditAction.IMPORT,
        object_type="collection.entry",
        after={"period": "2026-Q1", "status": "approved", "count": 3, "indicators": {"A01": 3}},
    )
    (line,) = render([event])
    shown = {c.label: c.after for c in line.changes}
    assert shown == {"采集周期": "2026-Q1", "状态": "审核通过", "条数": "3", "各指标条数": "A01：3"}
