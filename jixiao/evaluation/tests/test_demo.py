"""The demo district's evaluation side: 2025's distribution breach is marked in 2026's
scheme, beside the indicator, through the office's action (load_demo builds it once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase

from jixiao.evaluation.models import DistributionBreach, DistributionMark
from jixiao.scheme import hooks
from jixiao.scheme.models import Scheme


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo", quiet=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_last_years_breach_is_marked_in_2026s_scheme(demo: None) -> None:
    breaches = list(DistributionBreach.objects.filter(scheme__year__year=2025))
    assert breaches  # one per category broken
    scheme = Scheme.objects.get(year__year=2026)
    marks = DistributionMark.objects.filter(scheme=scheme)
    assert {m.breach_id for m in marks} == {b.pk for b in breaches}
    notes = hooks.notes(scheme)
    code = breaches[0].indicator.code
    assert len(notes[code]) == len(breaches)
    assert all("下年度降低权重或取消评分资格" in note for note in notes[code])
    assert hooks.notes(scheme, breaches[0].department_id) == notes
