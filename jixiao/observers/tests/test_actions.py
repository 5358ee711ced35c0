"""Observers file notes on site; the office returns them; every write is audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.observers import actions
from jixiao.observers.models import Observation, ObservationStatus
from jixiao.observers.tests.conftest import Field
from jixiao.observers.tests.factories import a_note, a_point_at, observing

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def _edit(observer: User, note: Observation, **changes: object) -> Observation:
    values = {
        "unit": note.unit,
        "point": note.point,
        "observed_on": note.observed_on,
        "rating": note.rating,
        "text": note.text,
        "version": note.version,
    }
    values.update(changes)
    return actions.save_observation(observer, note, **values)  # type: ignore[arg-type]


def test_a_draft_is_edited_and_submitting_locks_it(field: Field, observer: User) -> None:
    note = _edit(observer, field.draft, text="补充：已拍照", rating=5)
    assert (note.text, note.rating, note.status) == ("补充：已拍照", 5, ObservationStatus.DRAFT)
    actions.submit_observation(observer, note, note.version)
    note.refresh_from_db()
    assert note.status == ObservationStatus.SUBMITTED
    assert note.submitted_at is not None
    with pytest.raises(TransitionRefused, match="已提交"):
        _edit(observer, note, text="再改")
    assert Observation.objects.get(pk=note.pk).text == "补充：已拍照"


def test_an_observer_cannot_file_about_a_unit_they_do_not_watch(observer: User, unit: User) -> None:
    with pytest.raises(TransitionRefused, match="没有这个单位"):
        a_note(observer, unit.organization)
    assert not Observation.objects.exists()


def test_a_point_assignment_covers_that_point_only(
    field: Field, observer: User, other_unit: User
) -> None:
    another = a_point_at(other_unit.organization, "文化站")
    with pytest.raises(TransitionRefused, match="没有这个单位或观测点"):
        a_note(observer, other_unit.organization, another)
    assert a_note(observer, other_unit.organization, field.other_point).pk


def test_a_point_of_another_unit_is_refused(field: Field, observer: User, unit: User) -> None:
    with pytest.raises(TransitionRefused, match="观测点不属于"):
        a_note(observer, unit.organization, field.other_point)


def test_text_goes_through_the_text_door(field: Field, observer: User, unit: User) -> None:
    with pytest.raises(TransitionRefused, match="控制字符"):
        a_note(observer, unit.organization, text="坏\x00字")
    with pytest.raises(TransitionRefused, match="2000"):
        a_note(observer, unit.organization, text="长" * 2001)
    with pytest.raises(TransitionRefused, match="请填写观察意见"):
        a_note(observer, unit.organization, text="   ")


def test_a_date_in_the_future_or_a_rating_out_of_range_is_refused(
    field: Field, observer: User, unit: User
) -> None:
    with pytest.raises(TransitionRefused, match="晚于今天"):
        a_note(observer, unit.organization, observed_on=dt.date.today() + dt.timedelta(days=2))
    with pytest.raises(TransitionRefused, match="请选择评价"):
        a_note(observer, unit.organization, rating=6)


def test_photos_pass_the_evidence_door(field: Field, observer: User) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        note = _edit(observer, field.draft, files=[_png()])
    photo = note.photos.get()
    assert (photo.original_name, photo.content_type, photo.extension) == (
        "现场.png",
        "image/png",
        ".png",
    )
    assert photo.file.name.startswith("observers/")
    assert "现场" not in photo.file.name
    fake = SimpleUploadedFile("x.jpg", b"just text, not an image", content_type="image/jpeg")
    with pytest.raises(TransitionRefused, match="不支持的文件类型"):
        _edit(observer, Observation.objects.get(pk=note.pk), files=[fake], text="改了")
    # All or nothing: the refused photo rolled the edit back too.
    assert Observation.objects.get(pk=note.pk).text == field.draft.text
    assert note.photos.count() == 1


def test_a_stale_version_is_a_conflict_not_an_overwrite(field: Field, observer: User) -> None:
    stale = field.draft.version
    _edit(observer, field.draft, text="第一次")
    note = Observation.objects.get(pk=field.draft.pk)
    with pytest.raises(EditConflict):
        _edit(observer, note, text="第二次", version=stale)
    assert Observation.objects.get(pk=note.pk).text == "第一次"


def test_the_office_returns_with_a_reason_and_the_observer_resubmits(
    field: Field, office: User, observer: User
) -> None:
    with pytest.raises(TransitionRefused, match="退回理由"):
        actions.return_observation(office, field.submitted, "")
    actions.return_observation(office, field.submitted, "请补充照片")
    note = Observation.objects.get(pk=field.submitted.pk)
    assert (note.status, note.returned_reason, note.returned_by) == (
        ObservationStatus.RETURNED,
        "请补充照片",
        office,
    )
    note = _edit(observer, note, text="已补充照片")
    actions.submit_observation(observer, note, note.version)
    assert Observation.objects.get(pk=note.pk).status == ObservationStatus.SUBMITTED


def test_only_the_office_returns_and_only_submitted_notes(
    field: Field, observer: User, office: User
) -> None:
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        actions.return_observation(observer, field.submitted, "理由")
    with pytest.raises(TransitionRefused, match="只有已提交"):
        actions.return_observation(office, field.draft, "理由")


def test_another_observer_cannot_touch_the_note(field: Field, observer: User) -> None:
    from jixiao.core.testing import make_user

    second = make_user("observer_b", "observer", observer.organization)
    observing(second, field.draft.unit)
    with pytest.raises(TransitionRefused, match="自己的"):
        _edit(second, field.draft, text="别人的")
    with pytest.raises(TransitionRefused, match="自己的"):
        actions.submit_observation(second, field.draft, field.draft.version)
    assert Observation.objects.get(pk=field.draft.pk).status == ObservationStatus.DRAFT


def test_every_write_is_audited(field: Field, office: User, observer: User) -> None:
    actions.return_observation(office, field.submitted, "请补充")
    rows = AuditEvent.objects.for_object(field.submitted)
    assert set(rows.values_list("action", flat=True)) == {
        AuditAction.CREATE,
        AuditAction.TRANSITION,
    }
    assert rows.filter(reason="请补充").exists()


def test_assignments_are_the_office_s_and_need_an_observer(
    office: User, observer: User, unit: User, leader: User
) -> None:
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        actions.assign_observer(observer, observer, unit.organization)
    with pytest.raises(TransitionRefused, match="观察员账号"):
        actions.assign_observer(office, leader, unit.organization)
    actions.assign_observer(office, observer, unit.organization)
    with pytest.raises(TransitionRefused, match="不必重复"):
        actions.assign_observer(office, observer, unit.organization)
    row = AuditEvent.objects.get(
        action=AuditAction.PERMISSION_CHANGE, object_type="observers.assignment"
    )
    assert row.after["observer_name"] == observer.display_name


def test_a_point_name_is_unique_within_its_unit(office: User, unit: User) -> None:
    actions.register_point(office, unit.organization, name="服务中心")
    with pytest.raises(TransitionRefused, match="同名"):
        actions.register_point(office, unit.organization, name="服务中心")


def test_the_audit_log_reads_an_assignment_and_a_return_in_words(
    field: Field, office: User, observer: User, unit: User
) -> None:
    from jixiao.audit.render import changes_text, render

    actions.return_observation(office, field.submitted, "请补充")
    rows = AuditEvent.objects.filter(
        object_type__in=["observers.assignment", "observers.observation"]
    ).order_by("pk")
    assert not rows.filter(object_type="observers.assignment").exists()  # factories, not actions
    actions.assign_observer(
        office, observer, unit.organization, a_point_at(unit.organization, "文化站")
    )
    lines = render(AuditEvent.objects.filter(object_type="observers.assignment"))
    assert "观察员：" in changes_text(lines[0])
    assert "文化站" in changes_text(lines[0])
    returned = render(rows.filter(action=AuditAction.TRANSITION))[-1]
    assert "已退回" in changes_text(returned)
