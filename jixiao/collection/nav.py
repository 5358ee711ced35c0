from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.collection.notifications import unread_count
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    items = []
    if user.role == Role.OFFICE:
        items += [
            NavItem(_("数据采集"), "collection:period_list", "ui-checks-grid", 30),
            NavItem(_("数据审核"), "collection:review_queue", "clipboard-check", 31),
            NavItem(_("加扣分台账"), "collection:bonus_list", "plus-slash-minus", 32),
        ]
    elif user.role == Role.DEPARTMENT:
        items += [
            NavItem(_("数据填报"), "collection:period_list", "ui-checks-grid", 30),
            NavItem(_("复核答复"), "collection:recheck_queue", "arrow-repeat", 33),
            NavItem(_("加扣分台账"), "collection:bonus_list", "plus-slash-minus", 34),
        ]
        if user.is_org_leader:
            items.append(NavItem(_("二次确认"), "collection:confirm_queue", "patch-check", 31))
    elif user.role == Role.UNIT:
        items += [
            NavItem(_("我的考核数据"), "collection:unit_entries", "file-earmark-text", 30),
            NavItem(_("加扣分台账"), "collection:bonus_list", "plus-slash-minus", 32),
        ]
    if user.role in (Role.OFFICE, Role.DEPARTMENT, Role.UNIT):
        n = unread_count(user)
        label = _("消息通知") + (f"（{n}）" if n else "")
        items.append(NavItem(label, "collection:notifications", "bell", 800))
    return items
