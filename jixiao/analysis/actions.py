"""Writes of the analysis app: scenarios, and a scenario carried into next year's scheme
draft through the scheme's own actions (never this year's scheme, the data or the run).
Each action is one transaction with its audit rows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.analysis.drafting import DraftError, apply_scenario, tree_changes
from jixiao.analysis.models import Scenario
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_update, snapshot
from jixiao.core.concurrency import save_versioned
from jixiao.core.values import clean_text
from jixiao.org.models import AssessmentYear, UnitCategory
from jixiao.scheme.actions import SchemeActionError, create_scheme, revise_draft
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import Scheme, SchemeRevision, SchemeStatus
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


def draft_next_scheme(scenario: Scenario, *, reason: str, user: Any) -> SchemeRevision:
    """Carry the scenario's points, drops, methods and parameters into next year's scheme
    draft (created as a copy of this year's scheme when there is none yet), as one
    recorded revision with `reason` that names the scenario. Refused when next year's
    scheme is already published. The run's own year is never written."""
    try:
        reason = clean_text(reason)
    except ValueError as error:
        raise ScenarioError(_("修订原因%(e)s") % {"e": error}) from error
    if not reason:
        raise ScenarioError(_("请填写转为方案草稿的原因"))
    if not tree_changes(scenario.changes):
        raise ScenarioError(_("这个情景没有调整指标的分值、计分方法或参数，无需转为方案草稿"))
    run = scenario.run
    year = run.year
    upcoming = AssessmentYear.objects.filter(year=year.year + 1).first()
    if upcoming is None:
        raise ScenarioError(
            _("还没有建立 %(y)d 年度：请先在“考核年度与类别”中建立下一年度及其考核类别")
            % {"y": year.year + 1}
        )
    try:
        with transaction.atomic():
            target = Scheme.objects.select_for_update(of=("self",)).filter(year=upcoming).first()
            if target is None:
                source = Scheme.objects.filter(year=year).first()
                if source is None:
                    raise ScenarioError(_("%(y)s 没有考核方案") % {"y": year.name})
                target = create_scheme(
                    upcoming,
                    _("%(y)s 考核方案（草稿）") % {"y": upcoming.name},
                    copy_from=source,
                )
            elif target.status != SchemeStatus.DRAFT:
                raise ScenarioError(
                    _("%(y)s 的考核方案已发布，不能再用情景改写；如需调整，请在方案中发起修订")
                    % {"y": upcoming.name}
                )
            scales = {c.code: Decimal(c.scale) for c in UnitCategory.objects.filter(year=upcoming)}
            nodes = apply_scenario(load_nodes(target), scenario.changes, scales)
            revision = revise_draft(
                target,
                nodes,
                reason=_("依据情景模拟“%(s)s”：%(r)s") % {"s": scenario.name, "r": reason},
                user=user,
                origin={"scenario": scenario.name, "scenario_id": scenario.pk, "run": str(run)},
            )
            record(
                AuditAction.TRANSITION,
                scenario,
                after={"draft_scheme": target.name, "scheme_revision": revision.number},
                reason=reason,
            )
    except DraftError as error:
        raise ScenarioError("；".join(error.problems)) from error
    except SchemeActionError as error:
        raise ScenarioError(str(error)) from error
    return revision


def scenario_drafts(scenario: Scenario) -> list[SchemeRevision]:
    """The scheme revisions made from this scenario (newest first)."""
    revisions = SchemeRevision.objects.filter(
        scheme__year__year=scenario.run.year.year + 1
    ).select_related("scheme")
    return [
        r
        for r in revisions
        if (r.summary or {}).get("origin", {}).get("scenario_id") == scenario.pk
    ]
