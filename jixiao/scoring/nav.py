from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jixiao.core.navigation import NavItem
from jixiao.scoring.access import RESULT_ROLES


def nav_items(user: Any) -> list[NavItem]:
    if user.role in RESULT_ROLES:
        return [NavItem(_("考核结果"), "scoring:index", "trophy", 50)]
    return []
