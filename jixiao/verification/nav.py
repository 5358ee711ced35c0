from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.navigation import NavItem


def nav_items(user: Any) -> list[NavItem]:
    if user.role == Role.OFFICE:
        return [
            NavItem(_("察访核验"), "verification:index", "binoculars", 36),
            NavItem(_("核验结果"), "verification:results", "clipboard-data", 37),
            NavItem(_("异常数据"), "verification:flags", "exclamation-triangle", 38),
            NavItem(_("异常提示阈值"), "verification:thresholds", "sliders", 39),
            NavItem(_("三定职责对应"), "verification:duties", "diagram-3", 40),
            NavItem(_("负面清单"), "verification:negative", "slash-circle", 41),
        ]
    if user.role == Role.INSPECTOR:
        return [NavItem(_("察访核验"), "verification:index", "binoculars", 30)]
    if user.role == Role.DEPARTMENT:
        return [
            NavItem(_("核验更正"), "verification:index", "binoculars", 35),
            NavItem(_("负面清单"), "verification:negative", "slash-circle", 36),
        ]
    return []
