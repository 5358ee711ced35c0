from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.AUDIT_ADMIN:
        return [
            NavItem(_("审计日志"), "audit:log", "journal-text", 20),
            NavItem(_("年度归档"), "audit:archives", "archive", 21),
        ]
    return []
