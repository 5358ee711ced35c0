from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.OFFICE:
        return [NavItem(_("绩效分析"), "analysis:index", "graph-up", 55)]
    return []
