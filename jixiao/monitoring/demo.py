"""Demo monitoring for 2026, made through the app's own actions.

Each data department sets its quantitative indicators' targets for the units they apply to
(some spread evenly, some on the 前低后高 curve, some typed by quarter) and submits them;
a money indicator's annual target is last year's stored figure raised by 6–12 %, so the
report's 同比 compares like with like;
the office approves. The departments enter monthly progress January–November: most units
keep pace, a few lag (yellow) and some fall far behind (red, which notifies them). Two key
projects (重点项目) have nodes with due dates, one overdue. The office publishes the
October report. Idempotent: nothing is done when the year has targets already.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.monitoring import actions, lights, report
from jixiao.monitoring.models import Breakdown, PlanStatus, Target
from jixiao.org.models import Organization, UnitEnrollment
from jixiao.scheme.models import IndicatorPoints, Scheme, SchemeStatus

INDICATORS = 4  # how many quantitative indicators get targets
#: Methods whose collected value is money to date, the same measure as the target.
MONEY_METHODS = frozenset({"yoy_growth", "value_added", "schedule_progress"})
MONTHS = range(1, 12)  # January–November


def _pick(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16)


def _pace(unit: str, indicator: str) -> Decimal:
    """How fast a unit goes against its plan: most on pace, some behind, a few far behind."""
    n = _pick(unit, indicator) % 20
    if n < 2:
        return Decimal("0.62")  # far behind: red
    if n < 5:
        return Decimal("0.88")  # behind: yellow
    return Decimal("1.00") + Decimal(n % 4) / 50


def build_demo(district: Any) -> None:
    scheme = Scheme.objects.filter(year=district.year).select_related("year").first()
    office = User.objects.filter(username="office").first()
    if scheme is None or office is None or scheme.status != SchemeStatus.PUBLISHED:
        return
    if Target.objects.filter(scheme=scheme).exists():
        return
    indicators = list(
        actions.monitored_indicators(scheme).exclude(owner=None).order_by("code")[:INDICATORS]
    )
    enrolled = dict(
        UnitEnrollment.objects.filter(year=scheme.year).values_list("unit_id", "category_id")
    )
    units = {u.pk: u for u in Organization.objects.filter(pk__in=enrolled)}
    points = set(
        IndicatorPoints.objects.filter(indicator__in=indicators).values_list(
            "indicator_id", "category_id"
        )
    )
    last_year = report.last_year_values(
        scheme.year.year, 12, list(units), [i.code for i in indicators]
    )
    planned: list[tuple[Target, User]] = []
    for n, indicator in enumerate(indicators):
        clerk = User.objects.filter(
            role=Role.DEPARTMENT, organization_id=indicator.owner_id, is_active=True
        ).first()
        if clerk is None:
            continue
        targets = []
        for unit_id, category_id in sorted(enrolled.items()):
            if (indicator.pk, category_id) not in points:
                continue
            unit = units[unit_id]
            last = last_year.get((unit_id, indicator.code))
            if last and indicator.method in MONEY_METHODS:
                raise_by = Decimal(106 + _pick("up", unit.code, indicator.code) % 7) / 100
                annual = (last * raise_by).quantize(Decimal("1"))
            else:
                annual = Decimal(100 + _pick(unit.code, indicator.code) % 90 * 10)
            kwargs: dict[str, Any] = {}
            if n % 3 == 1:
                kwargs = {"breakdown": Breakdown.PROFILE, "profile": "back_loaded"}
            elif n % 3 == 2:
                quarters = [annual * Decimal(s) for s in ("0.2", "0.45", "0.75", "1")]
                kwargs = {"breakdown": Breakdown.TYPED, "typed": quarters}
            targets.append(actions.set_target(clerk, indicator, unit, annual, **kwargs))
        if targets:
            actions.transition_plans(clerk, targets, "submit")
            actions.transition_plans(office, targets, "approve")
            planned.extend((t, clerk) for t in targets)
    for target, clerk in planned:
        target.refresh_from_db()
        _progress(target, clerk)
    _nodes(scheme, office, indicators, list(units.values()))
    if planned:
        actions.publish_report(office, scheme, 10)


def _progress(target: Target, clerk: User) -> None:
    pace = _pace(target.unit.code, target.indicator.code)
    plan = [Decimal(str(m)) for m in target.milestones]
    for month in MONTHS:
        expected = lights.expected_share(month, target.annual, plan) * target.annual
        value = (expected * pace).quantize(Decimal("0.01"))
        narrative = "按计划推进" if pace >= 1 else "进度滞后，正在加快推进"
        actions.enter_progress(clerk, target, month, value, narrative)


NODES = [
    ("城北污水处理厂提标改造", "完成设计招标", 3, 31, True),
    ("城北污水处理厂提标改造", "主体工程开工", 6, 30, True),
    ("城北污水处理厂提标改造", "设备安装调试", 10, 31, False),  # overdue: red
    ("智慧政务服务平台建设", "需求调研与方案评审", 4, 30, True),
    ("智慧政务服务平台建设", "系统上线试运行", 12, 5, False),  # due soon: yellow
    ("智慧政务服务平台建设", "通过竣工验收", 12, 31, False),
]


def _nodes(scheme: Scheme, office: User, indicators: list[Any], units: list[Organization]) -> None:
    if not indicators or len(units) < 2:
        return
    indicator = indicators[0]
    clerk = User.objects.filter(role=Role.DEPARTMENT, organization_id=indicator.owner_id).first()
    if clerk is None:
        return
    year = scheme.year.year
    nodes = []
    for i, (project, name, month, day, done) in enumerate(NODES):
        unit = units[i % 2]
        node = actions.add_node(clerk, indicator, project, name, unit, date(year, month, day))
        nodes.append((node, done))
    actions.transition_plans(clerk, [n for n, _d in nodes], "submit")
    actions.transition_plans(office, [n for n, _d in nodes], "approve")
    for node, done in nodes:
        if done:
            node.refresh_from_db()
            assert node.status == PlanStatus.APPROVED
            actions.complete_node(clerk, node, node.due_on.replace(day=max(1, node.due_on.day - 5)))
