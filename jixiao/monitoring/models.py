"""Process monitoring (过程监控): targets broken into milestones, key-project nodes,
monthly progress, the office's light rules and the published monthly report (ZJG).

Targets and nodes are set by the department that owns the indicator and approved by the
office through the collection workflow's mechanism (`monitoring/workflow.py`). Lights are
not stored: they are computed from targets, progress and rules by the pure `lights.py`.
A published monthly report stores its rows (frozen things read only frozen data).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Indicator, Scheme

MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")


class Breakdown(models.TextChoices):
    EVEN = "even", _("按月平均")
    PROFILE = "profile", _("按进度曲线")
    TYPED = "typed", _("逐月填写")


class TargetQuerySet(models.QuerySet["Target"]):
    def approved(self) -> TargetQuerySet:
        return self.filter(status=PlanStatus.APPROVED)


class Target(models.Model):
    """A unit's annual target for one quantitative indicator, with cumulative monthly
    milestones (`milestones[m-1]` is the value expected by the end of month m)."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核方案")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标")
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("被考核单位")
    )
    annual = models.DecimalField(_("年度目标"), max_digits=20, decimal_places=4)
    breakdown = models.CharField(
        _("分解方式"), max_length=16, choices=Breakdown.choices, default=Breakdown.EVEN
    )
    profile = models.CharField(_("进度曲线"), max_length=16, blank=True)
    milestones = models.JSONField(_("月度节点目标"), default=list)
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["indicator__code", "unit__sort_order", "unit__code"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit"],
                name="monitoring_one_target_per_indicator_unit",
                violation_error_message=_("这个单位的这项指标已有年度目标，请在原目标上修改。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} · {self.unit.name}"


class ProjectNode(models.Model):
    """A node of a key project (重点项目): due date and the unit responsible."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核方案")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("指标")
    )
    project = models.CharField(_("重点项目"), max_length=100)
    name = models.CharField(_("节点"), max_length=200)
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    due_on = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    class Meta:
        ordering = ["project", "due_on", "pk"]
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "project", "name"],
                name="monitoring_node_name_per_project",
                violation_error_message=_("这个项目已有同名节点，请换一个名称。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class ProgressQuerySet(models.QuerySet["Progress"]):
    def submitted(self) -> ProgressQuerySet:
        return self.filter(submitted_at__isnull=False)


class Progress(models.Model):
    """Value to date at the end of a month, entered by the unit or the data department."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="progress", verbose_name=_("年度目标")
    )
    month = models.PositiveSmallIntegerField(_("月份"), validators=MONTH_VALIDATORS)
    value = models.DecimalField(_("累计完成值"), max_digits=20, decimal_places=4)
    narrative = models.CharField(_("进展说明"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # A draft (None) is saved but not yet reported: lights, the monthly report, the board
    # and the office's views count submitted values only, as collection's entries.
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    objects = ProgressQuerySet.as_manager()

    class Meta:
        ordering = ["target", "month"]
        verbose_name = _("月度进度")
        verbose_name_plural = _("月度进度")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "month"],
                name="monitoring_one_progress_per_month",
                violation_error_message=_("这项目标本月已有进度，请在原来那条上修改。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.month}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class RuleScope(models.TextChoices):
    TARGET = "target", _("量化指标")
    NODE = "node", _("项目节点")


class LightRule(models.Model):
    """One office rule: for a target, lag behind schedule (percentage points) at least
    `threshold`; for a node, days overdue at least `threshold`. First match wins."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("考核年度")
    )
    scope = models.CharField(_("适用对象"), max_length=16, choices=RuleScope.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))
    color = models.CharField(_("灯色"), max_length=8, choices=Light.choices)
    threshold = models.DecimalField(_("阈值"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["year", "scope", "position"]
        verbose_name = _("亮灯规则")
        verbose_name_plural = _("亮灯规则")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scope", "position"],
                name="monitoring_rule_position",
                violation_error_message=_("同一顺序只能有一条规则。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.position}"


class MonthlyReport(models.Model):
    """A published monthly progress report: its rows as published (a snapshot)."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核年度")
    )
    month = models.PositiveSmallIntegerField(_("月份"), validators=MONTH_VALIDATORS)
    rows = models.JSONField(_("报告内容"), default=list)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        ordering = ["year", "month"]
        verbose_name = _("月度绩效评估报告")
        verbose_name_plural = _("月度绩效评估报告")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                name="monitoring_one_report_per_month",
                violation_error_message=_("这个月的评估报告已经发布。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.month}"


def _evidence_path(instance: ProgressEvidence, filename: str) -> str:
    # The stored name never comes from the user (as collection's evidence).
    return f"monitoring/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class ProgressEvidence(models.Model):
    """An evidence file of a month's progress, checked by collection's evidence door."""

    progress = models.ForeignKey(
        Progress, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("月度进度")
    )
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    extension = models.CharField(max_length=10, verbose_name=_("扩展名"))
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("文件摘要"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("进度佐证材料")
        verbose_name_plural = _("进度佐证材料")

    def __str__(self) -> str:
        return self.original_name


class LightNotice(models.Model):
    """A red light the unit has been told about, once per light and month: a light that
    turns red because the month moved on (or a node passed its due date) is noticed by
    the scheduled task; one that turns red when progress is entered, at once."""

    kind = models.CharField(_("类型"), max_length=10)  # "target" or "node", as UnitLight
    object_id = models.PositiveBigIntegerField(_("对象"))
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("红灯提醒")
        verbose_name_plural = _("红灯提醒")
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "object_id", "year", "month"),
                name="monitoring_one_red_notice_per_light_and_month",
                violation_error_message=_("本月已就该红灯提醒过责任单位。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}-{self.object_id} {self.year}-{self.month}"
