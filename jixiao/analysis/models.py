"""What-if scenarios (情景模拟): a named set of changes to a score run's scheme and result
rules, re-ranked on the run's own input by the pure engine. A scenario never writes to
the scheme, the collected data or the run (docs/analysis.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.scoring.models import ScoreRun


class Scenario(models.Model):
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("情景名称"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # {category code: {"points": {...}, "drop": [...], "params": {...}, "methods": {...},
    #  "rules": {...}}} (see jixiao.scoring.engine.whatif)
    changes = models.JSONField(_("调整内容"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最近修改"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("模拟情景")
        verbose_name_plural = _("模拟情景")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "name"],
                name="scenario_name_per_run",
                violation_error_message=_("这次计分已有同名的模拟情景，请换一个名称。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def change_count(self) -> int:
        total = 0
        for changes in self.changes.values():
            for key in ("points", "params", "methods", "rules"):
                total += len(changes.get(key) or {})
            total += len(changes.get("drop") or [])
        return total
