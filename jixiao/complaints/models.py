"""群众反映: what a citizen could not get done (“办不成事”反映窗口), sent without login.

Every message is kept: a burst from one address is quarantined (待甄别) for the office's
review, never deleted. The office or the 督查室 triages: accept (已转办, handed on through
the `hooks.accepted` callbacks — e.g. to a supervision task), reject with a reason, or
merge a duplicate into an earlier message.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import Organization

PROBLEM_MAX_LENGTH = 1000
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_LENGTH = 10


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("待处理")
    QUARANTINED = "quarantined", _("待甄别")
    ACCEPTED = "accepted", _("已转办")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=[ComplaintStatus.NEW, ComplaintStatus.QUARANTINED])


class Complaint(models.Model):
    receipt = models.CharField(
        _("回执码"),
        max_length=RECEIPT_LENGTH,
        unique=True,
        error_messages={"unique": _("回执码重复，请重新提交。")},
    )
    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("反映的单位"),
    )
    window = models.CharField(_("窗口或科室"), max_length=100, blank=True)
    problem = models.TextField(_("没有办成的事"), max_length=PROBLEM_MAX_LENGTH)
    place_time = models.CharField(_("时间地点"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.NEW
    )
    quarantine_reason = models.CharField(_("待甄别原因"), max_length=100, blank=True)
    device = models.CharField(_("设备标识"), max_length=32, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("合并到"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("反映时间"), auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("群众反映")
        verbose_name_plural = _("群众反映")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="complaint_merged_has_target",
                violation_error_message=_("合并的反映须指明合并到哪一条。"),
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return str(_("群众反映 %(code)s") % {"code": self.receipt})

    @property
    def masked_phone(self) -> str:
        """138****5678: enough for the office to recognize a caller, not to copy a number."""
        if len(self.phone) < 7:
            return "*" * len(self.phone)
        return self.phone[:3] + "*" * (len(self.phone) - 7) + self.phone[-4:]
