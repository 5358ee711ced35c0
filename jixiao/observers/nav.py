from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.OBSERVER:
        return [NavItem(_("我的观察"), "observers:index", "eye", 10)]
    if user.role == Role.OFFICE:
        return [
            NavItem(_("观察记录"), "observers:index", "eye", 40),
            NavItem(_("观测点"), "observers:points", "geo-alt", 41),
            NavItem(_("观察任务"), "observers:assignments", "person-badge", 42),
            NavItem(_("观察概况"), "observers:overview", "clipboard-data", 43),
        ]
    if user.role == Role.LEADER:
        return [NavItem(_("观察概况"), "observers:overview", "eye", 40)]
    if user.role == Role.UNIT:
        return [NavItem(_("观察员意见"), "observers:index", "eye", 40)]
    return []
