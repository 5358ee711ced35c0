"""The assessment scheme (考核方案) of a year and its indicator tree (指标体系).

One tree per scheme; each node says, per unit category, how many points it carries
there (IndicatorPoints). A node that has no points row for a category does not apply
to that category. Leaves carry the owner department, data period and scoring method
(a code of the pure engine's method registry, with its parameters).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import AssessmentYear, Organization, UnitCategory, code_validator


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已关闭")


class Scheme(models.Model):
    year = models.OneToOneField(
        AssessmentYear,
        on_delete=models.PROTECT,
        related_name="scheme",
        verbose_name=_("考核年度"),
        error_messages={"unique": _("这个年度已有考核方案；每个年度只有一个方案。")},
    )
    name = models.CharField(_("方案名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复制自"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # Entries scoring full marks, or losing at least this share of an indicator's
    # points, need a second confirmation by the department's leader (Liwan).
    heavy_deduction_share = models.DecimalField(
        _("重大扣分比例"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year__year"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        """A published scheme changes only through a recorded revision."""
        return self.status != SchemeStatus.DRAFT


class IndicatorKind(models.TextChoices):
    COMMON = "common", _("共性指标")
    INDIVIDUAL = "individual", _("个性指标")
    BONUS_PENALTY = "bonus_penalty", _("加扣分指标")
    EVALUATION = "evaluation", _("评议指标")


class DataPeriod(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    QUARTERLY = "quarterly", _("季度")
    HALF_YEAR = "half_year", _("半年")
    ANNUAL = "annual", _("年度")


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def leaves(self) -> IndicatorQuerySet:
        return self.filter(children__isnull=True)


class Indicator(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("指标编码"), max_length=32, validators=[code_validator])
    name = models.CharField(_("指标名称"), max_length=200)
    level = models.PositiveSmallIntegerField(
        _("层级"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    kind = models.CharField(_("指标类型"), max_length=16, choices=IndicatorKind.choices)
    is_qualitative = models.BooleanField(_("定性指标"), default=False)
    description = models.TextField(_("指标说明"), blank=True)
    standard = models.TextField(_("评分标准"), blank=True)
    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_indicators",
        verbose_name=_("数据采集单位"),
    )
    period = models.CharField(
        _("数据周期"), max_length=16, choices=DataPeriod.choices, default=DataPeriod.ANNUAL
    )
    # 须按期报送: the entry of the indicator's latest collection period of its data period
    # (数据周期) is required; without it the unit's figure is missing, even when an earlier
    # period holds approved data (otherwise the latest counting entry is used).
    must_report = models.BooleanField(
        _("须按期报送"),
        default=False,
        help_text=_(
            "勾选后以本指标数据周期的最近一期数据计分，该期未报送或未审定即按缺报计；"
            "不勾选则各单位以最近一期已审定的数据计分。"
        ),
    )
    method = models.CharField(_("计分方法"), max_length=32, blank=True)
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    bonus_cap = models.DecimalField(
        _("加分上限"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    penalty_cap = models.DecimalField(
        _("扣分上限"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # Empty: applies to every unit of the categories it has points in.
    units = models.ManyToManyField(
        Organization, blank=True, related_name="targeted_indicators", verbose_name=_("适用单位")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "level", "sort_order", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="indicator_code_per_scheme",
                violation_error_message=_("本方案已有使用这个编码的指标，请换一个指标编码。"),
            ),
        ]
        indexes = [models.Index(fields=["scheme", "owner"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorPoints(models.Model):
    """How many points an indicator carries in one unit category."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="points")
    category = models.ForeignKey(UnitCategory, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(
        _("分值"), max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("指标分值")
        verbose_name_plural = _("指标分值")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "category"],
                name="points_per_category",
                violation_error_message=_("一项指标在每个考核类别只设一个分值。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}@{self.category.code}={self.points}"


class RevisionStatus(models.TextChoices):
    OPEN = "open", _("修订中")
    APPLIED = "applied", _("已生效")


class RevisionQuerySet(models.QuerySet["SchemeRevision"]):
    def applied(self) -> RevisionQuerySet:
        return self.filter(status=RevisionStatus.APPLIED)

    def open(self) -> RevisionQuerySet:
        return self.filter(status=RevisionStatus.OPEN)


class SchemeRevision(models.Model):
    """A recorded change to a published scheme, with its reason, visible to every unit.

    The office opens a revision (with its reason), edits the tree, and applies it; the
    tree as it was before is kept in `before` so the revision can be abandoned, and
    `summary` lists what changed (added / removed / changed indicators by code).
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("修订号"))
    reason = models.TextField(_("修订原因"))
    summary = models.JSONField(_("修订内容"), default=dict)
    status = models.CharField(
        _("状态"), max_length=16, choices=RevisionStatus.choices, default=RevisionStatus.APPLIED
    )
    before = models.JSONField(_("修订前方案"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("修订时间"), auto_now_add=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("方案修订")
        verbose_name_plural = _("方案修订")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "number"],
                name="revision_number_per_scheme",
                violation_error_message=_("这个修订编号已经存在，请刷新页面后重试。"),
            ),
            # At most one revision in progress per scheme.
            models.UniqueConstraint(
                fields=["scheme"],
                condition=models.Q(status="open"),
                name="one_open_revision",
                violation_error_message=_("方案已有一次修订正在进行，请先提交或放弃那次修订。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} 第 {self.number} 次修订"
