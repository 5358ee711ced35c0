"""Demo results: compute and publish the demo district's years (2025, then 2026), so
that last-year comparisons, 争先 and the two-years warning have something to show.

Runs after the scheme and collection demos; a year without a scheme or without any
scoring entry is skipped. Idempotent: a year whose published run already has the same
input fingerprint is left alone.
"""

from __future__ import annotations

from typing import Any

from jixiao.accounts.models import User
from jixiao.collection.models import Entry
from jixiao.org.models import AssessmentYear
from jixiao.scheme.models import Scheme
from jixiao.scoring import actions
from jixiao.scoring.engine import ScoringError
from jixiao.scoring.models import RankingsAudience, RunStatus, ScoreRun

DEMO_YEARS = (2025, 2026)


def build_demo(district: Any) -> None:
    office = User.objects.filter(username="office").first()
    for number in DEMO_YEARS:
        year = AssessmentYear.objects.filter(year=number).first()
        if year is None or not Scheme.objects.filter(year=year).exists():
            continue
        if not Entry.objects.scoring_inputs().filter(period__scheme__year=year).exists():
            continue
        try:
            run = actions.compute_run(year, user=office, note="演示数据")
        except ScoringError:
            continue
        published = ScoreRun.objects.filter(year=year, status=RunStatus.PUBLISHED).first()
        if published is not None and published.fingerprint == run.fingerprint:
            run.delete()  # nothing changed since the published run
            continue
        actions.publish_run(
            run,
            user=office,
            audience=RankingsAudience.UNITS
            if number < DEMO_YEARS[-1]
            else RankingsAudience.LEADERS,
            reason="演示数据",
        )
