from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.SUPERVISION:
        return [
            NavItem(_("督查督办"), "supervision:index", "flag", 20),
            NavItem(_("红黄牌"), "supervision:cards", "card-heading", 21),
            NavItem(_("督查通报"), "supervision:bulletins", "megaphone", 22),
            NavItem(_("红黄牌规则"), "supervision:rules", "sliders", 23),
        ]
    if user.role in (Role.OFFICE, Role.LEADER):
        return [
            NavItem(_("督查督办"), "supervision:index", "flag", 60),
            NavItem(_("督查通报"), "supervision:bulletins", "megaphone", 61),
        ]
    if user.role in (Role.UNIT, Role.DEPARTMENT):
        return [NavItem(_("督查督办"), "supervision:index", "flag", 60)]
    return []
