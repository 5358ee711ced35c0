"""Targets and project nodes: set by the department that owns the indicator, approved
by the office. One transition table on collection's mechanism (Rule, resolve,
TransitionRefused), not a new one.

    draft ─submit (department)→ submitted ─approve (office)→ approved
      ↑                            │
      └── returned ←─return (office, with a reason)
    approved ─reopen (office, with a reason)→ returned
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.workflow import Rule
from jixiao.monitoring.models import PlanStatus

P = PlanStatus

ACTS = {
    "submit": gettext_lazy("提交审核"),
    "approve": gettext_lazy("批准"),
    "return": gettext_lazy("退回"),
    "reopen": gettext_lazy("退回修改"),
}
ACTORS = {"department": gettext_lazy("指标牵头部门"), "office": gettext_lazy("绩效办")}

TABLE: dict[tuple[str, str, str], Rule] = {
    (P.DRAFT, "submit", "department"): Rule(P.SUBMITTED),
    (P.RETURNED, "submit", "department"): Rule(P.SUBMITTED),
    (P.SUBMITTED, "approve", "office"): Rule(P.APPROVED),
    (P.SUBMITTED, "return", "office"): Rule(P.RETURNED, reason_required=True),
    (P.APPROVED, "reopen", "office"): Rule(P.RETURNED, reason_required=True),
}

# Who may change a plan's figures, by status.
EDITABLE = frozenset({P.DRAFT, P.RETURNED})


def plan_actors(user: User, owner_id: int | None) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.role == Role.OFFICE:
        return {"office"}
    if user.role == Role.DEPARTMENT and owner_id is not None and user.organization_id == owner_id:
        return {"department"}
    return set()


def available(user: User, status: str, owner_id: int | None) -> list[str]:
    actors = plan_actors(user, owner_id)
    return [act for (st, act, who) in TABLE if st == status and who in actors]
