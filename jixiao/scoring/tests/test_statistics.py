"""The statistics page shows its figures rounded half up, as every figure is."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.scoring.actions import compute_run, publish_run
from jixiao.scoring.models import RankingsAudience
from jixiao.scoring.tests.factories import liwan_world
from jixiao.scoring.views_support import statistics

D = Decimal
pytestmark = pytest.mark.django_db


def test_a_mean_of_69_885_shows_69_89(office: User, office_client: Client) -> None:
    # Eight totals whose mean is exactly 69.885: half to even would show 69.88.
    scores = ["69.88", "69.89", "60", "79.77", "70", "70", "70", "69.54"]
    w = liwan_world(scores)  # type: ignore[arg-type]
    run = compute_run(w.year)
    publish_run(run, user=office, audience=RankingsAudience.LEADERS)
    stats = statistics(run)[0]
    assert sum(D(s) for s in scores) / 8 == D("69.885")
    assert stats.mean == D("69.89")
    page = office_client.get(reverse("scoring:statistics", args=[run.pk])).content.decode()
    assert "69.89" in page
    assert "69.88</td>" not in page


def test_the_share_at_or_above_90_shows_as_a_half_up_percentage(office_client: Client) -> None:
    w = liwan_world([95, 80, 80, 80, 80, 80, 80, 80])  # 1 of 8 = 12.5 %
    run = compute_run(w.year)
    page = office_client.get(reverse("scoring:statistics", args=[run.pk])).content.decode()
    assert "12.5%" in page
