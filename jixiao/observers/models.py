"""Observers (观察员) and what they see on site (issue 12, the 绩效比拼 platform).

The office registers observation points (`ObservationPoint`, 观测点) under an assessed
unit and assigns observers to units or to single points (`Assignment`). An observer files
`Observation`s — a date, a rating, a text and site photos — editable while a draft (or
after the office returned it); submitting locks it, and only then does the unit see it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import Organization


class ObservationPoint(models.Model):
    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="observation_points",
        verbose_name=_("被考核单位"),
    )
    name = models.CharField(_("观测点名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    focus = models.TextField(_("观察内容"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["unit__code", "name"]
        verbose_name = _("观测点")
        verbose_name_plural = _("观测点")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="observers_one_point_name_per_unit",
                violation_error_message=_("这个单位已经有同名的观测点，请换一个名称。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.name}"


class Assignment(models.Model):
    """An observer watches a unit: all its points (no point named) or one point."""

    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="observer_assignments",
        verbose_name=_("观察员"),
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("被考核单位")
    )
    point = models.ForeignKey(
        ObservationPoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("观测点"),
    )
    assigned_at = models.DateTimeField(_("分配时间"), default=timezone.now)

    class Meta:
        ordering = ["observer_id", "unit__code", "point__name"]
        verbose_name = _("观察任务")
        verbose_name_plural = _("观察任务")
        constraints = [
            models.UniqueConstraint(
                fields=["observer", "unit", "point"],
                name="observers_one_assignment_per_point",
                violation_error_message=_("这位观察员已经分配到这个观测点，不必重复分配。"),
            ),
            models.UniqueConstraint(
                fields=["observer", "unit"],
                condition=Q(point__isnull=True),
                name="observers_one_assignment_per_unit",
                violation_error_message=_("这位观察员已经分配到这个单位，不必重复分配。"),
            ),
        ]

    def __str__(self) -> str:
        where = self.point.name if self.point is not None else _("全部观测点")
        return f"{self.unit.name} · {where}"


class Rating(models.IntegerChoices):
    VERY_SATISFIED = 5, _("满意")
    SATISFIED = 4, _("较满意")
    FAIR = 3, _("基本满意")
    DISSATISFIED = 2, _("不太满意")
    VERY_DISSATISFIED = 1, _("不满意")


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")


EDITABLE = frozenset({ObservationStatus.DRAFT, ObservationStatus.RETURNED})


class ObservationQuerySet(models.QuerySet["Observation"]):
    def submitted(self) -> ObservationQuerySet:
        return self.filter(status=ObservationStatus.SUBMITTED)

    def editable(self) -> ObservationQuerySet:
        return self.filter(status__in=EDITABLE)

    def in_quarter(self, year: int, quarter: int) -> ObservationQuerySet:
        first = 3 * (quarter - 1) + 1
        return self.filter(
            observed_on__year=year, observed_on__month__gte=first, observed_on__month__lt=first + 3
        )


class Observation(models.Model):
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("观察员"),
    )
    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("被考核单位"),
    )
    point = models.ForeignKey(
        ObservationPoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("观测点"),
    )
    observed_on = models.DateField(_("观察日期"))
    rating = models.PositiveSmallIntegerField(_("评价"), choices=Rating.choices)
    text = models.TextField(_("观察意见"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ObservationStatus.choices,
        default=ObservationStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("填写时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    returned_reason = models.TextField(_("退回理由"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("退回人"),
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name = _("观察记录")
        verbose_name_plural = _("观察记录")
        # The board, the overview and the reports read submitted rows by date.
        indexes = [models.Index(fields=["status", "observed_on"], name="observers_status_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="observers_rating_1_to_5",
                violation_error_message=_("评价须在“不满意”到“满意”五档之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.observed_on:%Y-%m-%d}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def quarter(self) -> int:
        return (self.observed_on.month - 1) // 3 + 1


def photo_path(instance: ObservationPhoto, filename: str) -> str:
    # Never the user's name: a random one with the extension the content check found.
    return f"observers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class ObservationPhoto(models.Model):
    """A site photo (checked by content through collection's evidence door)."""

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="photos", verbose_name=_("观察记录")
    )
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    extension = models.CharField(_("扩展名"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("校验值"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")

    def __str__(self) -> str:
        return self.original_name
