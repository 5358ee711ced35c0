"""The grid's structure kept per process: never stale, whoever changed what it is built from
(collection/structure.py). Writes here go around the models' save() on purpose: a bulk
update, an import or another server changes the database without telling this process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jixiao.collection import structure
from jixiao.collection.models import StructureToken
from jixiao.collection.structure import current_token, department_slots
from jixiao.collection.tests.conftest import World
from jixiao.org.models import Organization, UnitCategory, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorPoints, Scheme


@pytest.fixture(autouse=True)
def _token_row(db: None) -> None:
    """The migration's row, which an earlier transactional test's flush may have removed."""
    StructureToken.objects.get_or_create(pk=1)


def _grid(world: World) -> set[tuple[str, str, str, Decimal, int | None, str]]:
    """What the department's grid is made of, as it would show it."""
    return {
        (s.indicator.code, s.indicator.name, s.unit.name, s.points, s.staffing, s.category_name)
        for s in department_slots(world.period, world.direct.owner)  # type: ignore[arg-type]
    }


CHANGES: dict[str, Callable[[World], object]] = {
    "a unit renamed": lambda w: Organization.objects.filter(pk=w.unit.pk).update(name="新名称"),
    "a unit deactivated": lambda w: Organization.objects.filter(pk=w.unit.pk).update(
        is_active=False
    ),
    "a category renamed": lambda w: UnitCategory.objects.filter(pk=w.category.pk).update(
        name="新类别"
    ),
    "staffing corrected": lambda w: UnitEnrollment.objects.filter(unit=w.unit).update(staffing=95),
    "a unit unenrolled": lambda w: UnitEnrollment.objects.filter(unit=w.unit).delete(),
    "an indicator renamed": lambda w: Indicator.objects.filter(pk=w.direct.pk).update(
        name="新指标"
    ),
    "an indicator handed to another department": lambda w: Indicator.objects.filter(
        pk=w.direct.pk
    ).update(owner=w.other.owner),
    "points changed": lambda w: IndicatorPoints.objects.filter(indicator=w.direct).update(
        points=Decimal("12")
    ),
    "points removed": lambda w: IndicatorPoints.objects.filter(indicator=w.direct).delete(),
    "an indicator narrowed to one unit": lambda w: w.direct.units.through.objects.create(
        indicator_id=w.direct.pk, organization_id=w.unit.pk
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_grid_follows_every_change_to_what_it_is_built_from(world: World, change: str) -> None:
    before = _grid(world)  # now kept by this process
    assert _grid(world) == before
    CHANGES[change](world)
    structure_now = _grid(world)
    structure.forget()
    assert structure_now == _grid(world) != before  # what a fresh process would build


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda w: Scheme.objects.filter(pk=w.scheme.pk).update(name="新方案"),
        lambda w: Indicator.objects.filter(pk=w.other.pk).update(sort_order=9),
        lambda w: Organization.objects.filter(pk=w.other_unit.pk).update(short_name="简"),
        lambda w: UnitCategory.objects.filter(pk=w.category.pk).update(sort_order=3),
    ],
    ids=["scheme", "another indicator", "another unit", "category order"],
)
def test_any_write_to_the_structure_tables_changes_the_token(
    world: World, write: Callable[[World], object]
) -> None:
    before = current_token()
    write(world)
    assert current_token() not in (None, before)


@pytest.mark.django_db
def test_a_kept_grid_costs_one_query(world: World) -> None:
    _grid(world)
    with CaptureQueriesContext(connection) as queries:
        _grid(world)
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_trace(world: World) -> None:
    before = _grid(world)
    seen_inside: set[Decimal] = set()

    def abandoned_change() -> None:
        with transaction.atomic():
            IndicatorPoints.objects.filter(indicator=world.direct).update(points=Decimal("99"))
            seen_inside.update(row[3] for row in _grid(world))  # kept, inside the change
            raise RuntimeError("the change is abandoned")

    with pytest.raises(RuntimeError):
        abandoned_change()
    assert Decimal("99") in seen_inside
    assert _grid(world) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_structure_edits_queue_on_the_token_instead_of_deadlocking(world: World) -> None:
    """A renames an indicator, then B starts renaming a unit, then A renames that unit too.
    B must wait for A before locking the unit's row: had it locked the row first and then
    waited for the token A holds, A's rename would wait for B, a deadlock."""
    b_started, b_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def rename_the_unit() -> None:
        try:
            with transaction.atomic():
                b_started.set()
                Organization.objects.filter(pk=world.unit.pk).update(name="B 的名称")
        except BaseException as error:
            errors.append(error)
        finally:
            b_done.set()
            connection.close()

    with transaction.atomic():
        Indicator.objects.filter(pk=world.direct.pk).update(name="A 的指标")
        other = threading.Thread(target=rename_the_unit)
        other.start()
        b_started.wait(5)
        assert not b_done.wait(0.5)  # B waits for A's token
        Organization.objects.filter(pk=world.unit.pk).update(name="A 的名称")
    other.join(10)
    assert errors == []
    world.unit.refresh_from_db()
    assert world.unit.name == "B 的名称"  # B ran after A, whole
