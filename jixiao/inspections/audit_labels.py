"""How the registry's audit rows read: a transition's `action` key names the step."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register


def _act(value: Any, row: Any) -> str:
    from jixiao.inspections.actions import ACTS

    return str(ACTS.get(value, value))


register("inspections.inspection", "action", _("操作"), show=_act)
