"""Result rules editable by the office (结果运用规则): per category grades, awards,
warnings and award coefficients (`CategoryRules`), per year quarterly accumulation
(`YearRules`). Forms validate with Chinese messages; the actions save with optimistic
locking and write their audit record in the same transaction. The next computation
uses the saved rules (`actions._rules_by_category`, `quarterly.year_rules`); runs
already computed keep the rules stored with them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.audit.records import record_create, record_update, snapshot
from jixiao.core.concurrency import EditConflict, save_versioned
from jixiao.core.excel import parse_decimal
from jixiao.core.forms import StyledForm
from jixiao.org.models import AssessmentYear, UnitCategory
from jixiao.scoring.models import CategoryRules, YearRules

CATEGORY_FIELDS = (
    "excellent_share",
    "good_share",
    "fourth_grade_count",
    "fourth_grade_below",
    "model_count",
    "advance_count",
    "advance_min_rise",
    "warning_bottom",
    "warn_consecutive",
    "award_base",
    "category_factor",
    "coefficient_excellent",
    "coefficient_good",
    "coefficient_pass",
    "coefficient_fourth",
    "last_place_zero",
)
YEAR_FIELDS = ("quarterly", "quarter_weights")
MAX_COEFFICIENT = Decimal(10)


class NumberField(forms.CharField):
    """A decimal typed as people type it ("30%", "1,200", full-width digits)."""

    def __init__(
        self, *, places: int = 4, minimum: Decimal | None = Decimal(0), **kwargs: Any
    ) -> None:
        self.places = places
        self.minimum = minimum
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            number = parse_decimal(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if number is None:
            return None
        if number.as_tuple().exponent < -self.places:  # type: ignore[operator]
            raise forms.ValidationError(_("最多 %(n)d 位小数") % {"n": self.places}, code="places")
        if self.minimum is not None and number < self.minimum:
            raise forms.ValidationError(_("不能小于 %(m)s") % {"m": self.minimum})
        return number


def share_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{(value * 100).normalize():f}%"


class CategoryRulesForm(StyledForm):
    excellent_share = NumberField(
        label=gettext_lazy("优秀比例"),
        required=True,
        help_text=gettext_lazy("类别内前 N% 评为优秀，如 30%（荔湾：各类别按 30% 比例评优）"),
    )
    good_share = NumberField(
        label=gettext_lazy("良好累计比例"),
        help_text=gettext_lazy("含优秀在内的前 N% 中非优秀者评为良好，如 80%；留空则不设良好"),
    )
    fourth_grade_count = forms.IntegerField(
        label=gettext_lazy("第四等次：后 N 名"),
        min_value=0,
        max_value=1000,
        help_text=gettext_lazy("0 表示不按名次确定第四等次（泰兴）"),
    )
    fourth_grade_below = NumberField(
        label=gettext_lazy("第四等次：总分低于"),
        places=2,
        help_text=gettext_lazy("总分低于该分数的单位为第四等次；留空则不按分数确定"),
    )
    model_count = forms.IntegerField(label=gettext_lazy("标兵名额"), min_value=0, max_value=1000)
    advance_count = forms.IntegerField(
        label=gettext_lazy("争先名额"),
        min_value=0,
        max_value=1000,
        help_text=gettext_lazy("排名较上年上升最多的单位（张家港）"),
    )
    advance_min_rise = forms.IntegerField(
        label=gettext_lazy("争先最少上升名次"), min_value=1, max_value=1000
    )
    warning_bottom = forms.IntegerField(
        label=gettext_lazy("预警：后 N 位"),
        min_value=0,
        max_value=1000,
        help_text=gettext_lazy(
            "后 N 位（并列的一并计入）取消评优资格、诫勉谈话；类别内单位不超过 N 个"
            "或全部并列时不预警，也不取消评优资格；0 表示不预警"
        ),
    )
    warn_consecutive = forms.BooleanField(
        label=gettext_lazy("连续两年位居后列时组织处理预警"),
        required=False,
        help_text=gettext_lazy("上年已发布结果中按上年规则受到后 N 位预警、本年再次预警的单位"),
    )
    award_base = NumberField(
        label=gettext_lazy("奖励基数（元）"),
        places=2,
        help_text=gettext_lazy("奖励金额 = 奖励基数 × 等次系数 × 类别系数；留空则不计算奖励金额"),
    )
    category_factor = NumberField(
        label=gettext_lazy("类别系数"),
        required=True,
        help_text=gettext_lazy("一线部门可高于 1，如 1.2（阳泉）"),
    )
    coefficient_excellent = NumberField(label=gettext_lazy("优秀系数"), required=True)
    coefficient_good = NumberField(label=gettext_lazy("良好系数"), required=True)
    coefficient_pass = NumberField(label=gettext_lazy("合格系数"), required=True)
    coefficient_fourth = NumberField(label=gettext_lazy("第四等次系数"), required=True)
    last_place_zero = forms.BooleanField(
        label=gettext_lazy("末位零绩效（类别末位单位系数为 0）"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=gettext_lazy("修改说明"), required=False, max_length=200)

    def __init__(self, *args: Any, category: UnitCategory, **kwargs: Any) -> None:
        self.category = category
        super().__init__(*args, **kwargs)

    def clean_excellent_share(self) -> Decimal:
        value = self.cleaned_data["excellent_share"]
        if value is None or not Decimal(0) < value <= 1:
            raise forms.ValidationError(_("优秀比例应大于 0 且不超过 100%"))
        return value

    def clean_good_share(self) -> Decimal | None:
        value = self.cleaned_data.get("good_share")
        if value is not None and not Decimal(0) < value <= 1:
            raise forms.ValidationError(_("良好累计比例应大于 0 且不超过 100%"))
        return value

    def clean_fourth_grade_below(self) -> Decimal | None:
        value = self.cleaned_data.get("fourth_grade_below")
        if value is not None and value > self.category.scale:
            raise forms.ValidationError(
                _("分数不能高于本类别满分 %(s)s") % {"s": self.category.scale}
            )
        return value

    def clean_category_factor(self) -> Decimal:
        value = self.cleaned_data["category_factor"]
        if value is None or not Decimal(0) < value <= MAX_COEFFICIENT:
            raise forms.ValidationError(_("类别系数应大于 0 且不超过 10"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        excellent, good = data.get("excellent_share"), data.get("good_share")
        if excellent is not None and good is not None and good <= excellent:
            self.add_error("good_share", _("良好累计比例必须大于优秀比例（累计比例含优秀）"))
        for name in ("coefficient_excellent", "coefficient_good", "coefficient_pass"):
            value = data.get(name)
            if value is not None and value > MAX_COEFFICIENT:
                self.add_error(name, _("系数不能超过 10"))
        fourth = data.get("coefficient_fourth")
        if fourth is not None and fourth > MAX_COEFFICIENT:
            self.add_error("coefficient_fourth", _("系数不能超过 10"))
        ordered = [data.get(n) for n in ("coefficient_excellent", "coefficient_good")]
        ordered += [data.get(n) for n in ("coefficient_pass", "coefficient_fourth")]
        if all(v is not None for v in ordered) and ordered != sorted(ordered, reverse=True):  # type: ignore[type-var]
            self.add_error(None, _("等次系数应逐级不增：优秀 ≥ 良好 ≥ 合格 ≥ 第四等次"))
        return data


def category_initial(rules: CategoryRules | None) -> dict[str, Any]:
    """Form initial values from stored rules or, if none, the model defaults."""
    source = rules or CategoryRules()
    initial: dict[str, Any] = {name: getattr(source, name) for name in CATEGORY_FIELDS}
    initial["excellent_share"] = share_text(source.excellent_share)
    initial["good_share"] = share_text(source.good_share)
    initial["version"] = rules.version if rules is not None else 0
    return initial


def weights_text(weights: list[Any]) -> str:
    return " / ".join(share_text(Decimal(str(w))) for w in weights)


class YearRulesForm(StyledForm):
    quarterly = forms.BooleanField(
        label=gettext_lazy("年度成绩 = 各季度成绩按权重累计（季度积分）"), required=False
    )
    weights = forms.CharField(
        label=gettext_lazy("季度权重"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "四个季度的权重，合计 100%，用“/”或逗号分隔，如 25/25/25/25 或 20%/20%/20%/40%"
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=gettext_lazy("修改说明"), required=False, max_length=200)

    def clean_weights(self) -> list[str]:
        text = self.cleaned_data.get("weights", "").strip()
        if not text:
            return []
        parts = [p for p in text.replace("，", ",").replace("/", ",").split(",") if p.strip()]
        if len(parts) != 4:
            raise forms.ValidationError(_("请填写四个季度的权重"))
        values = []
        for part in parts:
            try:
                number = parse_decimal(part.strip(), percent=True)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
            if number is None or number < 0:
                raise forms.ValidationError(_("季度权重不能为负数"))
            values.append(number)
        # Written as percentages (25 or 25%) or as fractions (0.25).
        if sum(values) == 100:
            values = [v / 100 for v in values]
        if sum(values) != 1:
            raise forms.ValidationError(_("四个季度的权重合计必须为 100%"))
        if any(v.as_tuple().exponent < -4 for v in values):  # type: ignore[operator]
            raise forms.ValidationError(_("季度权重最多精确到 0.01%"))
        return [str(v.normalize()) for v in values]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("quarterly") and not data.get("weights") and "weights" not in self.errors:
            self.add_error("weights", _("启用季度积分时必须填写季度权重"))
        return data


def year_initial(rules: YearRules | None) -> dict[str, Any]:
    if rules is None:
        return {"quarterly": False, "weights": "25/25/25/25", "version": 0}
    return {
        "quarterly": rules.quarterly,
        "weights": weights_text(rules.quarter_weights) if rules.quarter_weights else "",
        "version": rules.version,
    }


def _conflict(obj: Any) -> EditConflict:
    return EditConflict(obj)


def save_category_rules(
    category: UnitCategory, values: dict[str, Any], expected_version: int, reason: str = ""
) -> CategoryRules:
    """Create or update a category's rules; raises EditConflict if someone else saved
    them since the form was rendered (`expected_version` 0 = there were none)."""
    values = {name: values[name] for name in CATEGORY_FIELDS}
    with transaction.atomic():
        existing = (
            CategoryRules.objects.select_for_update(of=("self",)).filter(category=category).first()
        )
        if existing is None:
            if expected_version != 0:
                raise _conflict(CategoryRules(category=category))
            rules = CategoryRules(category=category, **values)
            try:
                with transaction.atomic():
                    rules.save()
            except IntegrityError as error:  # created concurrently
                raise _conflict(rules) from error
            record_create(rules, reason=reason)
            return rules
        if existing.version != expected_version:
            raise _conflict(existing)
        before = snapshot(existing, CATEGORY_FIELDS)
        for name, value in values.items():
            setattr(existing, name, value)
        save_versioned(existing, expected_version, CATEGORY_FIELDS)
        # As stored (decimal places), so that only real changes are recorded.
        existing.refresh_from_db(fields=CATEGORY_FIELDS)
        record_update(existing, before, reason=reason)
        return existing


def save_year_rules(
    year: AssessmentYear, values: dict[str, Any], expected_version: int, reason: str = ""
) -> YearRules:
    quarterly = bool(values.get("quarterly"))
    weights = list(values.get("weights") or [])
    with transaction.atomic():
        existing = YearRules.objects.select_for_update(of=("self",)).filter(year=year).first()
        if existing is None:
            if expected_version != 0:
                raise _conflict(YearRules(year=year))
            rules = YearRules(year=year, quarterly=quarterly, quarter_weights=weights)
            try:
                with transaction.atomic():
                    rules.save()
            except IntegrityError as error:
                raise _conflict(rules) from error
            record_create(rules, reason=reason)
            return rules
        if existing.version != expected_version:
            raise _conflict(existing)
        before = snapshot(existing, YEAR_FIELDS)
        existing.quarterly = quarterly
        existing.quarter_weights = weights
        save_versioned(existing, expected_version, YEAR_FIELDS)
        record_update(existing, before, reason=reason)
        return existing
