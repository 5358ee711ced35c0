"""Audit records for authentication events raised inside Django and django-axes.

These come from the login machinery, not from our actions, so they are the one place
where we listen to signals rather than write the record in an action.
"""

from __future__ import annotations

from typing import Any

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(
        AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=username,
        reason="用户名或密码错误",
    )


def on_locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    record(
        AuditAction.LOCKOUT,
        object_type="accounts.user",
        object_repr=str(username)[:150],
        reason="连续登录失败，账号锁定",
    )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(on_login_failed, dispatch_uid="jixiao_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="jixiao_locked_out")
