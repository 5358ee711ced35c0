"""Evaluation rounds (评议): who rates whom, ballots, and the anonymity of their content.

A round feeds evaluation indicators (评议指标) of a year's scheme. Reviewer groups rate
the units of some categories; their weights per indicator add up to 100%, and an
indicator may be split into weighted sub-items. A `Reviewer` is one person's right to
cast one ballot: an account (role 评议人) or a one-time ballot code.

Anonymity (docs/evaluation.md): a cast ballot is a `Ballot` row with a random UUID and
no reference to its reviewer, its code, its author or its time; the reviewer side only
keeps `cast_at`. Nothing joins the two: not a foreign key, not an ordered id, not a
timestamp, not an audit row (the audit trail records that a ballot was cast, never
its content).
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.collection.models import CollectionPeriod
from jixiao.org.models import AssessmentYear, Organization, UnitCategory
from jixiao.scheme.models import Indicator, Scheme

#: Ballot codes avoid letters and digits people confuse (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
DEFAULT_GRADE_POINTS = {"优秀": "95", "良好": "85", "一般": "75", "较差": "60"}


def new_ballot_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("评议中")
    CLOSED = "closed", _("已结束")
    PUBLISHED = "published", _("已发布")


class ScoringMode(models.TextChoices):
    SCORE = "score", _("百分制打分")
    GRADE = "grade", _("等次评价")


class RoundSource(models.TextChoices):
    BALLOTS = "ballots", _("评议票")
    SATISFACTION = "satisfaction", _("服务对象点击评价")


class DistributionPolicy(models.TextChoices):
    OFF = "off", _("不限制")
    REFUSE = "refuse", _("超出比例不得提交")
    PENALISE = "penalise", _("提示并扣分")


class Round(models.Model):
    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("考核年度")
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="evaluation_rounds", verbose_name=_("方案")
    )
    # Where the published ratings are written as entries (the indicator's data period).
    period = models.ForeignKey(
        CollectionPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("计入采集周期"),
    )
    name = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    source = models.CharField(
        _("评议来源"), max_length=16, choices=RoundSource.choices, default=RoundSource.BALLOTS
    )
    # Satisfaction rounds: points per choice (5 = 非常满意 … 1 = 非常不满意).
    satisfaction_points = models.JSONField(_("满意度折算分"), default=dict, blank=True)
    mode = models.CharField(
        _("评分方式"), max_length=8, choices=ScoringMode.choices, default=ScoringMode.SCORE
    )
    grade_points = models.JSONField(_("等次折算分"), default=dict, blank=True)
    trim = models.PositiveSmallIntegerField(
        _("去掉最高最低分个数"), default=0, validators=[MaxValueValidator(5)]
    )
    min_ballots = models.PositiveSmallIntegerField(_("每组最少有效票数"), default=5)
    exclude_collecting = models.BooleanField(_("采集部门不评其采集对象"), default=False)
    policy = models.CharField(
        _("强制分布"),
        max_length=16,
        choices=DistributionPolicy.choices,
        default=DistributionPolicy.OFF,
    )
    high_share = models.DecimalField(
        _("高分比例上限"), max_digits=5, decimal_places=4, default=Decimal("0.3")
    )
    low_share = models.DecimalField(
        _("低分比例下限"), max_digits=5, decimal_places=4, default=Decimal("0.2")
    )
    forbid_full = models.BooleanField(_("不得打满分"), default=True)
    warnings_acknowledged = models.BooleanField(_("已确认票数不足提示"), default=False)
    reopen_reason = models.TextField(_("重新开放原因"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year__year", "pk"]
        verbose_name = _("评议轮次")
        verbose_name_plural = _("评议轮次")

    def __str__(self) -> str:
        return self.name

    @property
    def is_satisfaction(self) -> bool:
        return self.source == RoundSource.SATISFACTION

    @property
    def points_by_choice(self) -> dict[int, Decimal]:
        from jixiao.evaluation.public_models import DEFAULT_POINTS

        given = self.satisfaction_points or DEFAULT_POINTS
        return {int(k): Decimal(str(v)) for k, v in given.items()}

    @property
    def grade_map(self) -> dict[str, Decimal]:
        return {k: Decimal(str(v)) for k, v in (self.grade_points or DEFAULT_GRADE_POINTS).items()}


class RoundIndicator(models.Model):
    """An evaluation indicator this round feeds."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["indicator__sort_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator"],
                name="round_indicator_once",
                violation_error_message=_("这项指标已经加入本轮评议，不必重复添加。"),
            ),
            # One round per indicator: two would both write its input.
            models.UniqueConstraint(
                fields=["indicator"],
                name="indicator_in_one_round",
                violation_error_message=_(
                    "这项指标已由另一轮评议提供数据；一项指标只能属于一轮评议，请先从那一轮中移除。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.indicator)


class SubItem(models.Model):
    """A weighted part of an indicator's rating (e.g. 令行禁止、有呼必应 30%)."""

    round_indicator = models.ForeignKey(
        RoundIndicator, on_delete=models.CASCADE, related_name="items"
    )
    name = models.CharField(_("评议子项"), max_length=100)
    weight = models.DecimalField(
        _("权重（%）"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class ReviewerGroup(models.Model):
    """区领导, 基层单位, 特邀监察员 …: who rates the units of some categories."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("评议组"), max_length=50)
    categories = models.ManyToManyField(UnitCategory, related_name="+", verbose_name=_("评议类别"))
    # Empty: every unit of the categories; otherwise only these.
    units = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("指定评议对象")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "name"],
                name="group_name_per_round",
                violation_error_message=_("本轮评议已有同名的评议组，请换一个名称。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupWeight(models.Model):
    round_indicator = models.ForeignKey(
        RoundIndicator, on_delete=models.CASCADE, related_name="weights"
    )
    group = models.ForeignKey(ReviewerGroup, on_delete=models.CASCADE, related_name="weights")
    weight = models.DecimalField(
        _("权重（%）"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round_indicator", "group"],
                name="one_weight",
                violation_error_message=_(
                    "这个评议组在这项指标上已经设置了权重，请在原来的权重上修改。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.weight}%"


class ReviewerQuerySet(models.QuerySet["Reviewer"]):
    def cast(self) -> ReviewerQuerySet:
        return self.filter(cast_at__isnull=False)

    def with_codes(self) -> ReviewerQuerySet:
        return self.filter(code__isnull=False)


class Reviewer(models.Model):
    """One person's right to cast one ballot in a round: an account or a ballot code.

    Until it is cast the ballot's draft lives here (`draft`); casting moves it into an
    anonymous `Ballot` and empties the draft in the same transaction.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reviewers")
    group = models.ForeignKey(ReviewerGroup, on_delete=models.PROTECT, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_reviewers",
    )
    # The reviewer's own unit: never rated by them (and, if the round says so, neither
    # are the units it collects data for).
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField(
        _("评议码"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        error_messages={"unique": _("这个评议码已被使用，请重新生成一个评议码。")},
    )
    label = models.CharField(_("说明"), max_length=100, blank=True)
    cast_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    draft = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReviewerQuerySet.as_manager()

    class Meta:
        ordering = ["group__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                condition=models.Q(user__isnull=False),
                name="one_ballot_per_account",
                violation_error_message=_(
                    "这个账号已经是本轮的评议人；每个账号每轮只能投一票，不必重复添加。"
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.user_id:
            return f"{self.round} · {self.user}"
        return f"{self.round} · {self.label or self.code}"


class Ballot(models.Model):
    """A cast ballot. Deliberately nothing here says whose it is or when it was cast."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(ReviewerGroup, on_delete=models.PROTECT, related_name="ballots")
    # Cast under the warn-and-penalise policy with the distribution broken.
    off_distribution = models.BooleanField(default=False)

    class Meta:
        # Random ids: the listing order says nothing about the casting order.
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.round} · {self.group}"


class BallotScore(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="scores")
    round_indicator = models.ForeignKey(RoundIndicator, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(SubItem, on_delete=models.CASCADE, null=True, blank=True)
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=8, decimal_places=4)
    grade = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "round_indicator", "item", "unit"],
                name="one_score_per_cell",
                violation_error_message=_(
                    "这张评议票已经给这个单位的这一项打过分，请在原来的分数上修改。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.value}"


class DistributionSetting(models.Model):
    """Forced distribution on a qualitative indicator that departments score in collection."""

    indicator = models.OneToOneField(
        Indicator,
        on_delete=models.CASCADE,
        related_name="distribution",
        verbose_name=_("指标"),
        error_messages={"unique": _("这项指标已经有强制分布设置，请在原来的设置上修改。")},
    )
    policy = models.CharField(
        _("强制分布"),
        max_length=16,
        choices=DistributionPolicy.choices,
        default=DistributionPolicy.REFUSE,
    )
    high_share = models.DecimalField(
        _("高分比例上限"), max_digits=5, decimal_places=4, default=Decimal("0.3")
    )
    low_share = models.DecimalField(
        _("低分比例下限"), max_digits=5, decimal_places=4, default=Decimal("0.2")
    )
    forbid_full = models.BooleanField(_("不得打满分"), default=True)
    # The bonus–penalty indicator the penalty is booked on (warn-and-penalise).
    penalty_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("扣分计入指标"),
    )

    class Meta:
        verbose_name = _("强制分布设置")
        verbose_name_plural = _("强制分布设置")

    def __str__(self) -> str:
        return f"{self.indicator} · {self.get_policy_display()}"


class DistributionBreach(models.Model):
    """A department's submitted scores broke the distribution (warn-and-penalise).

    Listed for the office as “下年度降低权重或取消评分资格”; the list of a year also shows
    the previous year's breaches, which is how the mark travels to the next scheme.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(CollectionPeriod, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(UnitCategory, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(_("评分单位数"))
    problems = models.JSONField(_("不符合情况"), default=list)
    event = models.ForeignKey(
        "collection.BonusPenaltyEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("强制分布违规")
        verbose_name_plural = _("强制分布违规")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "department", "indicator", "category"],
                name="one_breach_per_submission_scope",
                violation_error_message=_(
                    "这个部门在本周期对这项指标、这个类别的强制分布违规已经记录过，不必重复记录。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.indicator.code} · {self.category}"


class DistributionMark(models.Model):
    """Last year's breach carried into the scheme copied from last year's: the department
    is to have its weight lowered or its scoring authority revoked on that indicator.

    Keyed by the indicator's code, not by a foreign key: the new scheme's tree may be
    edited or re-imported (which replaces its indicator rows) and the mark must stay.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    breach = models.ForeignKey(DistributionBreach, on_delete=models.PROTECT, related_name="marks")
    indicator_code = models.CharField(_("指标编码"), max_length=32)
    department = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_code", "pk"]
        verbose_name = _("强制分布违规标记")
        verbose_name_plural = _("强制分布违规标记")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "breach"],
                name="one_mark_per_breach_and_scheme",
                violation_error_message=_("这条强制分布违规已经带入这个方案，不必重复带入。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.indicator_code}"


from jixiao.evaluation.public_models import (  # noqa: E402  (the public rating's models)
    RatingStatus,
    SatisfactionRating,
    ServiceWindow,
)

__all__ = ["RatingStatus", "SatisfactionRating", "ServiceWindow"]
