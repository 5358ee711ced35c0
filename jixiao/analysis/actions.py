"""Writes of the analysis app: scenarios only (never the scheme, the data or the run).
Each action is one transaction with its audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.analysis.models import Scenario
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_update, snapshot
from jixiao.core.concurrency import save_versioned
from jixiao.scoring.models import ScoreRun

FIELDS = ("name", "note", "changes")


class ScenarioError(Exception):
    """A scenario write refused, with a Chinese message."""


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ScenarioError(_("请填写情景名称"))
    if len(name) > 100:
        raise ScenarioError(_("情景名称不超过 100 个字"))
    return name


def create_scenario(
    run: ScoreRun, *, name: str, note: str = "", user: Any = None, copy_of: Scenario | None = None
) -> Scenario:
    """A new named scenario of `run` (empty, or a copy of another scenario's changes)."""
    scenario = Scenario(
        run=run,
        name=_check_name(name),
        note=note.strip()[:200],
        changes=dict(copy_of.changes) if copy_of is not None else {},
        created_by=user if getattr(user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            scenario.save()
            record_create(scenario)
    except IntegrityError as error:
        raise ScenarioError(_("本版本已有名为“%(n)s”的情景") % {"n": scenario.name}) from error
    return scenario


def save_category_changes(
    scenario: Scenario,
    category_code: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    reason: str = "",
) -> Scenario:
    """Replace one category's changes; EditConflict if someone saved in between."""
    with transaction.atomic():
        before = snapshot(scenario, ("changes",))
        stored = dict(scenario.changes)
        if changes:
            stored[category_code] = dict(changes)
        else:
            stored.pop(category_code, None)
        scenario.changes = stored
        scenario.updated_at = timezone.now()
        save_versioned(scenario, expected_version, ("changes", "updated_at"))
        record_update(scenario, before, reason=reason)
    return scenario


def delete_scenario(scenario: Scenario, *, reason: str = "") -> None:
    with transaction.atomic():
        record(AuditAction.DELETE, scenario, before=snapshot(scenario, FIELDS), reason=reason)
        scenario.delete()
