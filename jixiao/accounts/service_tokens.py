"""Service tokens for machine clients: issue, revoke, check (三权分立: the system admin's).

Why the system admin: a token is an identity acting with one of the ordinary (business)
roles for an organization, and granting ordinary roles is the system admin's duty in
accounts/policy.py; the security admin, who manages only the admin accounts and the login
security, must never be able to mint a business identity. The audit admin reads every
issue, use (through the rows the token's writes leave) and revoke in the audit trail.

A key reads `jxt_<prefix>_<secret>`: the prefix (10 hex digits) finds the row, the whole
key's SHA-256 must match the stored hash (compared in constant time). The secret carries
256 bits from `secrets`, so a plain hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import ServiceToken, User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.values import clean_text
from jixiao.org.models import Organization

# The roles a machine may act with: those with API access. Never an admin role.
TOKEN_ROLES = (Role.DEPARTMENT, Role.UNIT, Role.LEADER, Role.OFFICE)
MAX_DAYS = 366
NAME = re.compile(r"^[\w.\-]{2,60}$")
KEY = re.compile(r"^jxt_([0-9a-f]{10})_[A-Za-z0-9_\-]{43}$")
# last_used_at is written at most once per this interval per token (not on every call).
USE_RESOLUTION = timedelta(seconds=60)


class TokenRefused(Exception):
    """A refused token; the message is Chinese."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_issuer(actor: User) -> None:
    if not (actor.is_active and actor.role == Role.SYSTEM_ADMIN):
        raise PermissionDenied(_("服务令牌只能由系统管理员签发和吊销。"))


def issue_token(
    actor: User,
    *,
    name: str,
    role: str,
    organization: Organization,
    days: int,
    purpose: str = "",
) -> tuple[ServiceToken, str]:
    """(the token, its key): the key is returned once and never stored."""
    check_issuer(actor)
    name = clean_text(name, max_length=60)
    if not NAME.match(name):
        raise ValueError(_("令牌名称为 2–60 个汉字、字母、数字、点、横线或下划线，不含空格。"))
    if role not in TOKEN_ROLES:
        raise ValueError(_("服务令牌只能使用绩效办、数据采集单位、被考核单位或领导角色。"))
    if role == Role.DEPARTMENT and not organization.is_department:
        raise ValueError(_("数据采集单位角色的令牌须属于数据采集单位。"))
    if role == Role.UNIT and not organization.is_assessed_unit:
        raise ValueError(_("被考核单位角色的令牌须属于被考核单位。"))
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(_("有效期须在 1 到 %(n)d 天之间。") % {"n": MAX_DAYS})
    purpose = clean_text(purpose)
    prefix = secrets.token_hex(5)
    key = f"jxt_{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    with transaction.atomic():
        if ServiceToken.objects.filter(name=name).exists():
            raise ValueError(_("已有同名的服务令牌，请换一个名称。"))
        account = User(
            username=f"服务令牌-{name}"[:150],
            last_name=name,
            role=role,
            organization=organization,
            must_change_password=False,
            password_changed_at=now,
        )
        account.set_unusable_password()
        account.save()
        token = ServiceToken.objects.create(
            name=name,
            account=account,
            prefix=prefix,
            key_hash=_hash(key),
            purpose=purpose,
            issued_by=actor,
            expires_at=now + timedelta(days=days),
        )
        record(
            AuditAction.PERMISSION_CHANGE,
            token,
            after={
                "name": name,
                "role": role,
                "organization_name": organization.name,
                "expires_at": token.expires_at,
                "prefix": prefix,
            },
            reason=_("签发服务令牌"),
        )
    return token, key


def revoke_token(actor: User, token: ServiceToken, reason: str) -> ServiceToken:
    check_issuer(actor)
    reason = clean_text(reason)
    if not reason:
        raise ValueError(_("请填写吊销原因。"))
    with transaction.atomic():
        token = ServiceToken.objects.select_for_update(of=("self",)).get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValueError(_("这个令牌已经吊销。"))
        token.revoked_at, token.revoked_by, token.revoke_reason = timezone.now(), actor, reason
        token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        User.objects.filter(pk=token.account_id).update(is_active=False)
        record(
            AuditAction.PERMISSION_CHANGE,
            token,
            before={"status": "active"},
            after={"status": "revoked"},
            reason=reason,
        )
    return token


def authenticate_key(key: str, ip_address: str | None = None) -> ServiceToken:
    """The token this key belongs to, if usable; TokenRefused (Chinese) otherwise.
    Records when (and from where) it was last used."""
    match = KEY.match(key)
    token = (
        ServiceToken.objects.select_related("account__organization")
        .filter(prefix=match.group(1))
        .first()
        if match
        else None
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        raise TokenRefused(_("服务令牌无效。"))
    if token.revoked_at is not None:
        raise TokenRefused(_("服务令牌已被吊销。"))
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(_("服务令牌已过期，请联系系统管理员重新签发。"))
    if not token.account.is_active:
        raise TokenRefused(_("服务令牌无效。"))
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        ServiceToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
        token.last_used_at, token.last_used_ip = now, ip_address
    return token
