"""Telling people that results were published, through the same in-app notifications
(and e-mail, when configured) that data collection uses.

Scoring sits above collection, so it calls collection's `notify` directly (a call down
the layers, not up). Each unit's people are linked to the results home, which opens
their own card; leaders land on the run.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.notifications import notify
from jixiao.scoring.models import ScoreRun, UnitResult


def announce_published(run: ScoreRun, *, actor: User | None, replaced: int | None) -> int:
    """Notify every assessed unit of the run and the leaders; returns how many people."""
    unit_ids = UnitResult.objects.filter(run=run).values_list("unit_id", flat=True)
    people = User.objects.filter(is_active=True).filter(
        Q(role=Role.UNIT, organization_id__in=unit_ids) | Q(role=Role.LEADER)
    )
    text = (
        _("%(y)s考核结果已更新发布（第 %(n)d 版，取代第 %(m)d 版），请查看本单位成绩单。")
        % {"y": run.year.name, "n": run.number, "m": replaced}
        if replaced is not None
        else _("%(y)s考核结果已发布（第 %(n)d 版），请查看本单位成绩单。")
        % {"y": run.year.name, "n": run.number}
    )
    link = f"{reverse('scoring:index')}?year={run.year.year}"
    return len(notify(people, text, link, exclude=actor))
