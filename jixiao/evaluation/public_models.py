"""The public satisfaction rating (服务对象点击评价器): windows, and the ratings they get.

Imported by models.py. A `ServiceWindow` is a place the public rates: a unit as a whole
(empty name) or a window the office registers under it; each has a short public code
printed as a QR code. A `SatisfactionRating` is one tap; at most one per device, window
and day (a database constraint, whatever the cookie says). Suspicious bursts are stored
as quarantined for the office to review; nothing is ever deleted.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import Organization

WINDOW_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
WINDOW_CODE_LENGTH = 6
#: The five choices, best first, and their default points (the round may map others).
CHOICES = (
    (5, _("非常满意")),
    (4, _("满意")),
    (3, _("基本满意")),
    (2, _("不满意")),
    (1, _("非常不满意")),
)
DEFAULT_POINTS = {5: 100, 4: 80, 3: 60, 2: 40, 1: 20}


def new_window_code() -> str:
    return "".join(secrets.choice(WINDOW_CODE_ALPHABET) for _ in range(WINDOW_CODE_LENGTH))


class ServiceWindow(models.Model):
    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="service_windows",
        verbose_name=_("单位"),
    )
    name = models.CharField(_("服务窗口"), max_length=100, blank=True)
    code = models.CharField(
        _("评价码"),
        max_length=16,
        unique=True,
        default=new_window_code,
        error_messages={"unique": _("这个评价码已被其他服务窗口使用，请换一个评价码。")},
    )
    # One service item per line, offered as an optional choice on the rating page.
    items = models.TextField(_("服务事项"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit__sort_order", "unit__code", "sort_order", "pk"]
        verbose_name = _("服务窗口")
        verbose_name_plural = _("服务窗口")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="window_name_per_unit",
                violation_error_message=_("这个单位已有同名的服务窗口，请换一个名称。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.name}".strip()

    @property
    def item_list(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


class RatingStatus(models.TextChoices):
    ACCEPTED = "accepted", _("有效")
    QUARANTINED = "quarantined", _("待核查")
    REJECTED = "rejected", _("核查后不计")


class SatisfactionRating(models.Model):
    window = models.ForeignKey(ServiceWindow, on_delete=models.PROTECT, related_name="ratings")
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    device = models.CharField(max_length=40)
    choice = models.PositiveSmallIntegerField(_("评价"), choices=CHOICES)
    item = models.CharField(_("服务事项"), max_length=100, blank=True)
    comment = models.CharField(_("意见建议"), max_length=200, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RatingStatus.choices, default=RatingStatus.ACCEPTED
    )
    quarantine_reason = models.CharField(_("待核查原因"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [
            models.UniqueConstraint(
                fields=["window", "device", "day"],
                name="one_rating_per_device_window_day",
                violation_error_message=_(
                    "您今天已经评价过这个窗口，感谢参与；同一窗口每天只能评价一次。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "day", "status"]),
            models.Index(fields=["window", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.day} {self.get_choice_display()}"
