from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role in (Role.SYSTEM_ADMIN, Role.OFFICE):
        return [
            NavItem(_("组织机构"), "org:organization_list", "diagram-3", 10),
            NavItem(_("考核年度与类别"), "org:year_list", "calendar3", 11),
        ]
    return []
