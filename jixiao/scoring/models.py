"""Computation runs (计分版本) and their stored results (成绩).

A run is one computation of a year's scores. It stores, per category, the scheme tree
and the engine input it used (`RunCategory`, a compact binary snapshot), and per unit
one `UnitResult` row whose node scores are a binary vector of integers in 10**-4 points
(`fields.NodeScoresField`), aligned with `RunCategory.node_codes`. Explanations are
rebuilt from the snapshot by the pure engine, deterministically, so they always
describe exactly the published figures even if an entry changes later.

The office publishes one run; a published run is frozen: its results can be neither
updated nor deleted (the models refuse in Python; on PostgreSQL triggers refuse too,
see migration 0002). A later computation is a new run, compared with the published one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import AssessmentYear, Organization, UnitCategory
from jixiao.scoring.fields import NodeScoresField


class FrozenResultError(Exception):
    """A published (or superseded) run's results cannot change."""

    def __init__(self) -> None:
        super().__init__(str(_("已发布的计分结果不可修改或删除；请重新计算生成新版本。")))


class RunStatus(models.TextChoices):
    COMPUTED = "computed", _("已计算（未发布）")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本取代")


FROZEN_STATUSES = (RunStatus.PUBLISHED, RunStatus.SUPERSEDED)


class RankingsAudience(models.TextChoices):
    """Who may read a published run's rankings (each unit always sees its own card)."""

    LEADERS = "leaders", _("仅绩效办和领导")
    UNITS = "units", _("同时向被考核单位公布本类别排名")


class ScoreRunQuerySet(models.QuerySet["ScoreRun"]):
    def published(self) -> ScoreRunQuerySet:
        return self.filter(status=RunStatus.PUBLISHED)


class ScoreRun(models.Model):
    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, related_name="score_runs")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.COMPUTED
    )
    rankings_audience = models.CharField(
        _("排名公布范围"),
        max_length=16,
        choices=RankingsAudience.choices,
        default=RankingsAudience.LEADERS,
    )
    # The run published when this one was computed: what its diff is against.
    compared_with = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fingerprint = models.CharField(_("输入指纹"), max_length=64)
    unit_count = models.PositiveIntegerField(_("单位数"), default=0)
    missing_count = models.PositiveIntegerField(_("缺报数据项"), default=0)
    # {"changed": n, "moved": n, "added": n, "removed": n} against `compared_with`.
    summary = models.JSONField(_("变化概要"), default=dict, blank=True)
    duration_ms = models.PositiveIntegerField(_("计算耗时（毫秒）"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最近更新"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScoreRunQuerySet.as_manager()

    class Meta:
        ordering = ["-year__year", "-number"]
        verbose_name = _("计分版本")
        verbose_name_plural = _("计分版本")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                name="run_number_per_year",
                violation_error_message=_("本年度已有这个版本号的计分结果，请刷新页面后重试。"),
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(status="published"),
                name="one_published_run_per_year",
                violation_error_message=_(
                    "本年度已有一个已发布的计分结果；发布新版本时，原版本会被它取代。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.year} 第 {self.number} 版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = (
                ScoreRun.objects.filter(pk=self.pk)
                .values_list("status", "fingerprint", "number", "year_id")
                .first()
            )
            # Only publication attributes may move on a frozen run.
            if (
                stored is not None
                and stored[0] in FROZEN_STATUSES
                and (
                    stored[1:] != (self.fingerprint, self.number, self.year_id)
                    or self.status == RunStatus.COMPUTED
                )
            ):
                raise FrozenResultError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.is_frozen:
            raise FrozenResultError()
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def is_published(self) -> bool:
        return self.status == RunStatus.PUBLISHED


class FrozenGuardQuerySet(models.QuerySet[Any]):
    """Bulk update/delete refuse rows of published runs."""

    run_path = "run"

    def _touches_frozen(self) -> bool:
        return self.filter(**{f"{self.run_path}__status__in": FROZEN_STATUSES}).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_frozen():
            raise FrozenResultError()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_frozen():
            raise FrozenResultError()
        return super().delete()


class RunCategory(models.Model):
    """One category of a run: the tree and the engine input it was computed from."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="categories")
    category = models.ForeignKey(UnitCategory, on_delete=models.PROTECT, related_name="+")
    scale = models.DecimalField(_("满分"), max_digits=8, decimal_places=2)
    # The engine's tree (list of node dicts, display order) plus each node's owner id.
    tree = models.JSONField(_("指标树"))
    node_codes = models.JSONField(_("节点顺序"))
    # Grade / award / warning rules used (see jixiao.scoring.outcomes).
    rules = models.JSONField(_("结果规则"), default=dict)
    # Column layout of `data` (see jixiao.scoring.snapshot).
    layout = models.JSONField(_("数据布局"), default=dict)
    data = models.BinaryField(_("计分输入快照"))
    # Entries changed since the snapshot was written (incremental recompute), applied on
    # load: [[unit, indicator, {input: value} or null, entry id], ...]
    patches = models.JSONField(_("增量变更"), default=list, blank=True)
    # sha256 of tree, rules, layout and data (chained with each patch): the run's
    # fingerprint is built from these.
    digest = models.CharField(_("摘要"), max_length=64, default="")
    unit_count = models.PositiveIntegerField(_("单位数"), default=0)

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["run", "category__sort_order", "category__code"]
        verbose_name = _("版本类别")
        verbose_name_plural = _("版本类别")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "category"],
                name="one_run_category",
                violation_error_message=_("同一版本的计分结果中，每个考核类别只出现一次。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.category}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self.run.is_frozen:
            raise FrozenResultError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.run.is_frozen:
            raise FrozenResultError()
        return super().delete(*args, **kwargs)


# A run category's engine input and its patches: about 5 KB a unit, so megabytes for a
# province's category, needed only to recompute or explain (read then on first use). A
# result read with its category leaves them: `.defer(*CATEGORY_SNAPSHOT)`.
CATEGORY_SNAPSHOT = ("run_category__data", "run_category__patches")


class UnitResult(models.Model):
    """A unit's result in one run: total, rank, grade, awards, warnings and node scores."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="results")
    run_category = models.ForeignKey(RunCategory, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("总分"), max_digits=12, decimal_places=2)
    total_exact = models.DecimalField(_("精确总分"), max_digits=16, decimal_places=4)
    rank = models.PositiveIntegerField(_("名次"))
    position = models.PositiveIntegerField(_("序号"))
    units_in_category = models.PositiveIntegerField(_("类别单位数"))
    grade = models.CharField(_("等次"), max_length=16, blank=True)
    # [[award, reason], ...] and [[kind, message], ...]
    awards = models.JSONField(_("奖项"), default=list, blank=True)
    warnings = models.JSONField(_("预警"), default=list, blank=True)
    # {kind: "12.3456"}: per indicator type (共性 / 个性 / 加扣分 / 评议)
    subtotals = models.JSONField(_("分类得分"), default=dict)
    # Node scores in 10**-4 points, aligned with run_category.node_codes; stored as a
    # binary vector, read back as a list of ints (see jixiao.scoring.fields).
    scores = NodeScoresField(_("各指标得分"), default=list)
    missing = models.JSONField(_("缺报指标"), default=list, blank=True)
    last_total = models.DecimalField(
        _("上年总分"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    last_rank = models.PositiveIntegerField(_("上年名次"), null=True, blank=True)

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["run", "run_category", "position"]
        verbose_name = _("单位成绩")
        verbose_name_plural = _("单位成绩")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "unit"],
                name="one_result_per_unit_run",
                violation_error_message=_("同一版本的计分结果中，每个单位只有一条成绩。"),
            ),
        ]
        indexes = [models.Index(fields=["run_category", "position"])]

    def __str__(self) -> str:
        return f"{self.run} · {self.unit_id} · {self.total}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if ScoreRun.objects.filter(pk=self.run_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenResultError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if ScoreRun.objects.filter(pk=self.run_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenResultError()
        return super().delete(*args, **kwargs)

    @property
    def rank_change(self) -> int | None:
        """Places risen since last year (positive = up)."""
        return None if self.last_rank is None else self.last_rank - self.rank

    @property
    def total_change(self) -> Decimal | None:
        return None if self.last_total is None else self.total - self.last_total


class CategoryRules(models.Model):
    """Result rules of one category (结果运用规则); defaults apply where none is set."""

    category = models.OneToOneField(
        UnitCategory,
        on_delete=models.CASCADE,
        related_name="result_rules",
        verbose_name=_("考核类别"),
        error_messages={"unique": _("这个类别已有结果规则，请在原规则上修改。")},
    )
    excellent_share = models.DecimalField(
        _("优秀比例"), max_digits=5, decimal_places=4, default=Decimal("0.3000")
    )
    fourth_grade_count = models.PositiveSmallIntegerField(
        _("第四等次（后N名）"), default=0, help_text=_("0 表示不设第四等次")
    )
    fourth_grade_below = models.DecimalField(
        _("第四等次（低于分数）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    model_count = models.PositiveSmallIntegerField(_("标兵名额"), default=1)
    advance_count = models.PositiveSmallIntegerField(_("争先名额"), default=1)
    warning_bottom = models.PositiveSmallIntegerField(_("预警后N位"), default=2)
    # 良好: the next units up to this cumulative share (e.g. 0.80); none: no 良好 grade.
    good_share = models.DecimalField(
        _("良好累计比例"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    advance_min_rise = models.PositiveSmallIntegerField(_("争先最少上升名次"), default=1)
    warn_consecutive = models.BooleanField(_("连续两年后列预警"), default=True)
    # 考核系数 (YQ): award = base × grade coefficient × category factor.
    award_base = models.DecimalField(
        _("奖励基数（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    category_factor = models.DecimalField(
        _("类别系数"), max_digits=6, decimal_places=4, default=Decimal("1.0000")
    )
    coefficient_excellent = models.DecimalField(
        _("优秀系数"), max_digits=6, decimal_places=4, default=Decimal("1.2000")
    )
    coefficient_good = models.DecimalField(
        _("良好系数"), max_digits=6, decimal_places=4, default=Decimal("1.1000")
    )
    coefficient_pass = models.DecimalField(
        _("合格系数"), max_digits=6, decimal_places=4, default=Decimal("1.0000")
    )
    coefficient_fourth = models.DecimalField(
        _("第四等次系数"), max_digits=6, decimal_places=4, default=Decimal("0.8000")
    )
    last_place_zero = models.BooleanField(_("末位零绩效"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("结果运用规则")
        verbose_name_plural = _("结果运用规则")

    def __str__(self) -> str:
        return f"{self.category} 结果规则"


class YearRules(models.Model):
    """Year-wide result rules: quarterly accumulation (季度积分, TX). Kept here rather than
    on the scheme: year total = Σ weight × quarter total when `quarterly` is on."""

    year = models.OneToOneField(
        AssessmentYear,
        on_delete=models.CASCADE,
        related_name="result_rules",
        verbose_name=_("考核年度"),
        error_messages={"unique": _("这个年度已有年度规则，请在原规则上修改。")},
    )
    quarterly = models.BooleanField(_("季度积分"), default=False)
    # Four weights adding up to 1, e.g. ["0.25", "0.25", "0.25", "0.25"].
    quarter_weights = models.JSONField(_("季度权重"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("年度结果规则")
        verbose_name_plural = _("年度结果规则")

    def __str__(self) -> str:
        return f"{self.year} 年度结果规则"


class GapKind(models.TextChoices):
    """Why a unit has no counting figure for a leaf in a run (shown on its card)."""

    MISSING = "missing", _("未报送")
    PENDING = "pending", _("未审定")


class GapAcknowledgement(models.Model):
    """The office has seen that a unit has no counting figure for an indicator in a run
    (no entry, or a newer one still in review) and says why it publishes anyway. Every
    such gap needs one before the run is published; the card shows it. Frozen with the
    run: once it is published these rows cannot change."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="gap_acks")
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("被考核单位")
    )
    indicator_code = models.CharField(_("指标编码"), max_length=32)
    kind = models.CharField(_("情形"), max_length=16, choices=GapKind.choices)
    reason = models.TextField(_("原因"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), auto_now=True)

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["run", "unit", "indicator_code"]
        verbose_name = _("缺报确认")
        verbose_name_plural = _("缺报确认")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "unit", "indicator_code"],
                name="one_gap_ack_per_run_unit_leaf",
                violation_error_message=_(
                    "本次计分已经确认过这个单位这项指标的缺报情况，请在原来的确认上修改。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.indicator_code} · {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if ScoreRun.objects.filter(pk=self.run_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenResultError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if ScoreRun.objects.filter(pk=self.run_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenResultError()
        return super().delete(*args, **kwargs)
