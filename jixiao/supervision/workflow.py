"""The task lifecycle: one transition table on the shared mechanism (`core.workflow`).

    立项 ─交办→ 交办 ─领办(牵头单位)→ 领办 ─报送推进情况→ 推进 ⟲ 报送推进情况
    领办/推进 ─申请销号(牵头单位)→ 申请销号 ─核验(督查室，评定整改结果)→ 核验 ─销号→ 销号
    申请销号/核验 ─退回(理由)→ 推进
    立项…申请销号 ─中止(理由)→ 中止；领办/推进 ─上报(理由)→ 上报
    销号/中止/上报 ─重新打开(理由)→ 推进

督查室 (Role.SUPERVISION) runs the table; the lead unit (a 被考核单位 or 数据采集单位
account of the task's lead organization) accepts, reports and asks to close out.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.workflow import Rule, TransitionTable
from jixiao.supervision.models import SupervisionTask, TaskState

S = TaskState


class Act(models.TextChoices):
    ASSIGN = "assign", gettext_lazy("交办")
    ACCEPT = "accept", gettext_lazy("领办")
    REPORT = "report", gettext_lazy("报送推进情况")
    REQUEST_CLOSE = "request_close", gettext_lazy("申请销号")
    VERIFY = "verify", gettext_lazy("核验")
    CLOSE = "close", gettext_lazy("销号")
    RETURN = "return", gettext_lazy("退回")
    SUSPEND = "suspend", gettext_lazy("中止")
    ESCALATE = "escalate", gettext_lazy("上报")
    REOPEN = "reopen", gettext_lazy("重新打开")


class Actor(models.TextChoices):
    SUPERVISION = "supervision", gettext_lazy("督查室")
    LEAD = "lead", gettext_lazy("牵头单位")


SUP, LEAD = Actor.SUPERVISION, Actor.LEAD
_RULES: dict[tuple[str, str, str], Rule] = {
    (S.DRAFT, Act.ASSIGN, SUP): Rule(S.ASSIGNED),
    (S.ASSIGNED, Act.ACCEPT, LEAD): Rule(S.ACCEPTED),
    (S.ACCEPTED, Act.REPORT, LEAD): Rule(S.IN_PROGRESS, reason_required=True),
    (S.IN_PROGRESS, Act.REPORT, LEAD): Rule(S.IN_PROGRESS, reason_required=True),
    (S.ACCEPTED, Act.REQUEST_CLOSE, LEAD): Rule(S.CLOSE_REQUESTED, reason_required=True),
    (S.IN_PROGRESS, Act.REQUEST_CLOSE, LEAD): Rule(S.CLOSE_REQUESTED, reason_required=True),
    (S.CLOSE_REQUESTED, Act.VERIFY, SUP): Rule(S.VERIFIED),
    (S.CLOSE_REQUESTED, Act.RETURN, SUP): Rule(S.IN_PROGRESS, reason_required=True),
    (S.VERIFIED, Act.CLOSE, SUP): Rule(S.CLOSED),
    (S.VERIFIED, Act.RETURN, SUP): Rule(S.IN_PROGRESS, reason_required=True),
    **{
        (st, Act.SUSPEND, SUP): Rule(S.SUSPENDED, reason_required=True)
        for st in (S.DRAFT, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.CLOSE_REQUESTED)
    },
    (S.ACCEPTED, Act.ESCALATE, SUP): Rule(S.ESCALATED, reason_required=True),
    (S.IN_PROGRESS, Act.ESCALATE, SUP): Rule(S.ESCALATED, reason_required=True),
    **{
        (st, Act.REOPEN, SUP): Rule(S.IN_PROGRESS, reason_required=True)
        for st in (S.CLOSED, S.SUSPENDED, S.ESCALATED)
    },
}

TABLE: TransitionTable[Rule] = TransitionTable(
    _RULES,
    act_label=lambda a: str(Act(a).label),
    actor_label=lambda a: str(Actor(a).label),
)


def actors_of(user: User, task: SupervisionTask) -> set[str]:
    result: set[str] = set()
    if not user.is_authenticated or not user.is_active:
        return result
    if user.role == Role.SUPERVISION:
        result.add(Actor.SUPERVISION)
    if user.role in (Role.UNIT, Role.DEPARTMENT) and user.organization_id == task.lead_unit_id:
        result.add(Actor.LEAD)
    return result


def available_actions(user: User, task: SupervisionTask) -> list[str]:
    return TABLE.available(task.state, actors_of(user, task))
