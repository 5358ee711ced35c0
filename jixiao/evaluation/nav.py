from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role in (Role.OFFICE, Role.LEADER):
        return [
            NavItem(_("评议"), "evaluation:round_list", "people", 40),
            NavItem(_("强制分布违规"), "evaluation:breaches", "bar-chart-steps", 42),
            NavItem(_("服务满意度"), "evaluation:dashboard", "emoji-smile", 41),
        ]
    if user.role == Role.REVIEWER:
        return [NavItem(_("我的评议"), "evaluation:my_ballots", "pencil-square", 10)]
    if user.role == Role.UNIT:
        return [NavItem(_("服务满意度"), "evaluation:dashboard", "emoji-smile", 41)]
    return []
