"""A year whose last year was published: the analysis reads last year's figures the way
scoring stored them (with last year's warning), so its pages open and its standings keep
the 连续两年后列 warning the run itself gave."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.analysis.loading import run_states
from jixiao.scoring.actions import compute_run, publish_run
from jixiao.scoring.models import CategoryRules, RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import liwan_world

pytestmark = pytest.mark.django_db


def _year(scores: list[int], year: int) -> ScoreRun:
    w = liwan_world(scores, year=year)
    CategoryRules.objects.create(category=w.categories["ZF"], warning_bottom=3)
    return compute_run(w.year)


@pytest.fixture
def second_year(office: User) -> ScoreRun:
    last = _year([90, 80, 70, 60, 50], 2025)
    publish_run(last, user=office, audience=RankingsAudience.LEADERS)
    return _year([90, 80, 60, 70, 95], 2026)


def test_the_analysis_of_a_second_year_opens(office_client: Client, second_year: ScoreRun) -> None:
    page = office_client.get(reverse("analysis:report", args=[second_year.pk]))
    assert page.status_code == 200
    scenarios = office_client.get(reverse("analysis:scenarios", args=[second_year.pk]))
    assert scenarios.status_code == 200


def test_the_baseline_keeps_last_years_warning(second_year: ScoreRun) -> None:
    (state,) = run_states(second_year)
    assert dict(state.baseline)["U02"].warnings == ("bottom_two", "bottom_two_consecutive")
