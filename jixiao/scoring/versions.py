"""How a year's score runs read as versions: which are superseded, and by which version.

A computed run that is not the newest was overtaken by a later computation: it can no
longer be published (only the newest can), so it reads "已被取代（第 N 版）" rather than
"已计算（未发布）" forever. Published runs replaced by a newer publication already carry
the SUPERSEDED status; they name the version that replaced them too. Display only: no
run row changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jixiao.scoring.models import RunStatus, ScoreRun

PUBLISHED_LIKE = (RunStatus.PUBLISHED, RunStatus.SUPERSEDED)


@dataclass(frozen=True)
class Version:
    run: ScoreRun
    superseded_by: int | None  # the version number that replaced it

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by is not None

    @property
    def label(self) -> str:
        if self.superseded_by is not None:
            return _("已被取代（第 %(n)d 版）") % {"n": self.superseded_by}
        return str(self.run.get_status_display())

    @property
    def badge(self) -> str:
        if self.run.status == RunStatus.PUBLISHED:
            return "text-bg-success"
        if self.run.status == RunStatus.COMPUTED and self.superseded_by is None:
            return "text-bg-warning"
        return "badge-soft"


def versions(runs: Iterable[ScoreRun]) -> list[Version]:
    """The runs of one year (any order) with what superseded each, in the given order."""
    runs = list(runs)
    numbers = sorted(r.number for r in runs)
    published = sorted(r.number for r in runs if r.status in PUBLISHED_LIKE)
    result = []
    for run in runs:
        by: int | None = None
        if run.status == RunStatus.SUPERSEDED:
            by = next((n for n in published if n > run.number), None)
        elif run.status == RunStatus.COMPUTED:
            by = next((n for n in numbers if n > run.number), None)
        result.append(Version(run, by))
    return result


def version_of(run: ScoreRun) -> Version:
    """One run's version, looking at the year's other runs."""
    later = ScoreRun.objects.filter(year_id=run.year_id, number__gt=run.number)
    if run.status == RunStatus.SUPERSEDED:
        later = later.filter(status__in=PUBLISHED_LIKE)
    elif run.status != RunStatus.COMPUTED:
        return Version(run, None)
    return Version(run, later.order_by("number").values_list("number", flat=True).first())
