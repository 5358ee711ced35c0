"""A closed year exported whole, read back into the archive and searched by the audit admin."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit import archive
from jixiao.audit.actions import export_year_archive, read_year_archive
from jixiao.audit.context import acting_as
from jixiao.audit.models import ArchivedRow, AuditAction, AuditEvent, YearArchive
from jixiao.audit.records import record
from jixiao.collection.models import Entry
from jixiao.core.testing import PERSONA_USERNAMES, login, page_text
from jixiao.org.models import AssessmentYear
from jixiao.scoring.tests.factories import zhangjiagang_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_year(office: User) -> AssessmentYear:
    """2025 with its scheme, entries and audit rows about them; 2026 is the current year."""
    w = zhangjiagang_world(2025)
    AssessmentYear.objects.create(year=2026, name="2026 年度", is_current=True)
    with acting_as(office, "10.0.0.7"):
        for entry in Entry.objects.filter(period__scheme__year=w.year):
            record(
                AuditAction.UPDATE,
                entry,
                before={"value": "1"},
                after={"value": "2"},
                reason=f"核对 {entry.pk}",
            )
        record(AuditAction.LOGIN, office)  # about no object of the year: not in its archive
    return w.year


def test_a_closed_year_exported_and_read_back_holds_the_same_rows(
    closed_year: AssessmentYear, office: User
) -> None:
    data = export_year_archive(closed_year, office)
    stored = read_year_archive(data, office, "2025.zip")

    for label, path in archive.year_paths().items():
        live = apps.get_model(label)._default_manager.filter(**{path: closed_year.pk})
        kept = ArchivedRow.objects.filter(archive=stored, model=label)
        assert sorted(kept.values_list("object_pk", flat=True)) == sorted(
            str(pk) for pk in live.values_list("pk", flat=True)
        ), label
    entries = Entry.objects.filter(period__scheme__year=closed_year)
    assert entries.count() > 5
    entry = entries.first()
    row = ArchivedRow.objects.get(archive=stored, model="collection.entry", object_pk=str(entry.pk))
    assert row.data["value"] == str(entry.value)
    audit = ArchivedRow.objects.filter(archive=stored, model="audit.auditevent")
    live_audit = AuditEvent.objects.filter(object_type="collection.entry")
    assert audit.count() == live_audit.count() == stored.audit_rows
    event = live_audit.first()
    kept_event = audit.get(object_pk=str(event.pk))
    assert kept_event.actor_name == "office"
    assert kept_event.data["reason"] == event.reason
    assert kept_event.data["after"] == {"value": "2"}
    assert not audit.filter(action=AuditAction.LOGIN).exists()
    assert stored.manifest["format"] == "jixiao-year-archive"
    # Reading back never touches the live trail, except to say it was done.
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.IMPORT, object_type="audit.yeararchive"
        ).count()
        == 1
    )


def test_the_archive_holds_no_accounts_or_secrets(
    closed_year: AssessmentYear, office: User
) -> None:
    names = zipfile.ZipFile(io.BytesIO(export_year_archive(closed_year, office))).namelist()
    assert "manifest.json" in names
    assert not [
        n for n in names if n.startswith(("tables/accounts.", "tables/sessions.", "tables/otp"))
    ]


def test_the_current_year_cannot_be_archived(office: User) -> None:
    year = AssessmentYear.objects.create(year=2026, name="2026 年度", is_current=True)
    with pytest.raises(archive.ArchiveRefused, match="尚未结束"):
        export_year_archive(year, office)


def test_a_changed_archive_is_refused_and_nothing_is_read(
    closed_year: AssessmentYear, office: User
) -> None:
    data = export_year_archive(closed_year, office)
    source = zipfile.ZipFile(io.BytesIO(data))
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as out:
        for name in source.namelist():
            content = source.read(name)
            if name == "tables/audit.auditevent.jsonl":
                content = content.replace("核对".encode(), "改过".encode(), 1)
            out.writestr(name, content)
    with pytest.raises(archive.ArchiveRefused, match="校验值"):
        read_year_archive(tampered.getvalue(), office)
    with pytest.raises(archive.ArchiveRefused, match="不是绩效系统"):
        read_year_archive(b"not a zip", office)
    assert not YearArchive.objects.exists()
    assert not ArchivedRow.objects.exists()


def test_the_same_archive_is_read_only_once(closed_year: AssessmentYear, office: User) -> None:
    data = export_year_archive(closed_year, office)
    read_year_archive(data, office)
    with pytest.raises(archive.ArchiveRefused, match="已经读入"):
        read_year_archive(data, office)


def test_the_commands_export_and_read_back(closed_year: AssessmentYear, tmp_path: Path) -> None:
    out = tmp_path / "2025.zip"
    call_command("archive_year", "2025", "--out", str(out), "--read-back", stdout=io.StringIO())
    assert YearArchive.objects.get().year == 2025
    YearArchive.objects.all().delete()
    call_command("read_archive", str(out), stdout=io.StringIO())
    assert YearArchive.objects.count() == 1
    report = io.StringIO()
    call_command("audit_retention", stdout=report)
    assert "retention: 180 days" in report.getvalue()


def test_the_audit_admin_searches_an_archive_in_words(
    closed_year: AssessmentYear, office: User, audit_admin: User
) -> None:
    stored = read_year_archive(export_year_archive(closed_year, office), office)
    client = login(Client(), audit_admin)
    listing = page_text(client.get(reverse("audit:archives")))
    assert "2025" in listing
    assert "至少保留 180 天" in listing
    entry = Entry.objects.filter(period__scheme__year=closed_year).first()
    response = client.get(reverse("audit:archive", args=[stored.pk]), {"q": f"核对 {entry.pk}"})
    text = page_text(response)
    assert f"核对 {entry.pk}" in text
    assert "office" in text
    assert "None" not in text
    assert "collection.entry" not in text
    download = client.get(reverse("audit:archive_download", args=[stored.pk]))
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert client.get(reverse("audit:archive", args=[stored.pk + 999])).status_code == 404


@pytest.mark.parametrize("persona", PERSONA_USERNAMES)
def test_only_the_audit_admin_reaches_the_archives(
    personas: dict[str, User], persona: str, closed_year: AssessmentYear, office: User
) -> None:
    stored = read_year_archive(export_year_archive(closed_year, office), office)
    client = login(Client(), personas[persona])
    expected = 200 if persona == "auditadmin" else 403
    for name, args in (
        ("audit:archives", []),
        ("audit:archive", [stored.pk]),
        ("audit:archive_download", [stored.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == expected, name


def test_a_retention_shorter_than_180_days_is_refused() -> None:
    env = {**os.environ, "JIXIAO_AUDIT_RETENTION_DAYS": "30"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'jixiao.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "at least 180 days" in done.stderr
