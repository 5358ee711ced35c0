"""Forced distribution of the qualitative scores departments enter in collection.

Registered on collection's submit hook (apps.py). When a department submits entries of
an indicator with a `DistributionSetting`, all its scores of that indicator in the
period are checked per category, on the indicator's points as the scale:

* refuse: the submission is refused with what to change;
* warn and penalise: it goes through, and per category broken the department gets a
  `DistributionBreach` and a penalty event (−0.2 points on a 100-point total, scaled to
  the department's own category) in the bonus–penalty ledger, submitted for the
  office's review like any other event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.audit.records import record_create
from jixiao.collection import leaf
from jixiao.collection.models import (
    BonusPenaltyEvent,
    BonusPenaltyStatus,
    CollectionPeriod,
    Entry,
)
from jixiao.collection.workflow import TransitionRefused
from jixiao.evaluation import distribution
from jixiao.evaluation.models import DistributionBreach, DistributionPolicy, DistributionSetting
from jixiao.org.models import Organization, UnitCategory, UnitEnrollment
from jixiao.scheme.models import IndicatorPoints


def rule_for(setting: DistributionSetting, scale: Decimal) -> distribution.Rule:
    return distribution.Rule(
        scale=scale,
        high_share=setting.high_share,
        low_share=setting.low_share,
        forbid_full=setting.forbid_full,
    )


def _text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def grid_counter(indicator: Any, categories: dict[int, tuple[str, Any]]) -> dict[str, Any] | None:
    """Collection's grid_counters hook: the rule per category for the live counts the
    department's clerk sees while typing (core/static/core/distribution.js, the same
    arithmetic as `distribution.check`, on the indicator's points as the scale)."""
    setting = (
        DistributionSetting.objects.filter(indicator=indicator)
        .exclude(policy=DistributionPolicy.OFF)
        .first()
    )
    if setting is None:
        return None
    groups = []
    for category_id, (name, points) in categories.items():
        rule = rule_for(setting, Decimal(points))
        groups.append(
            {
                "id": category_id,
                "name": name,
                "high": _text(rule.high_threshold),
                "low": _text(rule.low_threshold),
                "scale": _text(rule.scale),
                "highShare": str(rule.high_share),
                "lowShare": str(rule.low_share),
                "forbidFull": rule.forbid_full,
                "minUnits": rule.min_units,
                "labels": {"most": _("最多"), "least": _("至少"), "full": _("满分")},
            }
        )
    counter: dict[str, Any] = {"policy": setting.policy, "groups": groups}
    # Graded indicators (定性等次): a grade counts as points × its share, as it is scored.
    spec = leaf.method_of(indicator)
    if spec is not None and spec.code == "grade":
        shares = spec.normalize_params(indicator.params or {}).get("shares") or {}
        counter["grades"] = {str(g): str(share) for g, share in shares.items()}
    return counter


def check_submission(user: User, period: CollectionPeriod, entries: Sequence[Entry]) -> None:
    """The collection submit hook: the submitting department's scores."""
    check_department(user.organization, period, {e.indicator_id for e in entries})


def check_department(
    department: Organization, period: CollectionPeriod, indicator_ids: set[int]
) -> None:
    settings = list(
        DistributionSetting.objects.filter(indicator_id__in=indicator_ids)
        .exclude(policy=DistributionPolicy.OFF)
        .select_related("indicator", "penalty_indicator")
    )
    if not settings:
        return
    year_id = period.scheme.year_id
    enrollments = {
        e.unit_id: e.category
        for e in UnitEnrollment.objects.filter(year_id=year_id).select_related("category")
    }
    refused: list[str] = []
    for setting in settings:
        indicator = setting.indicator
        points = dict(
            IndicatorPoints.objects.filter(indicator=indicator).values_list("category_id", "points")
        )
        by_category: dict[int, list[Decimal | None]] = defaultdict(list)
        for unit_id, score in Entry.objects.filter(
            period=period, indicator=indicator, department=department
        ).values_list("unit_id", "score"):
            category = enrollments.get(unit_id)
            if category is not None and category.pk in points:
                by_category[category.pk].append(score)
        for category_id, scores in by_category.items():
            category = next(c for c in enrollments.values() if c.pk == category_id)
            label = f"{indicator.name}（{category.name}）"
            verdict = distribution.check(scores, rule_for(setting, points[category_id]), label)
            if verdict.ok:
                continue
            if setting.policy == DistributionPolicy.REFUSE:
                refused.extend(verdict.problems)
            else:
                _penalise(department, period, setting, category, verdict, enrollments)
    if refused:
        raise TransitionRefused(
            [_("定性评分不符合强制分布要求，未提交：") + refused[0], *refused[1:]]
        )


def _penalise(
    department: Organization,
    period: CollectionPeriod,
    setting: DistributionSetting,
    category: UnitCategory,
    verdict: distribution.Verdict,
    enrollments: dict[int, UnitCategory],
) -> None:
    if DistributionBreach.objects.filter(
        period=period, department=department, indicator=setting.indicator, category=category
    ).exists():
        return  # a resubmission is the same breach, penalised once
    own = enrollments.get(department.pk)
    event = None
    if setting.penalty_indicator is not None and own is not None:
        penalty = distribution.Rule(scale=Decimal(own.scale)).penalty
        event = BonusPenaltyEvent.objects.create(
            scheme=period.scheme,
            indicator=setting.penalty_indicator,
            unit=department,
            department=setting.penalty_indicator.owner or department,
            points=-penalty,
            occurred_on=timezone.localdate(),
            description=_(
                "%(i)s（%(c)s）定性评分不符合强制分布要求：%(p)s。按规定每类扣 %(n)s 分。"
            )
            % {
                "i": setting.indicator.name,
                "c": category.name,
                "p": "；".join(verdict.problems),
                "n": f"{penalty.normalize():f}",
            },
            status=BonusPenaltyStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        record_create(event)
    breach = DistributionBreach.objects.create(
        scheme=period.scheme,
        period=period,
        department=department,
        indicator=setting.indicator,
        category=category,
        units=verdict.n,
        problems=verdict.problems,
        event=event,
    )
    record_create(breach)
