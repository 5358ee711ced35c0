"""Who manages which accounts: the separation of the three admin duties (三权分立).

The system admin manages the ordinary accounts (the eight business roles, 观察员
included). The accounts holding one of the three admin roles are managed by the
security admin alone: only it creates them, changes them, resets their password or
second factor and unlocks them.
So the system admin can never create an audit admin, learn an admin's password or log
in as one, and no admin manages its own account here (its profile page is for that).

An account stays in its group for life: neither admin can move an ordinary account into
an admin role or an admin account out of it, because a move would hand the account to
the other admin together with a password it already knows. Such a change is a new
account, created by the admin who owns that group.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import ADMIN_ROLES, Role

ORDINARY_ROLES = frozenset(set(Role) - ADMIN_ROLES)


def managed_roles(actor: User) -> frozenset[str]:
    """The roles of the accounts this user may create and manage."""
    if not actor.is_active:
        return frozenset()
    if actor.role == Role.SYSTEM_ADMIN:
        return ORDINARY_ROLES
    if actor.role == Role.SECURITY_ADMIN:
        return ADMIN_ROLES
    return frozenset()


def can_manage(actor: User, target: User) -> bool:
    return target.pk != actor.pk and target.role in managed_roles(actor)


def managed_users(actor: User) -> QuerySet[User]:
    # A service token's account is managed through its token (accounts/service_tokens.py):
    # no admin may give it a password or change its role here.
    return User.objects.filter(role__in=managed_roles(actor), service_token__isnull=True).exclude(
        pk=actor.pk
    )


def access_managed_user(actor: User, pk: int) -> User:
    """The account, if this admin manages it; 404 otherwise (existence is not leaked)."""
    return get_object_or_404(managed_users(actor).select_related("organization"), pk=pk)


def check_manages(actor: User, target: User, new_role: str | None = None) -> None:
    """Refuse (in Chinese) a write the actor's duty does not cover.

    Actions call this too, so no door (view, command, API) can bypass the rule.
    """
    roles = managed_roles(actor)
    if target.pk is not None and target.pk == actor.pk:
        raise PermissionDenied(_("不能在此管理自己的账号，请在“个人信息”中修改。"))
    if target.role not in roles:
        raise PermissionDenied(_admin_message(target.role))
    if new_role is not None and new_role not in roles:
        raise PermissionDenied(_admin_message(new_role))


def _admin_message(role: str) -> str:
    if role in ADMIN_ROLES:
        return _("系统、安全、审计管理员账号只能由安全管理员创建和管理。")
    return _("普通账号由系统管理员管理。")


def check_security_duty(actor: User) -> None:
    """Unlocking accounts and resetting second factors are the security admin's duty."""
    if not (actor.is_active and actor.role == Role.SECURITY_ADMIN):
        raise PermissionDenied(_("只有安全管理员可以解除锁定或重置双因素认证。"))
