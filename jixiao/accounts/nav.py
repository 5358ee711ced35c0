from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    items = []
    if user.role == Role.SYSTEM_ADMIN:
        items.append(NavItem(_("用户与角色"), "accounts:user_list", "people", 20))
        items.append(NavItem(_("服务令牌"), "accounts:token_list", "key", 21))
    if user.role == Role.SECURITY_ADMIN:
        items.append(NavItem(_("安全设置"), "accounts:security_settings", "shield-lock", 20))
        items.append(NavItem(_("管理员账号"), "accounts:user_list", "person-gear", 30))
    items.append(NavItem(_("个人信息"), "accounts:profile", "person-badge", 900))
    return items
