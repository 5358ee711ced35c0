"""Lights of a year at a month, loaded in a bounded number of queries and computed by
the pure `lights.py`. Nothing here writes."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.monitoring import lights
from jixiao.monitoring.models import (
    LightRule,
    PlanStatus,
    Progress,
    ProjectNode,
    RuleScope,
    Target,
)
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Indicator, Scheme


@dataclass(slots=True)
class UnitLight:
    """One light: a unit × indicator target or a unit's project node at a month."""

    kind: str  # "target" or "node"
    pk: int
    year: int
    month: int
    unit_id: int
    unit: str
    indicator_id: int
    indicator: str
    subject: str
    color: str
    lag: Decimal | None
    value: Decimal | None = None
    annual: Decimal | None = None
    expected: Decimal | None = None  # share, 0..1
    due_on: date | None = None
    done_on: date | None = None

    @property
    def color_label(self) -> str:
        return {lights.GREEN: _("绿灯"), lights.YELLOW: _("黄灯"), lights.RED: _("红灯")}[
            self.color
        ]

    @property
    def expected_percent(self) -> Decimal | None:
        return None if self.expected is None else (self.expected * 100).quantize(Decimal("0.1"))

    @property
    def actual_percent(self) -> Decimal | None:
        if self.annual is None:
            return None
        share = lights.actual_share(self.value, self.annual) * 100
        return share.quantize(Decimal("0.1"))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def default_month(year: int, today: date | None = None) -> int:
    """The month a page shows first: this month in the current year, December before."""
    today = today or timezone.localdate()
    if year == today.year:
        return today.month
    return 12 if year < today.year else 1


def rules_for(year_id: int) -> dict[str, tuple[lights.Rule, ...]]:
    found: dict[str, list[lights.Rule]] = {RuleScope.TARGET: [], RuleScope.NODE: []}
    for scope, color, threshold in (
        LightRule.objects.filter(year_id=year_id)
        .order_by("scope", "position")
        .values_list("scope", "color", "threshold")
    ):
        found[scope].append(lights.Rule(color, threshold))
    return {
        RuleScope.TARGET: tuple(found[RuleScope.TARGET]) or lights.DEFAULT_TARGET_RULES,
        RuleScope.NODE: tuple(found[RuleScope.NODE]) or lights.DEFAULT_NODE_RULES,
    }


def _milestones(raw: Iterable[str]) -> list[Decimal]:
    return [Decimal(str(v)) for v in raw]


def target_light(
    target: Target, value: Decimal | None, month: int, rules: tuple[lights.Rule, ...]
) -> tuple[str, Decimal, Decimal]:
    expected = lights.expected_share(month, target.annual, _milestones(target.milestones))
    lag = lights.target_lag(value, target.annual, expected)
    return lights.color(lag, rules), lag, expected


def year_lights(
    scheme: Scheme,
    month: int,
    *,
    unit_ids: Iterable[int] | None = None,
    today: date | None = None,
) -> list[UnitLight]:
    """Every approved target's and node's light at the end of `month` (five queries)."""
    year = scheme.year
    rules = rules_for(year.pk)
    targets = Target.objects.approved().filter(scheme=scheme)
    nodes = ProjectNode.objects.filter(scheme=scheme, status=PlanStatus.APPROVED)
    if unit_ids is not None:
        ids = list(unit_ids)
        targets, nodes = targets.filter(unit_id__in=ids), nodes.filter(unit_id__in=ids)
    # One row per target with its latest value up to `month` (a correlated subquery on
    # the (target, month) unique index) and only the milestone of that month.
    latest = (
        Progress.objects.submitted()
        .filter(target=OuterRef("pk"), month__lte=month)
        .order_by("-month")
    )
    target_rows = list(
        targets.annotate(
            latest=Subquery(latest.values("value")[:1]),
            milestone=KeyTextTransform(str(month - 1), "milestones"),
        )
        .order_by()  # sorted below; the model's ordering would join units and indicators
        .values_list("pk", "unit_id", "indicator_id", "annual", "milestone", "latest")
    )
    # Names and order from two small queries, not two joins repeated for every target.
    units = {
        pk: (sort_order, code, name)
        for pk, sort_order, code, name in Organization.objects.filter(
            pk__in=targets.values("unit_id")
        ).values_list("pk", "sort_order", "code", "name")
    }
    indicators = {
        pk: (code, name)
        for pk, code, name in Indicator.objects.filter(scheme=scheme).values_list(
            "pk", "code", "name"
        )
    }
    # A target withdrawn between these queries is left out rather than named blank.
    target_rows = [r for r in target_rows if r[1] in units and r[2] in indicators]
    target_rows.sort(key=lambda r: (*units[r[1]][:2], indicators[r[2]][0]))
    result: list[UnitLight] = []
    target_rules = rules[RuleScope.TARGET]
    linear = Decimal(month) / 12
    for pk, unit_id, indicator_id, annual, milestone, value in target_rows:
        unit_name, indicator_name = units[unit_id][2], indicators[indicator_id][1]
        expected = Decimal(milestone) / annual if milestone is not None and annual else linear
        lag = lights.target_lag(value, annual, expected)
        result.append(
            UnitLight(
                kind="target",
                pk=pk,
                year=year.year,
                month=month,
                unit_id=unit_id,
                unit=unit_name,
                indicator_id=indicator_id,
                indicator=indicator_name,
                subject=indicator_name,
                color=lights.color(lag, target_rules),
                lag=lag,
                value=value,
                annual=annual,
                expected=expected,
            )
        )
    # A node is judged at the month's end, or today within the current month.
    end = month_end(year.year, month)
    today = today or timezone.localdate()
    as_of = min(end, today) if today >= date(year.year, month, 1) else end
    for n in nodes.select_related("unit", "indicator"):
        done = n.done_on if n.done_on is not None and n.done_on <= as_of else None
        days = lights.node_lag(n.due_on, done, as_of)
        result.append(
            UnitLight(
                kind="node",
                pk=n.pk,
                year=year.year,
                month=month,
                unit_id=n.unit_id,
                unit=n.unit.name,
                indicator_id=n.indicator_id,
                indicator=n.indicator.name,
                subject=f"{n.project} · {n.name}",
                color=lights.color(days, rules[RuleScope.NODE]),
                lag=days,
                due_on=n.due_on,
                done_on=n.done_on,
            )
        )
    return result


def red_light_source(light: UnitLight) -> dict[str, str]:
    """What a red light says, for whoever turns it into work (supervision, notifications):
    a title, a Chinese description of the lag, the unit and a link back to its page."""
    from django.urls import reverse

    if light.kind == "target":
        description = _(
            "%(unit)s“%(ind)s”截至%(m)d月累计完成 %(v)s（年度目标 %(t)s），"
            "完成进度 %(a)s%%，应达 %(e)s%%，落后 %(lag)s 个百分点。"
        ) % {
            "unit": light.unit,
            "ind": light.indicator,
            "m": light.month,
            "v": "—" if light.value is None else f"{light.value.normalize():f}",
            "t": f"{light.annual.normalize():f}" if light.annual is not None else "—",
            "a": light.actual_percent,
            "e": light.expected_percent,
            "lag": light.lag,
        }
    else:
        description = _("%(unit)s负责的“%(node)s”应于 %(due)s 完成，已逾期 %(days)s 天未完成。") % {
            "unit": light.unit,
            "node": light.subject,
            "due": light.due_on.strftime("%Y年%m月%d日") if light.due_on else "—",
            "days": light.lag,
        }
    return {
        "title": _("%(unit)s · %(subject)s 亮红灯")
        % {"unit": light.unit, "subject": light.subject},
        "description": description,
        "unit": light.unit,
        "unit_id": str(light.unit_id),
        "link": reverse("monitoring:unit_lights", args=[light.year]) + f"?unit={light.unit_id}",
    }


def current_scheme(year: AssessmentYear) -> Scheme | None:
    return Scheme.objects.filter(year=year).select_related("year").first()
