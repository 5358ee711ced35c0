"""An entry's page shows its stored score with the parameters it was computed with, and
says so when the scheme has been revised since."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.scheme.models import IndicatorPoints, RevisionStatus, SchemeRevision

pytestmark = pytest.mark.django_db


def _scored_before_a_revision(world: World, office: User) -> Entry:
    """Two occurrences at 2 points each on 10 points: stored score 6. The scheme is then
    revised to 3 points per occurrence and 12 points."""
    entry = f.make_entry(
        world.period,
        world.deduction,
        world.unit,
        status=EntryStatus.APPROVED,
        value="2",
        score="6",
        reason="两次安全生产事故",
    )
    Entry.objects.filter(pk=entry.pk).update(entered_at=timezone.now() - timedelta(days=30))
    SchemeRevision.objects.create(
        scheme=world.scheme,
        number=1,
        reason="提高安全生产扣分标准",
        status=RevisionStatus.APPLIED,
        applied_at=timezone.now() - timedelta(days=1),
        created_by=office,
        before={
            "indicators": [
                {
                    "code": "A04",
                    "method": "deduction",
                    "params": {"per_occurrence": "2"},
                    "points": {world.category.code: "10"},
                }
            ]
        },
    )
    world.deduction.params = {"per_occurrence": "3"}
    world.deduction.save()
    IndicatorPoints.objects.filter(indicator=world.deduction).update(points=12)
    return entry


def test_the_stored_score_is_shown_with_the_parameters_it_was_computed_with(
    world: World, office: User, office_client: Client
) -> None:
    entry = _scored_before_a_revision(world, office)
    page = office_client.get(reverse("collection:entry_detail", args=[entry.pk])).content
    text = page.decode()
    assert "max(10 − 2 × 2, 0) = 6.0000" in text  # not max(12 − 3 × 2, 0) = 6 by chance
    assert "3 × 2" not in text
    assert "方案已于" in text
    assert "本得分按修订前参数计算" in text


def test_an_entry_scored_after_the_revision_uses_the_current_scheme(
    world: World, office: User, office_client: Client
) -> None:
    entry = _scored_before_a_revision(world, office)
    Entry.objects.filter(pk=entry.pk).update(entered_at=timezone.now(), score=6)
    page = office_client.get(reverse("collection:entry_detail", args=[entry.pk])).content
    assert "max(12 − 3 × 2, 0) = 6.0000" in page.decode()
    assert "本得分按修订前参数计算" not in page.decode()
