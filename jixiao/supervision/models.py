"""Supervision (督查督办): tasks, their progress reports, red and yellow cards, bulletins.

A `SupervisionTask` is one problem handed to a lead unit (牵头单位) with a deadline. It
moves through `workflow.TABLE` (立项 → 交办 → 领办 → 推进 → 申请销号 → 核验 → 销号, or 中止
/ 上报 / 重新打开). It remembers where it came from (a source kind, and for findings of
the assessment a source type + id + the source's description frozen when the task was
raised), so the task shows its source and the source's page lists its tasks.

`Card`s are issued by the daily card run (`cards.py`) by the year's `CardRules`; one card
per (task, rule, key), so the run is idempotent. A `Bulletin` is the month's published
summary (一月一通报), its figures frozen at publication.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import Organization


class SourceKind(models.TextChoices):
    SUPERIOR = "superior", _("上级交办")
    LEADER = "leader", _("领导批示")
    DEPARTMENT = "department", _("部门反馈")
    ASSESSMENT = "assessment", _("考核发现")
    PUBLIC = "public", _("群众反映")


class SourceType(models.TextChoices):
    """What a 考核发现 links to (the other end of the two-way link)."""

    NONE = "", _("无")
    REPORT_CARD = "report_card", _("成绩单低分项")
    ENTRY = "entry", _("退回或复核的考核数据")
    CORRECTION = "correction", _("察访核验更正")
    TASK = "task", _("上年未完成整改事项")
    COMPLAINT = "complaint", _("群众反映")
    TARGET_LIGHT = "target_light", _("目标进度红灯")
    NODE_LIGHT = "node_light", _("重点项目节点红灯")


class Level(models.TextChoices):
    NORMAL = "normal", _("一般")
    KEY = "key", _("重点")


class TaskState(models.TextChoices):
    DRAFT = "draft", _("立项")
    ASSIGNED = "assigned", _("交办")
    ACCEPTED = "accepted", _("领办")
    IN_PROGRESS = "in_progress", _("推进")
    CLOSE_REQUESTED = "close_requested", _("申请销号")
    VERIFIED = "verified", _("核验")
    CLOSED = "closed", _("销号")
    SUSPENDED = "suspended", _("中止")
    ESCALATED = "escalated", _("上报")


# States in which the lead unit owes work (cards and reminders run over these).
OPEN_STATES = (
    TaskState.ASSIGNED,
    TaskState.ACCEPTED,
    TaskState.IN_PROGRESS,
    TaskState.CLOSE_REQUESTED,
    TaskState.VERIFIED,
)


class TaskResult(models.TextChoices):
    NONE = "", _("未评定")
    DONE = "done", _("完成")
    MOSTLY = "mostly", _("基本完成")
    UNDONE = "undone", _("未完成")


class TaskQuerySet(models.QuerySet["SupervisionTask"]):
    def open(self) -> TaskQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def of_unit(self, unit_id: int) -> TaskQuerySet:
        return self.filter(
            models.Q(lead_unit_id=unit_id) | models.Q(cooperating_units__id=unit_id)
        ).distinct()

    def overdue(self, today: date) -> TaskQuerySet:
        return self.open().filter(deadline__lt=today)

    def from_source(self, source_type: str, source_id: int) -> TaskQuerySet:
        return self.filter(source_type=source_type, source_id=source_id)


class SupervisionTask(models.Model):
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("事项名称"), max_length=200)
    source_kind = models.CharField(_("来源"), max_length=16, choices=SourceKind.choices)
    source_type = models.CharField(
        _("来源对象"), max_length=16, choices=SourceType.choices, default="", blank=True
    )
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    source_text = models.CharField(_("来源说明"), max_length=500, blank=True)
    problem = models.TextField(_("问题描述"))
    measures = models.TextField(_("整改措施"), blank=True)
    lead_unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="supervision_tasks",
        verbose_name=_("牵头单位"),
    )
    cooperating_units = models.ManyToManyField(
        Organization, blank=True, related_name="cooperating_tasks", verbose_name=_("配合单位")
    )
    deadline = models.DateField(_("办结时限"))
    level = models.CharField(_("等级"), max_length=8, choices=Level.choices, default=Level.NORMAL)
    state = models.CharField(
        _("状态"), max_length=16, choices=TaskState.choices, default=TaskState.DRAFT
    )
    result = models.CharField(
        _("整改结果"), max_length=8, choices=TaskResult.choices, default="", blank=True
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("上年事项"),
    )
    last_reason = models.CharField(_("最近一次说明"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("立项时间"), default=timezone.now)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    accepted_on = models.DateField(_("领办日期"), null=True, blank=True)
    last_report_on = models.DateField(_("最近报送日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "deadline", "id"]
        verbose_name = _("督查督办事项")
        verbose_name_plural = _("督查督办事项")
        indexes = [
            models.Index(fields=["year", "state", "deadline"], name="sup_task_year_state"),
            models.Index(fields=["year", "deadline", "id"], name="sup_task_year_deadline"),
            models.Index(fields=["deadline", "id"], name="sup_task_deadline"),
            models.Index(fields=["lead_unit", "year", "state"], name="sup_task_unit"),
            models.Index(fields=["source_type", "source_id"], name="sup_task_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source_type="") | models.Q(source_id__isnull=True),
                name="sup_task_source_pair",
                violation_error_message=_("没有来源对象的事项不能填写来源编号。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ProgressReport(models.Model):
    """The lead unit's 10-day progress report (推进情况), or its request to close out."""

    task = models.ForeignKey(
        SupervisionTask, on_delete=models.CASCADE, related_name="reports", verbose_name=_("事项")
    )
    text = models.TextField(_("进展情况"))
    is_close_request = models.BooleanField(_("申请销号"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_on = models.DateField(_("报送日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("推进情况")
        verbose_name_plural = _("推进情况")

    def __str__(self) -> str:
        return f"{self.task} · {self.reported_on}"


class Milestone(models.Model):
    task = models.ForeignKey(
        SupervisionTask,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("事项"),
    )
    name = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("节点时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: TaskAttachment, filename: str) -> str:
    return f"supervision/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class TaskAttachment(models.Model):
    """A file of the task (checked by content through collection's evidence door)."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("事项附件")
        verbose_name_plural = _("事项附件")

    def __str__(self) -> str:
        return self.original_name


class CardRules(models.Model):
    """A year's card and reminder rules (defaults when the year has none)."""

    year = models.PositiveIntegerField(
        _("年度"), unique=True, error_messages={"unique": _("这一年度已经设置了红黄牌规则。")}
    )
    accept_days = models.PositiveIntegerField(_("领办时限（天）"), default=3)
    report_every_days = models.PositiveIntegerField(_("推进报送周期（天）"), default=10)
    remind_before_days = models.PositiveIntegerField(_("提前提醒（天）"), default=2)
    yellow_for_late_accept = models.BooleanField(_("逾期未领办亮黄牌"), default=True)
    yellow_for_late_report = models.BooleanField(_("逾期未报送亮黄牌"), default=True)
    yellow_for_milestone = models.BooleanField(_("节点滞后亮黄牌"), default=True)
    red_for_deadline = models.BooleanField(_("超过办结时限亮红牌"), default=True)
    yellows_per_red = models.PositiveIntegerField(_("黄牌累计转红牌（张，0 为不转）"), default=2)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("红黄牌规则")
        verbose_name_plural = _("红黄牌规则")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report_every_days__gte=1),
                name="sup_rules_report_days",
                violation_error_message=_("推进报送周期至少为 1 天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · 红黄牌规则"


class CardColor(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class CardRule(models.TextChoices):
    LATE_ACCEPT = "late_accept", _("逾期未领办")
    LATE_REPORT = "late_report", _("推进情况逾期未报送")
    MILESTONE = "milestone", _("时间节点滞后")
    DEADLINE = "deadline", _("超过办结时限未销号")
    YELLOWS = "yellows", _("黄牌累计")
    RESULT_MOSTLY = "result_mostly", _("整改基本完成")
    RESULT_UNDONE = "result_undone", _("整改未完成")
    CARRIED = "carried", _("上年未完成整改事项结转")


CARD_COLOR = {
    CardRule.LATE_ACCEPT: CardColor.YELLOW,
    CardRule.LATE_REPORT: CardColor.YELLOW,
    CardRule.MILESTONE: CardColor.YELLOW,
    CardRule.DEADLINE: CardColor.RED,
    CardRule.YELLOWS: CardColor.RED,
    CardRule.RESULT_MOSTLY: CardColor.YELLOW,
    CardRule.RESULT_UNDONE: CardColor.RED,
    CardRule.CARRIED: CardColor.RED,
}


class CardQuerySet(models.QuerySet["Card"]):
    def counted(self) -> CardQuerySet:
        return self.filter(revoked_at__isnull=True)


class Card(models.Model):
    task = models.ForeignKey(
        SupervisionTask, on_delete=models.CASCADE, related_name="cards", verbose_name=_("事项")
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    year = models.PositiveIntegerField(_("年度"))
    color = models.CharField(_("类别"), max_length=8, choices=CardColor.choices)
    rule = models.CharField(_("原因"), max_length=16, choices=CardRule.choices)
    key = models.CharField(_("依据"), max_length=40)
    issued_on = models.DateField(_("亮牌日期"))
    note = models.CharField(_("说明"), max_length=300)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销理由"), max_length=2000, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("红黄牌")
        verbose_name_plural = _("红黄牌")
        indexes = [models.Index(fields=["unit", "year", "color"], name="sup_card_unit")]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "rule", "key"],
                name="sup_card_once",
                violation_error_message=_("这张红黄牌已经亮过了。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_color_display()} · {self.task}"


class Reminder(models.Model):
    """A reminder sent (one per task and key: the run never repeats one)."""

    task = models.ForeignKey(SupervisionTask, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("提醒事由"), max_length=40)
    sent_on = models.DateField(_("提醒日期"))

    class Meta:
        verbose_name = _("督办提醒")
        verbose_name_plural = _("督办提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "key"],
                name="sup_reminder_once",
                violation_error_message=_("这条提醒已经发送过了。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.key}"


class Bulletin(models.Model):
    """一月一通报: the month's figures, frozen when published."""

    year = models.PositiveIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    figures = models.JSONField(_("通报数据"), default=dict)
    note = models.TextField(_("通报说明"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("督查通报")
        verbose_name_plural = _("督查通报")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                name="sup_bulletin_month",
                violation_error_message=_("这个月的督查通报已经发布过了。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月督查通报"


# A verified result costs its lead unit a card (整改结果计分, docs/supervision.md):
# 完成 nothing, 基本完成 a yellow, 未完成 a red.
RESULT_CARD = {TaskResult.MOSTLY: CardRule.RESULT_MOSTLY, TaskResult.UNDONE: CardRule.RESULT_UNDONE}
