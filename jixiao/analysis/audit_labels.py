"""How the analysis app's audit rows read (keys that are not model fields)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register

register("analysis.scenario", "draft_scheme", _("转入方案草稿"))
register("analysis.scenario", "scheme_revision", _("方案修订次数"))
