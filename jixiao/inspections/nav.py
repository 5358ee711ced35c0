from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.OFFICE:
        return [
            NavItem(_("检查计划"), "inspections:index", "calendar-check", 60),
            NavItem(_("工作日历"), "inspections:calendar", "calendar3", 61),
            NavItem(_("计划登记设置"), "inspections:settings", "sliders", 62),
        ]
    if user.role == Role.SUPERVISION:
        return [
            NavItem(_("检查计划"), "inspections:index", "calendar-check", 20),
            NavItem(_("违规登记情况"), "inspections:violations", "exclamation-octagon", 21),
        ]
    if user.role in (Role.DEPARTMENT, Role.UNIT):
        return [NavItem(_("检查计划"), "inspections:index", "calendar-check", 60)]
    return []
