"""Writes to accounts and the security policy. Each one is audited."""

from __future__ import annotations

import secrets
import string

from axes.utils import reset as axes_reset
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import SecurityPolicy, User
from jixiao.accounts.policy import check_manages, check_security_duty
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_update, snapshot
from jixiao.core.concurrency import save_versioned

PERMISSION_FIELDS = ("role", "organization_id", "is_org_leader", "is_active")
ACCOUNT_FIELDS = ("last_name", "first_name", "phone", "email", *PERMISSION_FIELDS)


def generate_initial_password() -> str:
    """A random password meeting the policy; the user must change it at first login."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(10))
        candidate = f"{body}#{secrets.randbelow(90) + 10}"
        if any(c.isupper() for c in candidate) and any(c.islower() for c in candidate):
            return candidate


@transaction.atomic
def create_user(by: User, user: User, password: str, reason: str = "") -> User:
    check_manages(by, user)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record(
        AuditAction.PERMISSION_CHANGE,
        user,
        after=snapshot(user, ("username", *ACCOUNT_FIELDS)),
        reason=reason or "新建账号",
    )
    return user


@transaction.atomic
def update_user(
    by: User, user: User, before: dict[str, object], expected_version: int, reason: str = ""
) -> User:
    # Judge by the stored row, not by what the form put on the instance.
    check_manages(by, User.objects.get(pk=user.pk), new_role=user.role)
    save_versioned(user, expected_version, ACCOUNT_FIELDS)
    role_changed = any(before.get(f) != getattr(user, f) for f in PERMISSION_FIELDS)
    if role_changed:
        after = snapshot(user, PERMISSION_FIELDS)
        record(
            AuditAction.PERMISSION_CHANGE,
            user,
            before={k: before[k] for k in PERMISSION_FIELDS},
            after=after,
            reason=reason,
        )
    else:
        record_update(user, {k: before[k] for k in ACCOUNT_FIELDS}, reason=reason)
    return user


@transaction.atomic
def reset_password(by: User, user: User) -> str:
    check_manages(by, user)
    password = generate_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record(AuditAction.PASSWORD_CHANGE, user, reason="管理员重置密码，下次登录须修改")
    return password


@transaction.atomic
def change_own_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record(AuditAction.PASSWORD_CHANGE, user, actor=user, reason="本人修改密码")


@transaction.atomic
def unlock_account(by: User, username: str) -> int:
    check_security_duty(by)
    removed = axes_reset(username=username)
    user = User.objects.filter(username=username).first()
    record(
        AuditAction.UNLOCK,
        user,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        object_repr=username,
        reason="安全管理员解除锁定",
    )
    return removed


@transaction.atomic
def reset_two_factor(by: User, user: User) -> None:
    check_security_duty(by)
    TOTPDevice.objects.filter(user=user).delete()
    record(AuditAction.TWO_FACTOR, user, reason="安全管理员重置双因素认证，下次登录重新绑定")


@transaction.atomic
def update_security_policy(
    policy: SecurityPolicy, expected_version: int, before: dict[str, object]
) -> None:
    fields = [k for k in before if k != "version"]
    save_versioned(policy, expected_version, fields)
    record_update(policy, {k: before[k] for k in fields}, reason="安全管理员修改安全策略")
