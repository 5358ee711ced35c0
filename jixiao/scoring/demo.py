"""Demo results: compute and publish the demo district's years (2025, then 2026), so
that last-year comparisons, 争先 and the two-years warning have something to show.

Runs after the scheme and collection demos; a year without a scheme or without any
scoring entry is skipped. After 2026 is published, 东湖街道's recheck is answered (a
value changes) and 2026 is computed again without publishing, so the results page has a
second version and a diff to show. That second computation runs once the demo is
committed, after the incremental recomputes the collection story scheduled (which find
no working run then and do nothing), so they do not patch it one entry at a time.

Idempotent: a year that already has a run is left alone.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.collection import demo as collection_demo
from jixiao.collection.models import Entry
from jixiao.org.models import AssessmentYear
from jixiao.scheme.models import Scheme
from jixiao.scoring import actions
from jixiao.scoring.engine import ScoringError
from jixiao.scoring.models import RankingsAudience, ScoreRun

DEMO_YEARS = (2025, 2026)
NOTE = "演示数据"
RECHECK_NOTE = "东湖街道复核更正后重新计算（待发布）"


def build_demo(district: Any) -> None:
    office = User.objects.filter(username="office").first()
    for number in DEMO_YEARS:
        year = AssessmentYear.objects.filter(year=number).first()
        if year is None or not Scheme.objects.filter(year=year).exists():
            continue
        if ScoreRun.objects.filter(year=year).exists():
            continue
        if not Entry.objects.scoring_inputs().filter(period__scheme__year=year).exists():
            continue
        try:
            run = actions.compute_run(year, user=office, note=NOTE)
        except ScoringError:
            continue
        latest = number == DEMO_YEARS[-1]
        actions.acknowledge_all_gaps(run, user=office, reason="示范数据：该项未报送或未审定")
        actions.publish_run(
            run,
            user=office,
            audience=RankingsAudience.LEADERS if latest else RankingsAudience.UNITS,
            reason=NOTE,
        )
        if latest and collection_demo.answer_demo_recheck():
            transaction.on_commit(partial(recompute_after_recheck, year.pk, office))


def recompute_after_recheck(year_id: int, office: User | None) -> None:
    year = AssessmentYear.objects.get(pk=year_id)
    with acting_as(office):
        try:
            actions.compute_run(year, user=office, note=RECHECK_NOTE)
        except ScoringError:
            return
