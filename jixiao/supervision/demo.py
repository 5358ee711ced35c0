"""A year of supervision (2026), made through the app's own actions.

督查室 (`supervision`, 周华) raises tasks from every source — 上级交办, 领导批示, 部门反馈,
考核发现 (a returned entry and a spot-check correction, linked both ways) and 群众反映 —
and hands them to units that have accounts (东湖街道 `donghu`, the departments' clerks).
Some run their whole life to 销号, some are in progress with their 10-day reports, some
are late (the card run of 2026-11-30 shows yellow and red cards), one is escalated, one
suspended, one still being drafted; one closed-out item carries a 基本完成 result. The
October bulletin is published. Idempotent: nothing is done when a task exists already.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.context import acting_as
from jixiao.org.models import Organization
from jixiao.supervision import actions, bulletin, cards
from jixiao.supervision.actions import TaskDraft
from jixiao.supervision.models import Level, SourceKind, SourceType, SupervisionTask
from jixiao.supervision.workflow import Act

YEAR = 2026
CARD_DAY = date(2026, 11, 30)

# (title, source, problem, level, deadline, milestone, life)
PLAN: list[tuple[str, str, str, str, date, tuple[str, date] | None, str]] = [
    (
        "营商环境“一网通办”事项落实",
        SourceKind.SUPERIOR,
        "市政府督查室交办：部分政务服务事项仍需线下多次跑动，未实现一网通办。",
        Level.KEY,
        date(2026, 6, 30),
        ("完成事项梳理", date(2026, 4, 15)),
        "closed",
    ),
    (
        "老旧小区加装电梯进度滞后",
        SourceKind.LEADER,
        "区长批示：年度加装电梯任务完成不足三成，请牵头单位拿出倒排计划。",
        Level.KEY,
        date(2026, 10, 31),
        ("完成居民意见征询", date(2026, 7, 31)),
        "late",
    ),
    (
        "背街小巷环境卫生整治",
        SourceKind.PUBLIC,
        "“办不成事”反映窗口：多名群众反映背街小巷垃圾清运不及时。",
        Level.NORMAL,
        date(2026, 12, 20),
        None,
        "progress",
    ),
    (
        "跨部门数据共享不畅",
        SourceKind.DEPARTMENT,
        "部门反馈：人社、医保数据接口未打通，基层需重复采集。",
        Level.NORMAL,
        date(2026, 9, 30),
        None,
        "escalated",
    ),
    (
        "校园周边交通秩序",
        SourceKind.PUBLIC,
        "群众反映上下学时段校门口拥堵。",
        Level.NORMAL,
        date(2026, 12, 31),
        None,
        "silent",
    ),
    (
        "河道保洁长效机制",
        SourceKind.LEADER,
        "分管副区长批示：建立河道保洁长效机制。",
        Level.NORMAL,
        date(2026, 8, 31),
        None,
        "mostly",
    ),
    (
        "农贸市场改造提升",
        SourceKind.SUPERIOR,
        "市里交办：农贸市场改造纳入年度民生实事，因规划调整暂缓。",
        Level.NORMAL,
        date(2026, 12, 31),
        None,
        "suspended",
    ),
    (
        "12345 热线工单按时办结率",
        SourceKind.DEPARTMENT,
        "部门反馈：热线工单按时办结率低于 90%。",
        Level.NORMAL,
        date(2026, 12, 31),
        None,
        "draft",
    ),
]


def build_demo(district: Any) -> None:
    sup = User.objects.filter(username="supervision").first()
    if sup is None or SupervisionTask.objects.exists():
        return
    answerers = _answerers()
    if not answerers:
        return
    with acting_as(sup):
        for i, (title, kind, problem, level, deadline, milestone, life) in enumerate(PLAN):
            unit, user = answerers[i % len(answerers)]
            draft = TaskDraft(
                year=YEAR,
                title=title,
                source_kind=kind,
                problem=problem,
                lead_unit=unit,
                deadline=deadline,
                level=level,
                measures="制定整改方案，明确责任人和时间节点，每10天报送推进情况。",
                milestones=[milestone] if milestone else [],
            )
            task = actions.create_task(sup, draft)
            _live(task, life, sup, user, start=deadline - timedelta(days=150))
        for task in _findings(sup, answerers):
            _live(task, "progress", sup, _user_of(task.lead_unit, answerers), date(2026, 10, 10))
    cards.run(CARD_DAY)
    with acting_as(sup):
        bulletin.publish(
            sup, YEAR, 10, "10月份督查督办事项推进总体有序，逾期事项请牵头单位抓紧办理。"
        )


def _answerers() -> list[tuple[Organization, User]]:
    out: list[tuple[Organization, User]] = []
    seen: set[int] = set()
    for user in (
        User.objects.filter(
            role__in=(Role.UNIT, Role.DEPARTMENT), is_active=True, is_org_leader=False
        )
        .select_related("organization")
        .order_by("username")
    ):
        if user.organization_id in seen:
            continue
        seen.add(user.organization_id)
        out.append((user.organization, user))
    return out[:6]


def _user_of(unit: Organization, answerers: list[tuple[Organization, User]]) -> User | None:
    return next((u for o, u in answerers if o.pk == unit.pk), None)


def _live(task: SupervisionTask, life: str, sup: User, user: User | None, start: date) -> None:
    """Walk the task as far as its story goes (dates in the past, as they happened)."""
    if life == "draft":
        return
    t = actions.transition
    t(sup, task, Act.ASSIGN, today=start)
    if life == "silent" or user is None:
        return
    with acting_as(user):
        t(user, task, Act.ACCEPT, today=start + timedelta(days=2))
        if life == "late":
            t(
                user,
                task,
                Act.REPORT,
                reason="已完成摸底，正在征询居民意见。",
                today=start + timedelta(days=10),
            )
            return
        day = start + timedelta(days=2)
        # Tasks still in progress report every 10 days up to the card run; the others
        # report three times before their story goes on.
        last = CARD_DAY - timedelta(days=3) if life == "progress" else day + timedelta(days=30)
        n = 0
        while day + timedelta(days=10) <= last:
            day += timedelta(days=10)
            n += 1
            t(user, task, Act.REPORT, reason=f"第{n}次推进：按计划推进中。", today=day)
        if life == "progress":
            return
        if life in ("closed", "mostly"):
            t(
                user,
                task,
                Act.REQUEST_CLOSE,
                reason="整改任务已完成，申请销号。",
                today=day + timedelta(days=5),
            )
    if life == "escalated":
        t(sup, task, Act.ESCALATE, reason="涉及市级系统接口，区级无法解决，报市督查室协调。")
    elif life == "suspended":
        t(sup, task, Act.SUSPEND, reason="规划调整，经区政府同意暂缓实施。")
    elif life in ("closed", "mostly"):
        result = "done" if life == "closed" else "mostly"
        t(sup, task, Act.VERIFY, result=result, reason="实地核验。")
        t(sup, task, Act.CLOSE, today=day + timedelta(days=8))


def _findings(sup: User, answerers: list[tuple[Organization, User]]) -> list[SupervisionTask]:
    """考核发现: a returned entry and a spot-check correction become prefilled tasks."""
    from jixiao.collection.models import Entry, EntryStatus
    from jixiao.supervision import sources

    found: list[tuple[str, int]] = []
    entry = Entry.objects.filter(status=EntryStatus.RETURNED).order_by("pk").first()
    if entry is not None:
        found.append((SourceType.ENTRY, entry.pk))
    try:
        from jixiao.verification.models import Correction

        correction = Correction.objects.order_by("pk").first()
    except LookupError:  # pragma: no cover - verification not installed
        correction = None
    if correction is not None:
        found.append((SourceType.CORRECTION, correction.pk))
    tasks = []
    for source_type, pk in found:
        initial = sources.prefill(source_type, pk, sup)
        unit = Organization.objects.get(pk=initial["lead_unit"])
        draft = TaskDraft(
            year=initial["year"] or YEAR,
            title=initial["title"],
            source_kind=initial["source_kind"],
            problem=initial["problem"],
            lead_unit=unit,
            deadline=date(2026, 12, 25),
            source_type=source_type,
            source_id=pk,
            source_text=initial["source_text"],
        )
        tasks.append(actions.create_task(sup, draft))
    return tasks
