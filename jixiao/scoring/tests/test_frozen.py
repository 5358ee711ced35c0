"""Frozen means frozen: what a published version shows never changes when entries do."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from dataclasses import astuple
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.collection.models import (
    BonusPenaltyEvent,
    Entry,
    EntryStatus,
    EvidenceFile,
)
from jixiao.core.testing import download_from_job
from jixiao.org.models import Organization
from jixiao.scoring import actions, records
from jixiao.scoring.models import RankingsAudience, ScoreRun, UnitResult
from jixiao.scoring.tests.factories import World, zhangjiagang_world
from jixiao.scoring.views_support import card_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(department_org: Organization, unit_org: Organization, department: User) -> World:
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    for code, value, reference, grade in [
        ("1.1.1", 95, 100, ""),
        ("1.1.2", 80, 100, ""),
        ("1.2.1", 1, None, ""),
        ("1.2.2", None, None, "B"),
        ("2", 90, None, ""),
        ("3.1", 88, None, ""),
        ("3.2", 86, None, ""),
    ]:
        entry = w.entry(unit_org.code, code, value, reference, grade, by=department)
        entry.reason = f"原计分说明 {code}"
        entry.save()
    return w


@pytest.fixture
def published(world: World, office: User) -> ScoreRun:
    run = actions.compute_run(world.year, user=office)
    return actions.publish_run(run, user=office, audience=RankingsAudience.LEADERS)


def _pdf_text(content: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"打印时间 \S+ \S+", "", text)


def _workbook_values(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]


def _everything_shown(client: Client, run: ScoreRun, unit: Organization) -> dict[str, object]:
    def page(name: str) -> str:
        body = client.get(reverse(name, args=[run.pk, unit.pk])).content.decode()
        # The page's CSRF token is per request, not part of what the run shows.
        return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", body)

    shown: dict[str, object] = {"card": page("scoring:card"), "explain": page("scoring:explain")}
    pdf = client.get(reverse("scoring:card_pdf", args=[run.pk, unit.pk])).content
    shown["pdf"] = _pdf_text(pdf) if shutil.which("pdftotext") else None
    # What the PDF prints, line by line (also without pdftotext on the machine).
    result = UnitResult.objects.select_related("unit", "run_category").get(run=run, unit=unit)
    shown["pdf_lines"] = [astuple(line) for line in card_for(result).lines]
    xlsx = download_from_job(client, reverse("scoring:export_xlsx", args=[run.pk])).content
    shown["xlsx"] = _workbook_values(xlsx)
    return shown


def test_a_published_card_reads_the_same_after_its_entries_change(
    published: ScoreRun,
    world: World,
    unit_org: Organization,
    department: User,
    office_client: Client,
) -> None:
    before = _everything_shown(office_client, published, unit_org)
    assert "原计分说明 1.2.1" in str(before["card"])
    assert "原计分说明 1.2.1" in str(before["explain"])

    # A recheck answer rewrites value and reason, evidence is added, names change.
    entry = Entry.objects.get(unit=unit_org, indicator__code="1.2.1")
    Entry.objects.filter(pk=entry.pk).update(
        value=Decimal(0), reason="复核后更正：得满分", status=EntryStatus.FINAL
    )
    Entry.objects.filter(unit=unit_org).exclude(pk=entry.pk).update(reason="后来改写的说明")
    EvidenceFile.objects.create(
        entry=entry,
        file=ContentFile(b"%PDF-1.4", name="late.pdf"),
        original_name="后补材料.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=8,
        sha256="0" * 64,
        uploaded_by=department,
    )
    User.objects.filter(pk=department.pk).update(last_name="改", first_name="名")
    BonusPenaltyEvent.objects.update(document_number="后补文号")

    after = _everything_shown(office_client, published, unit_org)
    assert after == before
    assert "复核后更正" not in str(after["card"]) + str(after["explain"])
    assert "后补材料" not in str(after["explain"])


def test_the_explanation_lists_the_evidence_as_it_was_at_computation(
    world: World, unit_org: Organization, department: User, office: User, office_client: Client
) -> None:
    entry = Entry.objects.get(unit=unit_org, indicator__code="1.2.1")
    EvidenceFile.objects.create(
        entry=entry,
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
        original_name="检查通报.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=8,
        sha256="0" * 64,
        uploaded_by=department,
    )
    run = actions.compute_run(world.year, user=office)
    page = office_client.get(reverse("scoring:explain", args=[run.pk, unit_org.pk])).content
    assert "检查通报.pdf" in page.decode()
    assert department.display_name in page.decode()


def test_an_incremental_recompute_carries_the_changed_entrys_record(
    world: World, unit_org: Organization, office: User, office_client: Client
) -> None:
    run = actions.compute_run(world.year, user=office)
    entry = Entry.objects.get(unit=unit_org, indicator__code="1.2.1")
    Entry.objects.filter(pk=entry.pk).update(value=Decimal(2), reason="复核后改为扣 2 次")
    actions.recompute_entry(entry.pk)
    page = office_client.get(reverse("scoring:card", args=[run.pk, unit_org.pk])).content
    assert "复核后改为扣 2 次" in page.decode()


def test_the_servers_records_equal_the_generic_ones(
    world: World, unit_org: Organization, department: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = Entry.objects.get(unit=unit_org, indicator__code="1.2.1")
    EvidenceFile.objects.create(
        entry=entry,
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
        original_name="检查通报.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=8,
        sha256="0" * 64,
        uploaded_by=department,
    )
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.SUBMITTED)  # not counting
    other = Entry.objects.get(unit=unit_org, indicator__code="1.1.1")
    reviewed = dt.datetime(1999, 12, 31, 23, 59, 58, 999_999, tzinfo=dt.UTC)
    Entry.objects.filter(pk=other.pk).update(reason="按文件口径", reviewed_at=reviewed)
    here = records.category_entry_records(world.scheme.pk, world.year.pk)
    monkeypatch.setattr(connection, "vendor", "generic")
    generic = records.category_entry_records(world.scheme.pk, world.year.pk)
    assert sorted(here) == sorted(generic) == ["JG"]
    assert dict(here["JG"]) == dict(generic["JG"])
    frozen = generic["JG"]
    assert str(entry.pk) not in frozen
    assert frozen[str(other.pk)][3] == department.display_name
    assert frozen[str(other.pk)][0] == "按文件口径"
    assert frozen[str(other.pk)][6] == int(reviewed.timestamp())  # whole seconds, floored
    assert frozen[str(other.pk)][1] == EntryStatus.APPROVED


def test_records_are_kept_when_a_value_is_too_large_for_the_servers_binary_reading(
    world: World, unit_org: Organization
) -> None:
    entry = Entry.objects.get(unit=unit_org, indicator__code="1.1.1")
    # 10^15 in 10^-4 points does not fit int64: the generic reading takes over.
    Entry.objects.filter(pk=entry.pk).update(value=Decimal(10**15), reason="特大数值")
    frozen = records.category_entry_records(world.scheme.pk, world.year.pk)["JG"]
    assert frozen[str(entry.pk)][0] == "特大数值"
    assert len(frozen) == Entry.objects.scoring_inputs().count()
