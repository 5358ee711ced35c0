"""Organizations, assessment years, unit categories and who is assessed in which year.

An organization can play several parts at once: an agency is usually both a
data-collection department (数据采集单位) and an assessed unit (被考核单位). Which
category a unit is compared in, and its staffing (编制数), change from year to year,
so they live on the yearly enrollment, not on the organization.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    _("编码只能包含字母、数字、点、横线和下划线，最长 32 位。"),
)

#: Said wherever a staffing (编制数) is entered: forms, the API and the Excel import.
STAFFING_MESSAGE = _("编制数必须是正整数（大于 0）；未登记请留空。")


class AssessmentYear(models.Model):
    year = models.PositiveIntegerField(
        _("考核年度"),
        unique=True,
        error_messages={"unique": _("这个考核年度已经建立，不必重复添加。")},
    )
    name = models.CharField(_("名称"), max_length=100)
    is_current = models.BooleanField(_("当前年度"), default=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考核年度")
        verbose_name_plural = _("考核年度")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="one_current_year",
                violation_error_message=_("只能有一个当前年度，请先把原来的当前年度改为非当前。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> AssessmentYear | None:
        return cls.objects.filter(is_current=True).first() or cls.objects.first()


class OrganizationKind(models.TextChoices):
    OFFICE = "office", _("绩效办")
    AGENCY = "agency", _("机关部门")
    TOWN = "town", _("镇")
    STREET = "street", _("街道")
    PARK = "park", _("园区")
    OTHER = "other", _("其他")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def departments(self) -> OrganizationQuerySet:
        return self.filter(is_department=True, is_active=True)

    def assessed_units(self) -> OrganizationQuerySet:
        return self.filter(is_assessed_unit=True, is_active=True)


class Organization(models.Model):
    code = models.CharField(
        _("编码"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        error_messages={"unique": _("这个编码已被其他单位使用，请换一个编码。")},
    )
    name = models.CharField(
        _("名称"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("已有同名单位，请检查是否重复添加。")},
    )
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrganizationKind.choices)
    is_department = models.BooleanField(_("数据采集单位"), default=False)
    is_assessed_unit = models.BooleanField(_("被考核单位"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_office(self) -> bool:
        return self.kind == OrganizationKind.OFFICE


class UnitCategory(models.Model):
    """A comparison group (分类考核): units are scored and ranked only within theirs."""

    class Scale(models.IntegerChoices):
        HUNDRED = 100, _("百分制")
        THOUSAND = 1000, _("千分制")

    year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("考核年度"),
    )
    code = models.CharField(_("编码"), max_length=32, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=50)
    scale = models.PositiveIntegerField(_("计分制"), choices=Scale.choices, default=Scale.HUNDRED)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["year", "sort_order", "code"]
        verbose_name = _("考核类别")
        verbose_name_plural = _("考核类别")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "code"],
                name="category_code_per_year",
                violation_error_message=_("本年度已有使用这个编码的考核类别，请换一个编码。"),
            ),
            models.UniqueConstraint(
                fields=["year", "name"],
                name="category_name_per_year",
                violation_error_message=_("本年度已有同名的考核类别，请换一个名称。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UnitEnrollment(models.Model):
    """A unit taking part in a year's assessment: its category and staffing (编制数)."""

    year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("考核年度"),
    )
    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("被考核单位"),
    )
    category = models.ForeignKey(
        UnitCategory, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("类别")
    )
    # 编制数 divides in 编制任务比 (staffing ÷ base): 0 is not a staffing, blank is
    # "not registered".
    staffing = models.PositiveIntegerField(
        _("编制数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1, message=STAFFING_MESSAGE)],
        help_text=_("正整数；未登记请留空"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["category__sort_order", "unit__sort_order", "unit__code"]
        verbose_name = _("考核对象")
        verbose_name_plural = _("考核对象")
        constraints = [
            # Each unit is in exactly one category per year.
            models.UniqueConstraint(
                fields=["year", "unit"],
                name="one_category_per_unit_year",
                violation_error_message=_(
                    "这个单位本年度已归入一个考核类别；每个单位每年只属于一个类别，请修改原来的归类。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} {self.unit} · {self.category}"
