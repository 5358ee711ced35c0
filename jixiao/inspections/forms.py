from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.core.forms import StyledForm
from jixiao.core.values import validate_text
from jixiao.inspections.models import LatePolicy, TargetKind
from jixiao.org.models import AssessmentYear, Organization, UnitCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InspectionForm(StyledForm):
    name = forms.CharField(label=_("检查名称"), max_length=200, validators=[validate_text])
    content = forms.CharField(
        label=_("检查内容"),
        max_length=2000,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_kind = forms.ChoiceField(label=_("检查对象"), choices=TargetKind.choices)
    units = forms.ModelMultipleChoiceField(
        label=_("被检查单位"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl 可多选；检查对象为整个考核类别时不必选择"),
    )
    category = forms.ModelChoiceField(
        label=_("考核类别"), queryset=UnitCategory.objects.none(), required=False
    )
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, year: AssessmentYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Organization.objects.assessed_units().order_by(  # type: ignore[attr-defined]
            "sort_order", "code"
        )
        self.fields["category"].queryset = UnitCategory.objects.filter(year=year)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        if data.get("target_kind") == TargetKind.CATEGORY and not data.get("category"):
            self.add_error("category", _("检查对象为整个考核类别时须选择类别。"))
        if data.get("target_kind") == TargetKind.UNITS and not data.get("units"):
            self.add_error("units", _("请至少选择一个被检查单位。"))
        return data


class SettingsForm(StyledForm):
    lead_working_days = forms.IntegerField(label=_("提前登记工作日数"), min_value=1, max_value=120)
    late_policy = forms.ChoiceField(label=_("逾期登记处理"), choices=LatePolicy.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=_("日期"), widget=DATE)
    is_workday = forms.TypedChoiceField(
        label=_("类型"),
        choices=[("0", _("休息日")), ("1", _("工作日"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("说明"), max_length=100, required=False, validators=[validate_text]
    )


class UnregisteredForm(StyledForm):
    department = forms.ModelChoiceField(
        label=_("检查部门"), queryset=Organization.objects.departments().order_by("code")
    )
    name = forms.CharField(label=_("检查名称"), max_length=200, validators=[validate_text])
    start = forms.DateField(label=_("开始日期"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("说明"),
        max_length=2000,
        required=False,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class UploadForm(StyledForm):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用“下载模板”得到的 .xlsx 文件；也接受 UTF-8 或 GBK 编码的 .csv。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
