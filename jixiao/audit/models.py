"""The append-only audit trail (写实留痕).

Every change to business data is recorded by the action that makes it, inside the
same transaction, so a rolled-back change leaves no audit row and a committed one
always has one. On PostgreSQL a trigger rejects UPDATE, DELETE and TRUNCATE of this
table (see migration 0002); the model refuses them in Python on every database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("audit action", "新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    TRANSITION = "transition", _("流程")
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    UNLOCK = "unlock", _("解除锁定")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PERMISSION_CHANGE = "permission_change", _("权限变更")
    TWO_FACTOR = "two_factor", _("双因素认证")
    EXPORT = "export", _("导出")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # Snapshots: the trail must stay readable even if the account is later renamed.
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    organization_name = models.CharField(_("所属单位"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=24, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    @property
    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every value that differs."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class YearArchive(models.Model):
    """A closed year's archive (docs/deployment.md, "Audit retention and archives"), read
    back from its file: the file is kept as it was, its rows are copied into
    `ArchivedRow` so the audit admin can search them without touching live tables."""

    year = models.PositiveIntegerField(_("考核年度"))
    year_name = models.CharField(_("年度名称"), max_length=100)
    exported_at = models.DateTimeField(_("导出时间"))
    exported_by = models.CharField(_("导出人"), max_length=150, blank=True)
    sha256 = models.CharField(
        _("文件校验值"),
        max_length=64,
        unique=True,
        error_messages={"unique": _("这个归档文件已经读入过，不必重复读入。")},
    )
    file = models.FileField(_("归档文件"), upload_to="archives/", max_length=200)
    manifest = models.JSONField(_("清单"))
    rows = models.PositiveIntegerField(_("记录数"))
    audit_rows = models.PositiveIntegerField(_("审计记录数"))
    read_at = models.DateTimeField(_("读入时间"), auto_now_add=True)
    read_by = models.CharField(_("读入人"), max_length=150, blank=True)

    class Meta:
        ordering = ["-year", "-read_at"]
        verbose_name = _("年度归档")
        verbose_name_plural = _("年度归档")

    def __str__(self) -> str:
        return f"{self.year_name}（{self.exported_at:%Y-%m-%d}）"


class ArchivedRow(models.Model):
    """One row of an archive, as exported. Audit rows keep their time, actor and action
    in columns for searching; every row keeps its searchable text and its data."""

    archive = models.ForeignKey(
        YearArchive, on_delete=models.CASCADE, related_name="archived_rows", verbose_name=_("归档")
    )
    model = models.CharField(_("数据表"), max_length=100, db_index=True)
    object_pk = models.CharField(_("记录编号"), max_length=64)
    at = models.DateTimeField(_("时间"), null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=24, blank=True)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(_("数据"))

    class Meta:
        ordering = ["archive", "model", "id"]
        verbose_name = _("归档记录")
        verbose_name_plural = _("归档记录")
        indexes = [models.Index(fields=["archive", "model", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "model", "object_pk"],
                name="archived_row_once",
                violation_error_message=_("归档文件中同一条记录出现了两次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_pk}"
