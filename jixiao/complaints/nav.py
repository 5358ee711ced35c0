from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.SUPERVISION:
        return [NavItem(_("群众反映"), "complaints:queue", "megaphone", 10)]
    if user.role == Role.OFFICE:
        return [NavItem(_("群众反映"), "complaints:queue", "megaphone", 63)]
    return []
