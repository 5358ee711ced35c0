"""The demo's 2026 inspection plan, registered through the app's own actions.

FGJ (`fgj`) registers five inspections on the dates a clerk would have: two approved
that meet at 东湖街道 in the week of 16 March (flagged for 统筹合并: one names the
street, the other covers the whole 街道类), one waiting for the office, one returned,
and one attempt on 18 September to register a check starting 28 September — only 6
working days ahead across the 中秋/国庆 holidays, so it is refused and recorded.

Idempotent: nothing is done when an inspection exists already.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.collection.workflow import TransitionRefused
from jixiao.inspections import actions
from jixiao.inspections.models import Inspection, TargetKind
from jixiao.org.models import Organization

PLAN = [
    # name, content, units or category, start, end, registered on, office's step
    (
        "重点项目建设进度督查",
        "重点项目形象进度、资金拨付与台账",
        ["JD01"],
        (3, 16),
        (3, 18),
        (2, 10),
        "approve",
    ),
    (
        "优化营商环境专项检查",
        "政务服务事项办理时限与群众满意度",
        "JD",
        (3, 17),
        (3, 19),
        (2, 12),
        "approve",
    ),
    (
        "安全生产半年检查",
        "企业安全生产主体责任落实情况",
        ["JD03", "JD04"],
        (6, 8),
        (6, 10),
        (5, 6),
        "",
    ),
    ("统计数据质量抽查", "统计台账与原始记录一致性", ["JD02"], (7, 6), (7, 7), (6, 1), "return"),
    ("国庆节前安全检查", "节前人员密集场所消防安全", ["JD05"], (9, 28), (9, 29), (9, 18), ""),
]


def build_demo(district: Any) -> None:
    office = User.objects.filter(username="office").first()
    clerk = User.objects.filter(username="fgj").first()
    if office is None or clerk is None or Inspection.objects.exists():
        return
    year = district.year
    for name, content, targets, start, end, registered, step in PLAN:
        if isinstance(targets, str):
            data = actions.PlanData(
                name,
                content,
                date(year.year, *start),
                date(year.year, *end),
                TargetKind.CATEGORY,
                district.categories[targets],
            )
        else:
            units = tuple(Organization.objects.filter(code__in=targets).order_by("code"))
            data = actions.PlanData(
                name, content, date(year.year, *start), date(year.year, *end), units=units
            )
        with acting_as(clerk):
            inspection = actions.save_inspection(clerk, data, year=year)
            try:
                actions.transition(clerk, inspection, "submit", today=date(year.year, *registered))
            except TransitionRefused:
                continue  # the refused late registration: recorded as a violation
        if step:
            with acting_as(office):
                reason = (
                    "检查对象与“重点项目建设进度督查”重复，请合并后重新登记"
                    if step == "return"
                    else ""
                )
                actions.transition(office, inspection, step, reason=reason)
