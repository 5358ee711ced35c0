"""Online data collection (数据采集): periods, entries and their review workflow.

An entry is one department's raw data (or score) for one leaf indicator, one
assessed unit and one period. Raw inputs live in three typed columns so that a
province's millions of entries load fast for scoring:

    value      the primary number: score, count, actual, value, current, completed, rating
    reference  the number it is measured against: target, last_year, planned
    grade      a qualitative grade (A/B/C/D)

`INPUT_COLUMNS` maps the engine's input names to these columns.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import Organization
from jixiao.scheme.models import DataPeriod, Indicator, Scheme

INPUT_COLUMNS = {
    "score": "value",
    "count": "value",
    "actual": "value",
    "value": "value",
    "current": "value",
    "completed": "value",
    "rating": "value",
    "red": "value",
    "yellow": "reference",
    "target": "reference",
    "last_year": "reference",
    "planned": "reference",
    "checked": "reference",  # spot_accuracy: items checked …
    "wrong": "value",  # … and found 不属实 (written by verification, not typed)
    "grade": "grade",
}


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", _("未开放")
    OPEN = "open", _("采集中")
    CLOSED = "closed", _("已截止")


class CollectionPeriod(models.Model):
    """A data period the office opens for entry (月度 / 季度 / 半年 / 年度)."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="periods", verbose_name=_("考核方案")
    )
    kind = models.CharField(_("周期类型"), max_length=16, choices=DataPeriod.choices)
    code = models.CharField(_("周期编码"), max_length=16)  # e.g. 2026-M03, 2026-Q1, 2026-H1, 2026-Y
    name = models.CharField(_("名称"), max_length=50)  # e.g. 2026年第一季度
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    deadline = models.DateTimeField(_("填报截止时间"))
    recheck_days = models.PositiveSmallIntegerField(_("复核申请期（天）"), default=5)
    status = models.CharField(
        _("状态"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    class Meta:
        ordering = ["scheme", "starts_on", "kind"]
        verbose_name = _("采集周期")
        verbose_name_plural = _("采集周期")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="period_code_per_scheme",
                violation_error_message=_("本方案已有使用这个周期编码的采集周期，请换一个编码。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_entries_from(self, department_id: int, now: datetime | None = None) -> bool:
        """Open and before the deadline, or the office granted this department more time."""
        now = now or timezone.now()
        if self.status == PeriodStatus.OPEN and now <= self.deadline:
            return True
        if self.status == PeriodStatus.DRAFT:
            return False
        return self.exceptions.filter(department_id=department_id, until__gte=now).exists()


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待初审")
    RETURNED = "returned", _("已退回")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("待二次确认")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("已公示")
    RECHECK_REQUESTED = "recheck_requested", _("复核申请中")
    RECHECK_ANSWERED = "recheck_answered", _("复核已答复")
    # A recheck answer changed the value to full marks or a heavy deduction: the
    # department's leader confirms it before the office does (Liwan).
    RECHECK_CONFIRMATION = "recheck_confirmation", _("复核待二次确认")
    FINAL = "final", _("已确认")


# Statuses of entries that do not count for scores yet (not through initial review).
NOT_YET_SCORED = frozenset(
    {
        EntryStatus.DRAFT,
        EntryStatus.SUBMITTED,
        EntryStatus.RETURNED,
        EntryStatus.AWAITING_CONFIRMATION,
    }
)


class EntryQuerySet(models.QuerySet["Entry"]):
    def awaiting_review(self) -> EntryQuerySet:
        return self.filter(status=EntryStatus.SUBMITTED)

    def awaiting_confirmation(self) -> EntryQuerySet:
        return self.filter(status=EntryStatus.AWAITING_CONFIRMATION)

    def visible_to_unit(self, unit: Organization) -> EntryQuerySet:
        """What an assessed unit may see: its own entries, once published."""
        return self.filter(
            unit=unit,
            status__in=[
                EntryStatus.PUBLISHED,
                EntryStatus.RECHECK_REQUESTED,
                EntryStatus.RECHECK_ANSWERED,
                EntryStatus.RECHECK_CONFIRMATION,
                EntryStatus.FINAL,
            ],
        )

    def for_department(self, department: Organization) -> EntryQuerySet:
        return self.filter(department=department)

    def recheck_open(self) -> EntryQuerySet:
        return self.filter(status=EntryStatus.RECHECK_REQUESTED)

    def recheck_answered(self) -> EntryQuerySet:
        return self.filter(status=EntryStatus.RECHECK_ANSWERED)

    def scoring_inputs(self) -> EntryQuerySet:
        """Entries that count for scores: reviewed and approved or beyond."""
        return self.exclude(status__in=NOT_YET_SCORED)


class Entry(models.Model):
    period = models.ForeignKey(
        CollectionPeriod,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("采集周期"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="entries", verbose_name=_("指标")
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="entries", verbose_name=_("被考核单位")
    )
    department = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="entered_entries",
        verbose_name=_("数据采集单位"),
    )
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    reference = models.DecimalField(
        _("基准值"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    grade = models.CharField(_("等次"), max_length=8, blank=True)
    # The leaf score as computed when entered (rank-type methods: null until scoring).
    score = models.DecimalField(_("得分"), max_digits=12, decimal_places=4, null=True, blank=True)
    reason = models.TextField(_("计分说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    entered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("填报时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("审核时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("确认时间"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("提交时间"))
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    # The latest reason given by whoever sent the entry back (office or leader).
    review_comment = models.TextField(_("审核意见"), blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["period", "indicator", "unit"]
        verbose_name = _("采集数据")
        verbose_name_plural = _("采集数据")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator", "unit"],
                name="one_entry_per_indicator_unit_period",
                violation_error_message=_(
                    "这个单位在本周期的这项指标已经有一条数据，请在原来那条数据上修改。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "period", "status"]),
            models.Index(fields=["unit", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.indicator.code} · {self.unit}"


class BonusPenaltyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待初审")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")


class BonusPenaltyQuerySet(models.QuerySet["BonusPenaltyEvent"]):
    def counting(self) -> BonusPenaltyQuerySet:
        """Events that count against the caps: everything not sent back."""
        return self.exclude(status=BonusPenaltyStatus.RETURNED)

    def awaiting_review(self) -> BonusPenaltyQuerySet:
        return self.filter(status=BonusPenaltyStatus.SUBMITTED)


class BonusPenaltyEvent(models.Model):
    """One bonus or penalty (加扣分) event, recorded by the responsible department."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="bonus_events", verbose_name=_("考核方案")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="bonus_events", verbose_name=_("指标")
    )
    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="bonus_events",
        verbose_name=_("被考核单位"),
    )
    department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("数据采集单位")
    )
    points = models.DecimalField(_("分值（加为正，扣为负）"), max_digits=12, decimal_places=4)
    document_number = models.CharField(_("依据文号"), max_length=100, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("事由"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=BonusPenaltyStatus.choices,
        default=BonusPenaltyStatus.DRAFT,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("审核时间"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("提交时间"))
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("创建时间"))
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    objects = BonusPenaltyQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-occurred_on"]
        verbose_name = _("加扣分事项")
        verbose_name_plural = _("加扣分事项")

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator.code} {self.points:+}"


class DeadlineException(models.Model):
    """The office lets one department keep entering after a period's deadline (recorded)."""

    period = models.ForeignKey(
        CollectionPeriod,
        on_delete=models.CASCADE,
        related_name="exceptions",
        verbose_name=_("采集周期"),
    )
    department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("数据采集单位")
    )
    until = models.DateTimeField(_("延期至"))
    reason = models.TextField(_("延期理由"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    granted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("批准时间"))

    class Meta:
        ordering = ["period", "-granted_at"]
        verbose_name = _("延期填报")
        verbose_name_plural = _("延期填报")

    def __str__(self) -> str:
        return f"{self.period} · {self.department} → {self.until:%Y-%m-%d %H:%M}"


class RecheckStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CONFIRMED = "confirmed", _("已确认")


class RecheckOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持原结果")
    CHANGED = "changed", _("更正")


class RecheckRequest(models.Model):
    """A unit asks the department to recheck one published entry (复核申请)."""

    entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, related_name="rechecks", verbose_name=_("采集数据")
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("被考核单位")
    )
    reason = models.TextField(_("复核理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    filed_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RecheckStatus.choices, default=RecheckStatus.OPEN
    )
    outcome = models.CharField(
        _("答复结果"), max_length=16, choices=RecheckOutcome.choices, blank=True
    )
    answer = models.TextField(_("答复意见"), blank=True)
    # The entry's values before and after the answer (equal when upheld).
    before = models.JSONField(_("复核前"), default=dict, blank=True)
    after = models.JSONField(_("复核后"), default=dict, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("答复时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("确认时间"))
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("版本"))

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("复核申请")
        verbose_name_plural = _("复核申请")

    def __str__(self) -> str:
        return f"复核申请 #{self.pk} · {self.entry}"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    # The stored name never comes from the user: a random name with the detected extension.
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class EvidenceFile(models.Model):
    """An evidence attachment (佐证材料) of an entry, a bonus–penalty event or a recheck."""

    entry = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("采集数据"),
    )
    bonus_event = models.ForeignKey(
        BonusPenaltyEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("加扣分事项"),
    )
    recheck = models.ForeignKey(
        RecheckRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("复核申请"),
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    extension = models.CharField(max_length=10, verbose_name=_("扩展名"))
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, verbose_name=_("文件摘要"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(entry__isnull=False, bonus_event__isnull=True, recheck__isnull=True)
                    | models.Q(entry__isnull=True, bonus_event__isnull=False, recheck__isnull=True)
                    | models.Q(entry__isnull=True, bonus_event__isnull=True, recheck__isnull=False)
                ),
                name="evidence_has_one_owner",
                violation_error_message=_(
                    "一份佐证材料只能属于一条数据、一项加扣分或一次复核申请。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """An in-app message to the person who must act next (e-mailed when configured)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    text = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    is_read = models.BooleanField(_("已读"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("邮件发送时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("消息通知")
        verbose_name_plural = _("消息通知")
        indexes = [models.Index(fields=["recipient", "is_read"])]

    def __str__(self) -> str:
        return self.text


class StructureToken(models.Model):
    """One row: a token that changes, in the writing transaction, whenever anything a
    department's grid is built from changes (collection/structure.py, where it is read;
    database triggers, from migration 0007, write it)."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("采集结构版本")
        verbose_name_plural = _("采集结构版本")

    def __str__(self) -> str:
        return str(self.token)
