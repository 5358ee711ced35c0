"""Data you can trust: spot checks (察访核验) and implausible-entry flags (异常数据提示).

A `SpotCheck` is one reproducible draw over a collection period's reviewed entries; its
`SpotCheckItem`s are the drawn entries an inspector (察访核验组) verifies on site. An item
found 不属实 carries a `Correction` (new values, reason, evidence) that the department
may object to once and the office confirms; the confirmed correction changes the entry
and so the score. `EntryFlag` holds why a saved entry looks implausible and the
reviewer's acknowledgment; `FlagThreshold` tunes the checks per indicator.

`Duty` is one of a unit's 三定 主要职责 for a year, linked to the indicators that assess
it (职责对应); `NegativeItem` is one behaviour of the office's negative list (负面清单)
with its points and cap, and `NegativeEvent` ties a bonus–penalty ledger event to it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.collection.models import BonusPenaltyEvent, CollectionPeriod, Entry
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scheme.models import Indicator, Scheme


class SpotCheck(models.Model):
    period = models.ForeignKey(
        CollectionPeriod, on_delete=models.PROTECT, related_name="spot_checks"
    )
    fraction = models.DecimalField(_("抽样比例"), max_digits=5, decimal_places=4)
    flag_weight = models.DecimalField(_("异常数据加权"), max_digits=6, decimal_places=2, default=1)
    seed = models.BigIntegerField(_("随机种子"))
    population_size = models.PositiveIntegerField(_("总体数量"))
    population_fingerprint = models.CharField(_("总体指纹"), max_length=64)
    strata = models.PositiveIntegerField(_("分层数"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("核验人员"),
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽样时间"), default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("察访核验抽样")
        verbose_name_plural = _("察访核验抽样")

    def __str__(self) -> str:
        return f"{self.period} · 抽样 #{self.pk}"


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("待核验")
    ACCURATE = "accurate", _("属实")
    INACCURATE = "inaccurate", _("不属实")


class SpotCheckItem(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="spot_checks")
    status = models.CharField(
        _("核验结论"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    note = models.TextField(_("核验说明"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["spot_check", "entry_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "entry"],
                name="one_item_per_entry",
                violation_error_message=_("这条数据已经在本次抽样的核验事项中，不必重复添加。"),
            ),
        ]
        verbose_name = _("核验事项")
        verbose_name_plural = _("核验事项")

    def __str__(self) -> str:
        return f"核验 #{self.pk} · {self.entry}"


class CorrectionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待部门确认")
    OBJECTED = "objected", _("部门有异议")
    CONFIRMED = "confirmed", _("绩效办已确认")
    DISMISSED = "dismissed", _("绩效办未采纳")


class Correction(models.Model):
    """核验更正: what the inspector found instead of the entry's values."""

    item = models.OneToOneField(
        SpotCheckItem,
        on_delete=models.CASCADE,
        related_name="correction",
        error_messages={"unique": _("这个核验事项已经有一条更正，请在原来的更正上修改。")},
    )
    value = models.DecimalField(
        _("更正数值"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    reference = models.DecimalField(
        _("更正基准值"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    grade = models.CharField(_("更正等次"), max_length=8, blank=True)
    reason = models.TextField(_("更正理由"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    objection = models.TextField(_("部门异议"), blank=True)
    objected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    objected_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("绩效办意见"), blank=True)
    # The entry's score before and after the confirmed correction (points changed).
    score_before = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    score_after = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("核验更正")
        verbose_name_plural = _("核验更正")

    def __str__(self) -> str:
        return f"更正 #{self.pk} · {self.item.entry}"


def photo_path(instance: InspectionPhoto, filename: str) -> str:
    return f"verification/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class InspectionPhoto(models.Model):
    """A photo or document from the site visit (checked by content like any evidence)."""

    item = models.ForeignKey(SpotCheckItem, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
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
        verbose_name = _("核验材料")
        verbose_name_plural = _("核验材料")

    def __str__(self) -> str:
        return self.original_name


class FlagThreshold(models.Model):
    """Per-indicator thresholds of the implausible-entry checks (blank: the default)."""

    indicator = models.OneToOneField(
        Indicator,
        on_delete=models.CASCADE,
        related_name="flag_threshold",
        error_messages={"unique": _("这项指标已经设置了异常提示阈值，请在原来的设置上修改。")},
    )
    ceiling = models.DecimalField(
        _("完成率上限"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    jump_factor = models.DecimalField(
        _("跳变倍数"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    mad_k = models.DecimalField(
        _("偏离同类倍数（MAD）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    allow_negative = models.BooleanField(_("允许负数"), default=False)

    class Meta:
        verbose_name = _("异常提示阈值")
        verbose_name_plural = _("异常提示阈值")

    def __str__(self) -> str:
        return str(self.indicator)


class EntryFlag(models.Model):
    """Why a saved entry looks implausible; a reviewer acknowledges it (with a note)."""

    entry = models.OneToOneField(
        Entry,
        on_delete=models.CASCADE,
        related_name="flag",
        error_messages={"unique": _("这条数据已经有异常提示，请在原来的提示上处理。")},
    )
    reasons = models.JSONField(_("提示原因"), default=list)
    flagged_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("审核说明"), blank=True)

    class Meta:
        verbose_name = _("异常数据提示")
        verbose_name_plural = _("异常数据提示")

    def __str__(self) -> str:
        return "；".join(self.reasons)

    @property
    def text(self) -> str:
        return "；".join(self.reasons)


class Duty(models.Model):
    """One of a unit's 三定 主要职责 (imported from Excel), and the indicators assessing it."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核年度")
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="duties", verbose_name=_("单位")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("职责内容"))
    indicators = models.ManyToManyField(
        Indicator, related_name="duties", blank=True, verbose_name=_("对应指标")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["unit__sort_order", "unit__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "number"],
                name="one_duty_per_number",
                violation_error_message=_("该单位本年度已有同一序号的职责，请修改序号。"),
            ),
        ]
        verbose_name = _("三定职责")
        verbose_name_plural = _("三定职责")

    def __str__(self) -> str:
        return f"{self.unit} · {self.number}. {self.text[:30]}"


class NegativeItem(models.Model):
    """A behaviour on the negative list (负面清单) that costs points, per occurrence, up to
    a cap per unit and year; recorded under a bonus–penalty leaf of the scheme."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核方案")
    )
    name = models.CharField(_("负面清单事项"), max_length=100)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("计入加扣分指标")
    )
    points = models.DecimalField(_("每次扣分"), max_digits=8, decimal_places=4)
    cap = models.DecimalField(
        _("全年最多扣分"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    description = models.TextField(_("认定标准"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "name"],
                name="one_negative_item_per_name",
                violation_error_message=_("负面清单中已有同名事项。"),
            ),
            models.CheckConstraint(
                condition=models.Q(points__gt=0),
                name="negative_item_points_positive",
                violation_error_message=_("每次扣分须大于 0。"),
            ),
            models.CheckConstraint(
                condition=models.Q(cap__isnull=True) | models.Q(cap__gt=0),
                name="negative_item_cap_positive",
                violation_error_message=_("全年最多扣分须大于 0，不设上限请留空。"),
            ),
        ]
        verbose_name = _("负面清单事项")
        verbose_name_plural = _("负面清单")

    def __str__(self) -> str:
        return self.name


class NegativeEvent(models.Model):
    """A ledger event recorded from the negative list (reviewed like any ledger event)."""

    event = models.OneToOneField(
        BonusPenaltyEvent,
        on_delete=models.CASCADE,
        related_name="negative",
        verbose_name=_("加扣分事项"),
        error_messages={"unique": _("这条加扣分事项已经对应负面清单事项。")},
    )
    item = models.ForeignKey(
        NegativeItem,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("负面清单事项"),
    )

    class Meta:
        verbose_name = _("负面清单记录")
        verbose_name_plural = _("负面清单记录")

    def __str__(self) -> str:
        return f"{self.item} · {self.event}"
