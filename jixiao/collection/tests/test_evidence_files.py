"""Evidence files reach the disk only when the transaction that recorded them commits;
e-mailed notifications carry absolute links when JIXIAO_SITE_URL is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection import actions
from jixiao.collection.evidence import EvidenceRejected, attach
from jixiao.collection.models import EntryStatus, EvidenceFile, Notification, RecheckRequest
from jixiao.collection.tasks import absolute_link, email_notifications
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str = "依据.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _files_on_disk(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class Boom(Exception):
    pass


def _attach_and_roll_back(user: User, entry: Any, name: str = "撤销.pdf") -> None:
    with transaction.atomic():
        attach(_pdf(name), user, entry=entry)
        raise Boom


def test_a_committed_attachment_is_written_with_its_content(
    world: World, department: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = attach(_pdf(), department, entry=entry)
    evidence.refresh_from_db()
    assert evidence.file.name.startswith("evidence/")
    assert evidence.file.name.endswith(".pdf")
    with default_storage.open(evidence.file.name, "rb") as stored:
        assert stored.read() == PDF
    assert _files_on_disk(settings) == [Path(settings.MEDIA_ROOT) / evidence.file.name]


def test_an_attachment_whose_transaction_rolls_back_leaves_no_file(
    world: World, department: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        _attach_and_roll_back(department, entry)
    assert callbacks == []
    assert not EvidenceFile.objects.exists()
    assert _files_on_disk(settings) == []


def test_an_attachment_in_a_rolled_back_savepoint_leaves_no_file_while_the_rest_commits(
    world: World, department: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = attach(_pdf("保留.pdf"), department, entry=entry)
        with pytest.raises(Boom):
            _attach_and_roll_back(department, entry)
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["保留.pdf"]
    assert _files_on_disk(settings) == [Path(settings.MEDIA_ROOT) / kept.file.name]


def test_a_recheck_refused_for_its_second_file_keeps_neither_file_nor_request(
    world: World, unit: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.PUBLISHED)
    not_a_pdf = SimpleUploadedFile("说明.pdf", b"<html>not a pdf</html>", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EvidenceRejected):
        actions.request_recheck(unit, entry, "有异议", [_pdf(), not_a_pdf])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED
    assert not RecheckRequest.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert _files_on_disk(settings) == []


def test_a_file_that_cannot_be_written_after_commit_takes_its_record_with_it(
    world: World, department: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit)
    storage = EvidenceFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    with (
        mock.patch.object(storage, "save", side_effect=OSError("disk full")),
        pytest.raises(OSError, match="disk full"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        attach(_pdf(), department, entry=entry)
    assert not EvidenceFile.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, reason__contains="文件写入失败"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_with_real_transactions_only_the_committed_file_stays_on_disk(
    world: World, department: User, settings: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit)
    with pytest.raises(Boom):
        _attach_and_roll_back(department, entry)
    assert _files_on_disk(settings) == []
    kept = attach(_pdf("保留.pdf"), department, entry=entry)
    assert _files_on_disk(settings) == [Path(settings.MEDIA_ROOT) / kept.file.name]


# -- absolute links in e-mails -----------------------------------------------------------


def test_links_are_absolute_only_when_the_site_address_is_configured(settings: Any) -> None:
    settings.JIXIAO_SITE_URL = ""
    assert absolute_link("/collection/") == ""
    settings.JIXIAO_SITE_URL = "https://jixiao.example.gov.cn/"
    assert absolute_link("/collection/") == "https://jixiao.example.gov.cn/collection/"
    assert absolute_link("") == ""


@pytest.mark.parametrize("site", ["", "https://jixiao.example.gov.cn"])
def test_a_reminder_email_carries_an_absolute_link_when_the_site_is_configured(
    world: World,
    office: User,
    department: User,
    settings: Any,
    mailoutbox: list[Any],
    site: str,
) -> None:
    settings.JIXIAO_SITE_URL = site
    department.email = "fgj@example.gov.cn"
    department.save()
    actions.remind_department(office, world.period, department.organization)
    note = Notification.objects.get(recipient=department)
    assert email_notifications([note.pk]) == 1
    body = mailoutbox[0].body
    if site:
        assert f"{site}/collection/periods/{world.period.pk}/workspace/" in body
    else:
        assert "http" not in body
        assert "/collection/" not in body
