"""Forms of the scheme editor. The scoring parameters part of the indicator form is
generated from the engine's method registry (its ParamSpec list) and checked with the
registry's own validate_params."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.core.excel import parse_decimal
from jixiao.core.forms import StyledForm, StyledModelForm, style_widgets
from jixiao.org.models import AssessmentYear, Organization, UnitCategory
from jixiao.scheme.models import Indicator, Scheme
from jixiao.scheme.tree import canonical_params, dec_str
from jixiao.scoring.engine.methods import METHODS, MethodSpec, ParamSpec, method_choices

# The registry has no labels for choice values; these are ours.
CHOICE_LABELS = {
    "fixed": gettext_lazy("固定名次分值（按名次表给分）"),
    "step": gettext_lazy("逐名递减（每低一名减固定分值）"),
    "proportional": gettext_lazy("折合分（本单位值 ÷ 最优值 × 分值）"),
}
PARAM_PREFIX = "param_"
POINTS_PREFIX = "points_"


class SchemeCreateForm(StyledForm):
    year = forms.ModelChoiceField(AssessmentYear.objects.none(), label=gettext_lazy("考核年度"))
    name = forms.CharField(label=gettext_lazy("方案名称"), max_length=200)
    copy_from = forms.ModelChoiceField(
        Scheme.objects.none(),
        label=gettext_lazy("复制自"),
        required=False,
        empty_label=gettext_lazy("不复制，从空白开始"),
        help_text=gettext_lazy("复制整棵指标树：分值、数据采集单位、计分方法与参数。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        free = AssessmentYear.objects.filter(scheme__isnull=True)
        self.fields["year"].queryset = free  # type: ignore[attr-defined]
        self.fields["copy_from"].queryset = Scheme.objects.select_related("year")  # type: ignore[attr-defined]
        first = free.first()
        if first is not None and not self.is_bound:
            self.initial.setdefault("year", first.pk)
            self.initial.setdefault("name", _("%(y)d 年度机关绩效考核方案") % {"y": first.year})
            last = Scheme.objects.filter(year__year__lt=first.year).order_by("-year__year").first()
            if last is not None:
                self.initial.setdefault("copy_from", last.pk)
        style_widgets(self)


class SchemeSettingsForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Scheme
        fields = ["name", "heavy_deduction_share"]
        help_texts = {
            "heavy_deduction_share": gettext_lazy(
                "满分或扣分达到指标分值该比例的数据，须由数据采集单位负责人二次确认（如 0.5）。"
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        style_widgets(self)


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=gettext_lazy("修订原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("修订原因将向全部被考核单位和数据采集单位公开。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("Excel（.xlsx，系统导出的格式）或 JSON（jixiao-scheme 第 1 版）。"),
    )
    reason = forms.CharField(label=gettext_lazy("导入说明"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class MoveForm(StyledForm):
    parent = forms.TypedChoiceField(label=gettext_lazy("移动到"), coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subtree = {indicator.pk}
        frontier = [indicator.pk]
        pairs = list(
            Indicator.objects.filter(scheme=indicator.scheme).values_list("pk", "parent_id")
        )
        while frontier:
            frontier = [pk for pk, parent in pairs if parent in frontier]
            subtree.update(frontier)
        choices: list[tuple[Any, str]] = [(0, _("（作为一级指标）"))]
        for other in Indicator.objects.filter(scheme=indicator.scheme, level__lt=3).order_by(
            "level", "sort_order", "code"
        ):
            if other.pk not in subtree:
                choices.append((other.pk, f"{'　' * (other.level - 1)}{other.code} {other.name}"))
        self.fields["parent"].choices = choices  # type: ignore[attr-defined]
        self.fields["parent"].initial = indicator.parent_id or 0
        self.fields["version"].initial = indicator.version
        style_widgets(self)


# -- scoring parameters ----------------------------------------------------------------


def _initial(spec: ParamSpec, value: Any) -> Any:
    if value is None:
        return spec.default if spec.type == "bool" else None
    if spec.type == "decimal_list" and isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if spec.type == "grade_shares" and isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if spec.type == "tiers" and isinstance(value, list | tuple):
        return "\n".join(
            f"{t.get('min', t.get('max'))} {t.get('share')}" for t in value if isinstance(t, dict)
        )
    return value


def _default_hint(spec: ParamSpec) -> str:
    if spec.default in (None, (), {}):
        return ""
    if isinstance(spec.default, dict):
        text = ", ".join(f"{k}={dec_str(v)}" for k, v in spec.default.items())
    elif isinstance(spec.default, Decimal):
        text = dec_str(spec.default)
    else:
        text = str(spec.default)
    return _("默认：%(d)s") % {"d": text}


def param_field(spec: ParamSpec, value: Any) -> forms.Field:
    initial = _initial(spec, value)
    label = spec.label
    hint = _default_hint(spec)
    attrs: dict[str, str] = {"class": "form-control form-control-sm"}
    if hint:
        attrs["placeholder"] = hint
    field: forms.Field
    if spec.type == "bool":
        field = forms.BooleanField(label=label, required=False, initial=bool(initial))
        field.widget.attrs["class"] = "form-check-input"
        return field
    if spec.type == "choice":
        field = forms.ChoiceField(
            label=label,
            required=spec.required,
            choices=[("", "—")] + [(c, CHOICE_LABELS.get(c, c)) for c in spec.choices],
            initial=initial,
        )
        field.widget.attrs["class"] = "form-select form-select-sm"
        return field
    help_text = {
        "decimal_list": _("用逗号分隔，如：8, 7.5, 7, 6.5（第 1 名、第 2 名……）"),
        "tiers": _("每行一档：门槛 得分比例，如“95 1”表示达到 95 得全部分值"),
        "grade_shares": _("如：A=1, B=0.8, C=0.6, D=0.4"),
    }.get(spec.type, "")
    widget: forms.Widget = (
        forms.Textarea(attrs={**attrs, "rows": 4})
        if spec.type == "tiers"
        else forms.TextInput(attrs)
    )
    return forms.CharField(
        label=label,
        required=spec.required,
        initial=initial,
        widget=widget,
        help_text=help_text,
    )


def _number(text: str, label: str) -> str:
    try:
        number = parse_decimal(text)
    except ValueError as error:
        raise forms.ValidationError(f"{label}：{error}") from error
    if number is None:
        raise forms.ValidationError(_("%(l)s：请填写数字") % {"l": label})
    return dec_str(number)


def parse_param(spec: ParamSpec, raw: Any, lower_is_better: bool) -> Any:
    """The stored value of one parameter from its form input (None when left blank)."""
    if spec.type == "bool":
        return bool(raw)
    if raw in (None, ""):
        return None
    if spec.type == "choice":
        return raw
    if spec.type == "decimal":
        return _number(raw, spec.label)
    if spec.type == "decimal_list":
        return [_number(p, spec.label) for p in re.split(r"[,，、;；\s]+", raw.strip()) if p]
    if spec.type == "grade_shares":
        shares = {}
        for part in re.split(r"[,，、;；\n]+", raw.strip()):
            if not part.strip():
                continue
            grade, sep, value = _split_pair(part)
            if not sep:
                raise forms.ValidationError(
                    _("%(l)s：“%(p)s”应写成“等次=比例”") % {"l": spec.label, "p": part}
                )
            shares[grade.strip()] = _number(value, spec.label)
        return shares
    if spec.type == "tiers":
        bound = "max" if lower_is_better else "min"
        tiers = []
        for line in raw.strip().splitlines():
            parts = [p for p in re.split(r"[\s,，:：→>=≥≤<]+", line.strip()) if p]
            if not parts:
                continue
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("%(l)s：“%(p)s”应写成“门槛 得分比例”") % {"l": spec.label, "p": line}
                )
            tiers.append(
                {bound: _number(parts[0], spec.label), "share": _number(parts[1], spec.label)}
            )
        return tiers
    return raw


def _split_pair(part: str) -> tuple[str, str, str]:
    match = re.match(r"\s*([^=:：＝]+?)\s*([=:：＝])\s*(.+)\s*$", part)
    if not match:
        return part, "", ""
    return match.group(1), match.group(2), match.group(3)


# -- the indicator form ------------------------------------------------------------------


class IndicatorForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    method = forms.ChoiceField(label=gettext_lazy("计分方法"), required=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "kind",
            "is_qualitative",
            "owner",
            "period",
            "must_report",
            "method",
            "bonus_cap",
            "penalty_cap",
            "standard",
            "description",
            "units",
        ]
        widgets = {
            "standard": forms.Textarea(attrs={"rows": 4}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(
        self, *args: Any, scheme: Scheme, categories: list[UnitCategory], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.categories = categories
        method_field: Any = self.fields["method"]
        method_field.choices = [
            ("", _("—（非末级指标、加扣分指标不设）")),
            *method_choices(),
        ]
        self.fields["method"].initial = self.instance.method
        self.fields["owner"].queryset = Organization.objects.departments()  # type: ignore[attr-defined]
        self.fields["owner"].label = _("数据采集单位")
        self.fields["units"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            enrollments__year=scheme.year
        ).order_by("enrollments__category__sort_order", "sort_order", "code")
        self.fields["units"].help_text = _("不选表示适用于所适用类别的全部单位；按住 Ctrl 可多选。")
        self.fields["version"].initial = self.instance.version
        existing = (
            {p.category_id: p.points for p in self.instance.points.all()}
            if self.instance.pk
            else {}
        )
        self.points_fields = []
        for category in categories:
            name = f"{POINTS_PREFIX}{category.code}"
            self.fields[name] = forms.DecimalField(
                label=_("%(c)s分值") % {"c": category.name},
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=4,
                initial=existing.get(category.pk),
                help_text=_("满分 %(s)d；留空表示不适用于该类别") % {"s": category.scale},
            )
            self.points_fields.append(name)
        self.method_code = (
            self.data.get(self.add_prefix("method")) if self.is_bound else None
        ) or (self.instance.method)
        self.spec: MethodSpec | None = METHODS.get(self.method_code or "")
        self.param_names: list[str] = []
        if self.spec is not None:
            current = self.instance.params if self.instance.method == self.spec.code else {}
            for param in self.spec.params:
                name = f"{PARAM_PREFIX}{param.name}"
                self.fields[name] = param_field(param, current.get(param.name))
                self.param_names.append(name)
        style_widgets(self)
        for name in self.param_names:
            widget = self.fields[name].widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            else:
                widget.attrs["class"] = widget.attrs.get("class", "") + " form-control-sm"

    def points_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in self.points_fields]

    def params_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in self.param_names]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        points = {
            name.removeprefix(POINTS_PREFIX): cleaned[name]
            for name in self.points_fields
            if cleaned.get(name) is not None
        }
        cleaned["points"] = points
        params: dict[str, Any] = {}
        spec = self.spec
        if spec is not None:
            lower = bool(cleaned.get(f"{PARAM_PREFIX}lower_is_better"))
            for param in spec.params:
                name = f"{PARAM_PREFIX}{param.name}"
                if name not in cleaned and param.type != "bool":
                    continue
                try:
                    value = parse_param(param, cleaned.get(name), lower)
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    continue
                if value is not None:
                    params[param.name] = value
            params = canonical_params(spec.code, params)
            messages: list[str] = []
            for value in [*points.values()] or [None]:
                for message in spec.validate_params(params, value):
                    if message not in messages:
                        messages.append(message)
            for message in messages:
                self.add_error(None, message)
        cleaned["params"] = params
        return cleaned
