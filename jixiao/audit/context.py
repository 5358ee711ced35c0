"""Who is acting and from where, for audit records written deep inside actions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    user: Any = None
    ip_address: str | None = None


_current: ContextVar[AuditContext] = ContextVar(
    "jixiao_audit_context",
    default=AuditContext(),  # noqa: B039 - frozen, never mutated
)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def acting_as(user: Any, ip_address: str | None = None) -> Iterator[None]:
    """Attribute audit records in this block (management commands, tasks, tests)."""
    token = _current.set(AuditContext(user=user, ip_address=ip_address))
    try:
        yield
    finally:
        _current.reset(token)


def attribute_to(user: Any) -> None:
    """Attribute the rest of the current `acting_as` block to `user` (same address).

    For an API caller authenticated inside the view (a service token), after the audit
    middleware opened its block as anonymous; the middleware's block still restores the
    previous context when the request ends."""
    _current.set(AuditContext(user=user, ip_address=current().ip_address))
