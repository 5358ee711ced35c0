"""Saving drafts from the grid: versions, scope, deadlines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection import actions
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.scope import slot_for
from jixiao.collection.structure import department_slots
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World


def _row(
    world: World, value: str, *, version: int | None = None, reason: str = ""
) -> actions.RowInput:
    slot = slot_for(world.period, world.direct, world.unit)
    assert slot is not None
    return actions.RowInput(slot, {"value": value}, reason, version)


def test_the_department_sees_its_indicators_for_the_units_they_apply_to(
    world: World, department: User
) -> None:
    slots = department_slots(world.period, department.organization)
    keys = {(s.indicator.code, s.unit.code) for s in slots}
    assert keys == {(c, u) for c in ("A01", "A02", "A03", "A04") for u in ("JD01", "JD02")}


def test_explicit_units_narrow_an_indicator(world: World, department_org: object) -> None:
    world.direct.units.set([world.unit])
    slots = department_slots(world.period, world.direct.owner)  # type: ignore[arg-type]
    assert {s.unit.code for s in slots if s.indicator.code == "A01"} == {"JD01"}


def test_a_draft_is_created_then_updated_with_audit(world: World, department: User) -> None:
    result = actions.save_rows(department, world.period, [_row(world, "8")])
    entry = result.saved[0]
    assert (entry.value, entry.score, entry.status) == (
        Decimal("8"),
        Decimal("8"),
        EntryStatus.DRAFT,
    )
    result = actions.save_rows(department, world.period, [_row(world, "9", version=1)])
    entry.refresh_from_db()
    assert (entry.value, entry.version) == (Decimal("9"), 2)
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(entry.pk))
    assert update.before["value"] == "8.0000"
    assert update.after["value"] == "9.0000"  # what is stored, as before


def test_saving_the_same_values_changes_nothing(world: World, department: User) -> None:
    actions.save_rows(department, world.period, [_row(world, "8")])
    result = actions.save_rows(department, world.period, [_row(world, "8.0", version=1)])
    assert (len(result.saved), result.unchanged) == (0, 1)
    assert Entry.objects.get().version == 1


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(
    world: World, department: User
) -> None:
    actions.save_rows(department, world.period, [_row(world, "8")])
    actions.save_rows(department, world.period, [_row(world, "9", version=1)])
    result = actions.save_rows(department, world.period, [_row(world, "7", version=1)])
    assert "已被他人修改" in result.conflicts[(world.direct.pk, world.unit.pk)]
    assert Entry.objects.get().value == Decimal("9")


def test_two_people_creating_the_same_entry_conflict(world: World, department: User) -> None:
    actions.save_rows(department, world.period, [_row(world, "8")])
    result = actions.save_rows(department, world.period, [_row(world, "6", version=None)])
    assert result.conflicts
    assert Entry.objects.get().value == Decimal("8")


def test_submitted_entries_cannot_be_edited(world: World, department: User) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    result = actions.save_rows(department, world.period, [_row(world, "3", version=1)])
    assert "待初审" in result.errors[(world.direct.pk, world.unit.pk)][0]


def test_after_the_deadline_drafts_are_closed(world: World, department: User) -> None:
    world.period.deadline = timezone.now() - timedelta(minutes=1)
    world.period.save()
    result = actions.save_rows(department, world.period, [_row(world, "8")])
    assert result.errors[(world.direct.pk, world.unit.pk)] == ["已过填报截止时间，不能再修改。"]
    assert not Entry.objects.exists()


def test_another_departments_indicator_cannot_be_saved(
    world: World, other_department: User
) -> None:
    with pytest.raises(Http404):
        actions.save_rows(other_department, world.period, [_row(world, "8")])
    assert not Entry.objects.exists()


def test_granting_an_exception_is_audited_and_notified(
    world: World, office: User, department: User
) -> None:
    until = timezone.now() + timedelta(days=2)
    exception = actions.grant_exception(
        world.period, department.organization, until, "系统故障", office
    )
    assert AuditEvent.objects.filter(
        object_type="collection.deadlineexception", object_id=str(exception.pk)
    ).exists()
    assert department.notifications.filter(text__contains="延期").exists()
