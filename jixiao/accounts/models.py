from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.roles import ADMIN_ROLES, TWO_FACTOR_ROLES, Role
from jixiao.org.models import Organization


class JixiaoUserManager(UserManager["User"]):
    def create_superuser(self, *args: Any, **kwargs: Any) -> User:
        # There is no everyday superuser: the system admin role manages accounts.
        raise NotImplementedError("Jixiao has no superuser; create a system admin instead.")


class User(AbstractUser):
    """A person using Jixiao. Belongs to one organization and holds one role."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属单位"),
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    is_org_leader = models.BooleanField(
        _("单位负责人"),
        default=False,
        help_text=_("数据采集单位的负责人对满分和重大扣分进行二次确认。"),
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = JixiaoUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["organization__sort_order", "username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=False),
                name="no_superuser_accounts",
                violation_error_message=_(
                    "系统不设超级管理员账号：系统、安全和审计管理员各司其职，请分配对应角色。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name}（{self.username}）"

    @property
    def display_name(self) -> str:
        return f"{self.last_name}{self.first_name}" or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def requires_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles

    def password_expired(self, max_age_days: int) -> bool:
        if self.password_changed_at is None:
            return True
        return timezone.now() - self.password_changed_at > timedelta(days=max_age_days)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class SecurityPolicy(models.Model):
    """Login security settings, edited by the security admin (安全管理员).

    A single row. The defaults are the MLPS level-3 floor; the form refuses anything
    weaker than the floor, so the policy can only be tightened.
    """

    min_password_length = models.PositiveSmallIntegerField(
        _("密码最小长度"), default=8, validators=[MinValueValidator(8), MaxValueValidator(64)]
    )
    password_max_age_days = models.PositiveSmallIntegerField(
        _("密码有效期（天）"), default=90, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    lockout_failures = models.PositiveSmallIntegerField(
        _("连续失败锁定次数"), default=5, validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    lockout_minutes = models.PositiveSmallIntegerField(
        _("锁定时长（分钟）"),
        default=30,
        validators=[MinValueValidator(30), MaxValueValidator(1440)],
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("会话空闲超时（分钟）"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(30)],
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return str(_("安全策略"))

    @classmethod
    def load(cls) -> SecurityPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class ServiceTokenQuerySet(models.QuerySet["ServiceToken"]):
    def usable(self) -> ServiceTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ServiceToken(models.Model):
    """A machine client's credential (another government system calling the API).

    It acts through its own service account (`account`): that account holds the token's
    role and organization, so every scope check and every audit row treats the machine
    exactly like a person of that role and organization, and no more. The account has no
    usable password and is not among the accounts the admins manage (accounts/policy.py).
    Only a SHA-256 hash of the key is stored; the key is shown once, when issued.
    """

    name = models.CharField(
        _("令牌名称"),
        max_length=60,
        unique=True,
        error_messages={"unique": _("已有同名的服务令牌，请换一个名称。")},
    )
    account = models.OneToOneField(
        User,
        on_delete=models.PROTECT,
        related_name="service_token",
        verbose_name=_("服务账号"),
        error_messages={"unique": _("这个服务账号已经有令牌。")},
    )
    prefix = models.CharField(
        _("令牌前缀"),
        max_length=16,
        unique=True,
        error_messages={"unique": _("令牌前缀重复，请重新签发。")},
    )
    key_hash = models.CharField(max_length=64)
    purpose = models.TextField(_("用途说明"), blank=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("签发人")
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("吊销人"),
    )
    revoke_reason = models.TextField(_("吊销原因"), blank=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)

    objects = ServiceTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("服务令牌")
        verbose_name_plural = _("服务令牌")

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
