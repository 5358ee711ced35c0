"""Two computations of the same year at once (two clicks, two app servers, two workers)
leave one version; the multi-process proof is in core/tests/test_multiprocess.py."""

from __future__ import annotations

from typing import Any
from unittest import mock

from jixiao.accounts.models import User
from jixiao.collection.models import Entry
from jixiao.scoring import actions, loader
from jixiao.scoring.models import ScoreRun
from jixiao.scoring.tests.factories import zhangjiagang_world


def test_a_computation_that_finds_the_same_result_just_stored_returns_it(office: User) -> None:
    w = zhangjiagang_world()
    real_load = loader.load_year
    other: list[ScoreRun] = []

    def load_while_another_server_computes(year: Any, **options: Any) -> Any:
        inputs = real_load(year, **options)
        if not other:  # the other server commits while this one is still computing
            with mock.patch.object(loader, "load_year", real_load):
                other.append(actions.compute_run(year, user=office))
        return inputs

    with mock.patch.object(loader, "load_year", load_while_another_server_computes):
        mine = actions.compute_run(w.year, user=office)
    assert mine.pk == other[0].pk
    assert ScoreRun.objects.filter(year=w.year).count() == 1


def test_a_computation_after_a_change_made_meanwhile_is_a_new_version(office: User) -> None:
    w = zhangjiagang_world()
    real_load = loader.load_year
    other: list[ScoreRun] = []

    def load_then_data_changes(year: Any, **options: Any) -> Any:
        if not other:
            with mock.patch.object(loader, "load_year", real_load):
                other.append(actions.compute_run(year, user=office))
            entry = Entry.objects.get(unit__code="MZJ", indicator__code="1.1.1")
            entry.value = 100
            entry.save()
        return real_load(year, **options)

    with mock.patch.object(loader, "load_year", load_then_data_changes):
        mine = actions.compute_run(w.year, user=office)
    assert (other[0].number, mine.number) == (1, 2)


def test_asking_again_later_still_makes_a_new_version(office: User) -> None:
    w = zhangjiagang_world()
    first = actions.compute_run(w.year, user=office)
    second = actions.compute_run(w.year, user=office)
    assert (first.number, second.number) == (1, 2)
    assert first.fingerprint == second.fingerprint
