from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.values import strict_int

ENTRY_ROLES = (Role.OFFICE, Role.DEPARTMENT, Role.UNIT)


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def flash_errors(request: HttpRequest, errors: list[str]) -> None:
    for message in errors:
        messages.error(request, message)


def int_or_none(value: str | None) -> int | None:
    """An optional id or version from a form or query string; garbage counts as absent."""
    return strict_int(value)
