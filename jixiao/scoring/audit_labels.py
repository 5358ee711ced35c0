"""How scoring's audit rows read; see audit/render.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.audit.render import register
from jixiao.scoring.models import RankingsAudience

RUN = "scoring.scorerun"


def _version(value: Any, row: Any) -> str:
    return _("第 %(n)s 版") % {"n": value}


def _audience(value: Any, row: Any) -> str:
    return str(dict(RankingsAudience.choices).get(value, value))


register(RUN, "number", gettext_lazy("版本"), show=_version)
register(RUN, "superseded_by", gettext_lazy("被取代"), show=_version)
register(RUN, "rankings_audience", gettext_lazy("排名公布范围"), show=_audience)
# The run's counts are on its own page; the row keeps them for the record.
register(RUN, "summary", hidden=True)
