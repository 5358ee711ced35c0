"""Two people saving the same entry at the same moment, on real PostgreSQL connections."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from jixiao.accounts.models import User
from jixiao.collection import actions
from jixiao.collection.models import Entry
from jixiao.collection.scope import slot_for
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_never_silently_overwrite(world: World, department: User) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, value="5", score="5")
    slot = slot_for(world.period, world.direct, world.unit)
    assert slot is not None
    barrier = threading.Barrier(2)
    results: dict[str, actions.SaveResult] = {}

    def save(name: str, value: str) -> None:
        try:
            barrier.wait()
            row = actions.RowInput(slot, {"value": value}, "说明", expected_version=1)
            results[name] = actions.save_rows(department, world.period, [row])
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n, v)) for n, v in (("a", "7"), ("b", "9"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [n for n, r in results.items() if r.saved]
    conflicted = [n for n, r in results.items() if r.conflicts]
    assert len(saved) == 1
    assert len(conflicted) == 1
    entry.refresh_from_db()
    winner = {"a": Decimal("7"), "b": Decimal("9")}[saved[0]]
    assert (entry.value, entry.version) == (winner, 2)
    assert "已被他人修改" in next(iter(results[conflicted[0]].conflicts.values()))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_move_an_entry_once(world: World, office: User) -> None:
    from jixiao.collection.workflow import Act, EntryTransition, TransitionRefused

    entry = f.make_entry(world.period, world.direct, world.unit, status="submitted", value="8")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(action: str, reason: str) -> None:
        try:
            barrier.wait()
            EntryTransition(action, office, reason=reason).execute([Entry.objects.get(pk=entry.pk)])
            outcomes.append("ok")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(Act.APPROVE, "")),
        threading.Thread(target=act, args=(Act.RETURN, "退回")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    entry.refresh_from_db()
    assert entry.version == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_upload_does_not_wait_for_other_saves_of_the_period(
    world: World, department: User
) -> None:
    """Another save's key check holds the period row FOR KEY SHARE until it commits; an
    upload locking its own entries must not need that row (it once locked it FOR UPDATE
    through the entries' ordering, and the two deadlocked under load)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.collection import spreadsheet

    def workbook(value: int) -> SimpleUploadedFile:
        wb = spreadsheet.build_template(world.period, department.organization)
        ws = wb[spreadsheet.SHEET]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "A01")
        ws.cell(row, 8).value, ws.cell(row, 11).value = value, "说明"
        buffer = io.BytesIO()
        wb.save(buffer)
        return SimpleUploadedFile("填报.xlsx", buffer.getvalue())

    assert spreadsheet.import_workbook(department, world.period, workbook(8)).created == 1
    held, release = threading.Event(), threading.Event()

    def hold_the_period() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(
                    "SELECT 1 FROM collection_collectionperiod WHERE id = %s FOR KEY SHARE",
                    [world.period.pk],
                )
                held.set()
                release.wait(10)
                cursor.execute("ROLLBACK")
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_period)
    holder.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        report = spreadsheet.import_workbook(department, world.period, workbook(7))
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert (report.ok, report.updated) == (True, 1)
    assert Entry.objects.get().value == Decimal("7")
