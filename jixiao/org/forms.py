from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.core.forms import StyledModelForm
from jixiao.org.actions import ORG_FIELDS
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment


class OrganizationForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = list(ORG_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if self.instance.pk:
            # Codes are the stable key of imports and exports: never changed in place.
            self.fields["code"].disabled = True


class YearForm(StyledModelForm):
    class Meta:
        model = AssessmentYear
        fields = ["year", "name", "is_current"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class CategoryForm(StyledModelForm):
    class Meta:
        model = UnitCategory
        fields = ["code", "name", "scale", "sort_order"]

    def __init__(self, *args: Any, year: AssessmentYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.year = year


class EnrollmentForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = UnitEnrollment
        fields = ["unit", "category", "staffing"]

    def __init__(self, *args: Any, year: AssessmentYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.year = year
        self.fields["version"].initial = self.instance.version
        self.fields["category"].queryset = UnitCategory.objects.filter(year=year)  # type: ignore[attr-defined]
        taken = (
            UnitEnrollment.objects.filter(year=year).exclude(pk=self.instance.pk).values("unit_id")
        )
        self.fields["unit"].queryset = Organization.objects.assessed_units().exclude(pk__in=taken)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["unit"].disabled = True


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用“下载模板”得到的 .xlsx 文件；也接受 UTF-8 或 GBK 编码的 .csv。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )
