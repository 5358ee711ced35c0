"""How the accounts app's audit rows read where keys are not model fields (service
tokens keep the role and organization of their account)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jixiao.accounts.roles import Role
from jixiao.audit.render import register

TOKEN = "accounts.servicetoken"


def _role(value: Any, row: Any) -> str:
    return str(dict(Role.choices).get(value, value))


register(TOKEN, "role", _("角色"), show=_role)
register(TOKEN, "organization_name", _("所属单位"))
