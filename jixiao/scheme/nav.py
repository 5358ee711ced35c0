from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.OFFICE:
        return [NavItem(_("考核方案"), "scheme:scheme_list", "diagram-3-fill", 20)]
    if user.role in (Role.DEPARTMENT, Role.UNIT):
        return [NavItem(_("考核方案"), "scheme:published", "journal-check", 20)]
    return []
