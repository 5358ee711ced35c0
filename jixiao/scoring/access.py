"""Who may see which results. Every results view fetches through these helpers, which
raise Http404 for what the user may not see (existence is not leaked).

* 绩效办 (office): every run, computed or published, every card and ranking.
* 领导 (leader): published runs: rankings, cards, statistics.
* 被考核单位 (unit): its own card (and explanation) in the published run; its category's
  ranking only when the office opened rankings to units.
* 数据采集单位 (department): in the published run, the leaf scores of the indicators
  its organization owns.
* everyone else: nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jixiao.accounts.roles import Role
from jixiao.scoring.models import (
    CATEGORY_SNAPSHOT,
    RankingsAudience,
    RunStatus,
    ScoreRun,
    UnitResult,
)

RESULT_ROLES = (Role.OFFICE, Role.LEADER, Role.UNIT, Role.DEPARTMENT)


def visible_runs(user: Any) -> QuerySet[ScoreRun]:
    role = getattr(user, "role", None)
    runs = ScoreRun.objects.select_related("year")
    if role == Role.OFFICE:
        return runs
    if role in (Role.LEADER, Role.UNIT, Role.DEPARTMENT):
        return runs.filter(status=RunStatus.PUBLISHED)
    return runs.none()


def access_run(user: Any, pk: int) -> ScoreRun:
    run = visible_runs(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def can_see_rankings(user: Any, run: ScoreRun, category_id: int | None = None) -> bool:
    role = getattr(user, "role", None)
    if role == Role.OFFICE:
        return True
    if run.status != RunStatus.PUBLISHED:
        return False
    if role == Role.LEADER:
        return True
    if role == Role.UNIT and run.rankings_audience == RankingsAudience.UNITS:
        own = own_category_id(user, run)
        return own is not None and (category_id is None or own == category_id)
    return False


def own_category_id(user: Any, run: ScoreRun) -> int | None:
    return (
        UnitResult.objects.filter(run=run, unit_id=getattr(user, "organization_id", None))
        .values_list("run_category__category_id", flat=True)
        .first()
    )


def can_see_cards(user: Any, run: ScoreRun) -> bool:
    """Every unit's card (not just one's own)."""
    role = getattr(user, "role", None)
    return role == Role.OFFICE or (role == Role.LEADER and run.status == RunStatus.PUBLISHED)


def access_result(user: Any, run: ScoreRun, unit_id: int) -> UnitResult:
    """A unit's card: office and leaders any; a unit only its own; else 404."""
    role = getattr(user, "role", None)
    allowed = can_see_cards(user, run) or (
        role == Role.UNIT
        and run.status == RunStatus.PUBLISHED
        and unit_id == getattr(user, "organization_id", None)
    )
    if not allowed:
        raise Http404
    result = (
        UnitResult.objects.filter(run=run, unit_id=unit_id)
        .select_related("unit", "run_category__category", "run__year")
        .defer(*CATEGORY_SNAPSHOT)
        .order_by("pk")  # one row at most: not the default ordering's joins
        .first()
    )
    if result is None:
        raise Http404
    return result


def can_see_department_scores(user: Any, run: ScoreRun) -> bool:
    return getattr(user, "role", None) == Role.DEPARTMENT and run.status == RunStatus.PUBLISHED
