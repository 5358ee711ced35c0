from __future__ import annotations

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

# The most rows one API page returns, whatever `limit` asks for: an unbounded limit would
# let one request read (or, past 2**63, crash on) a whole table.
MAX_PAGE_SIZE = 1000


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` paging, `limit` capped at MAX_PAGE_SIZE (a larger one is lowered)."""

    max_limit = MAX_PAGE_SIZE


class IsVerifiedUser(BasePermission):
    """Logged in, active, and past the second factor when the role requires one."""

    message = "请先登录；绩效办和管理员账号还须完成双因素认证。"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if getattr(user, "requires_two_factor", False):
            return bool(getattr(user, "is_verified", lambda: False)())
        return True


class HasRole(IsVerifiedUser):
    """Use as `HasRole.of(Role.OFFICE, …)` in a view's permission_classes."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type("HasRole", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and request.user.role in self.roles  # type: ignore[union-attr]
