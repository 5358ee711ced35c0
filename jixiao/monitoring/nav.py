from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.OFFICE:
        return [
            NavItem(_("过程监控"), "monitoring:index", "stoplights", 40),
            NavItem(_("目标分解"), "monitoring:targets", "bullseye", 41),
        ]
    if user.role == Role.LEADER:
        return [NavItem(_("过程监控"), "monitoring:index", "stoplights", 40)]
    if user.role == Role.DEPARTMENT:
        return [NavItem(_("目标分解"), "monitoring:targets", "bullseye", 40)]
    if user.role == Role.UNIT:
        return [NavItem(_("目标进度"), "monitoring:index", "stoplights", 40)]
    return []
