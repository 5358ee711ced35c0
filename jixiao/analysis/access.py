"""Who may see analyses: the office (绩效办) only, through the scoring run helpers; a
scenario another role asks for does not exist for it (404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from jixiao.accounts.roles import Role
from jixiao.analysis.models import Scenario
from jixiao.scoring.access import visible_runs


def access_scenario(user: Any, sid: int) -> Scenario:
    if getattr(user, "role", None) != Role.OFFICE:
        raise Http404
    scenario = (
        Scenario.objects.filter(pk=sid, run__in=visible_runs(user))
        .select_related("run__year")
        .first()
    )
    if scenario is None:
        raise Http404
    return scenario
