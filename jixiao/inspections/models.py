"""The inspection plan registry (督查检查考核计划清单, Taixing).

A department registers each planned inspection of the year; the registration is made
(submitted) at least `RegistrySettings.lead_working_days` working days before the start,
counted on the official calendar plus the office's `CalendarDay` table (`workdays.py`).
A late registration is refused or recorded as a `Violation`, by the office's setting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import AssessmentYear, Organization, UnitCategory


class CalendarDay(models.Model):
    """The office's table: a holiday or a 调休 working day; wins over the official calendar."""

    day = models.DateField(
        _("日期"),
        unique=True,
        error_messages={"unique": _("这一天已在节假日调整表中，请修改原来的记录。")},
    )
    is_workday = models.BooleanField(_("工作日"), default=False)
    note = models.CharField(_("说明"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["day"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self) -> str:
        return f"{self.day:%Y年%m月%d日}"


class LatePolicy(models.TextChoices):
    REFUSE = "refuse", _("拒绝登记（记为违规）")
    RECORD = "record", _("允许登记，记为违规")


class RegistrySettings(models.Model):
    """One row: how far ahead inspections must be registered and what a late one does."""

    lead_working_days = models.PositiveSmallIntegerField(_("提前登记工作日数"), default=15)
    late_policy = models.CharField(
        _("逾期登记处理"), max_length=8, choices=LatePolicy.choices, default=LatePolicy.REFUSE
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("计划登记设置")
        verbose_name_plural = _("计划登记设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_working_days__gte=1, lead_working_days__lte=120),
                name="inspection_lead_days_range",
                violation_error_message=_("提前登记工作日数须在 1 到 120 之间。"),
            )
        ]

    def __str__(self) -> str:
        return str(_("计划登记设置"))

    @classmethod
    def current(cls) -> RegistrySettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls(pk=None)


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class TargetKind(models.TextChoices):
    UNITS = "units", _("指定单位")
    CATEGORY = "category", _("整个考核类别")


# Submitted or approved: what units see and merging looks at.
REGISTERED = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def registered(self) -> InspectionQuerySet:
        return self.filter(status__in=REGISTERED)


class Inspection(models.Model):
    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核年度")
    )
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="planned_inspections",
        verbose_name=_("检查部门"),
    )
    name = models.CharField(_("检查名称"), max_length=200)
    content = models.TextField(_("检查内容"), max_length=2000)
    target_kind = models.CharField(
        _("检查对象"), max_length=10, choices=TargetKind.choices, default=TargetKind.UNITS
    )
    category = models.ForeignKey(
        UnitCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("考核类别"),
    )
    units = models.ManyToManyField(
        Organization, blank=True, related_name="inspection_visits", verbose_name=_("被检查单位")
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    working_days_ahead = models.IntegerField(_("提前工作日数"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期登记"), default=False)
    return_reason = models.TextField(_("退回理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="inspection_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=~Q(target_kind="category") | Q(category__isnull=False),
                name="inspection_category_target",
                violation_error_message=_("检查对象为整个考核类别时须选择类别。"),
            ),
        ]
        indexes = [models.Index(fields=["year", "department", "status"])]

    def __str__(self) -> str:
        return self.name


class ViolationKind(models.TextChoices):
    LATE = "late", _("逾期登记")
    REFUSED = "refused", _("逾期登记被拒")
    UNREGISTERED = "unregistered", _("未登记开展检查")


class Violation(models.Model):
    """A late or refused registration, or an inspection found held without one. Never
    deleted: the office's year-end report counts them."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核年度")
    )
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="inspection_violations",
        verbose_name=_("检查部门"),
    )
    kind = models.CharField(_("违规类型"), max_length=14, choices=ViolationKind.choices)
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
        verbose_name=_("检查计划"),
    )
    name = models.CharField(_("检查名称"), max_length=200)
    start = models.DateField(_("开始日期"), null=True, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    working_days_ahead = models.IntegerField(_("提前工作日数"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("计划登记违规")
        verbose_name_plural = _("计划登记违规")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
