"""Inspection photos go through collection's evidence door: written on commit, and a
file that cannot be written takes its record with it, as evidence does."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import TransitionRefused
from jixiao.verification import actions
from jixiao.verification.models import InspectionPhoto, ItemStatus, SpotCheckItem

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _item(world: World, office: User, inspector: User) -> SpotCheckItem:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    check = actions.draw_sample(
        office, world.period, fraction=Decimal(1), seed=3, inspector=inspector
    )
    return check.items.get()


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场.png", PNG, content_type="image/png")


def test_a_committed_photo_is_written_under_a_random_name(
    world: World,
    office: User,
    inspector: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = _item(world, office, inspector)
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_finding(inspector, item, accurate=True, note="一致", files=[_photo()])
    photo = InspectionPhoto.objects.get()
    assert photo.file.name.startswith("verification/")
    assert photo.file.name.endswith(".png")
    assert "现场" not in photo.file.name
    assert (Path(settings.MEDIA_ROOT) / photo.file.name).read_bytes() == PNG
    assert AuditEvent.objects.filter(
        object_type="verification.inspectionphoto", action=AuditAction.CREATE
    ).exists()


def test_a_photo_that_cannot_be_written_after_commit_takes_its_record_with_it(
    world: World, office: User, inspector: User, django_capture_on_commit_callbacks: Any
) -> None:
    item = _item(world, office, inspector)
    storage = InspectionPhoto._meta.get_field("file").storage  # type: ignore[attr-defined]
    with (
        mock.patch.object(storage, "save", side_effect=OSError("disk full")),
        pytest.raises(OSError, match="disk full"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.record_finding(inspector, item, accurate=True, note="一致", files=[_photo()])
    assert not InspectionPhoto.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="verification.inspectionphoto",
        action=AuditAction.DELETE,
        reason__contains="文件写入失败",
    ).exists()
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCURATE  # the finding stands; only the file is gone


def test_a_finding_that_rolls_back_leaves_no_photo_file(
    world: World,
    office: User,
    inspector: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = _item(world, office, inspector)
    fake = SimpleUploadedFile("说明.png", b"<html>no</html>")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TransitionRefused, match="不支持的文件类型"),
    ):
        actions.record_finding(inspector, item, accurate=True, note="一致", files=[_photo(), fake])
    assert callbacks == []
    assert not InspectionPhoto.objects.exists()
    root = Path(settings.MEDIA_ROOT) / "verification"
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
