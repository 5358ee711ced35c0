"""End to end: ballots → published round → entries → a score run's totals and explanation."""

from decimal import Decimal

import pytest

from jixiao.evaluation import actions
from jixiao.evaluation.tests.factories import ballot_post, make_setup, reviewer_account
from jixiao.scheme.models import IndicatorPoints
from jixiao.scoring import actions as scoring
from jixiao.scoring.models import UnitResult

pytestmark = pytest.mark.django_db


def test_a_published_round_is_what_the_evaluation_indicator_scores(office):
    setup = make_setup()
    root = setup.indicator.parent
    # A whole 100-point tree: the evaluation indicator is worth all of it.
    IndicatorPoints.objects.create(indicator=root, category=setup.category, points=Decimal(100))
    IndicatorPoints.objects.filter(indicator=setup.indicator).update(points=Decimal(100))
    actions.open_round(setup.round)
    for i, scores in enumerate([[90, 80, 70, 60, 50], [80, 80, 70, 60, 50]]):
        actions.cast_ballot(reviewer_account(setup, f"lead{i}"), ballot_post(setup, scores))
    actions.cast_ballot(
        reviewer_account(setup, "base0", setup.grassroots), ballot_post(setup, [70] * 5)
    )
    actions.close_round(setup.round, acknowledge=True)
    actions.publish_round(setup.round)
    run = scoring.compute_run(setup.round.year, user=office)
    first = UnitResult.objects.get(run=run, unit=setup.units[0])
    # 区领导 85 × 60% + 基层单位 70 × 40% = 79 → 100 points × 79%
    assert first.total == Decimal("79.00")
    last = UnitResult.objects.get(run=run, unit=setup.units[4])
    assert last.total == Decimal("58.00")  # 50 × 0.6 + 70 × 0.4
