from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates can render fields plainly."""

    def style_fields(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control"


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organization
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "is_department",
            "is_assessed_unit",
            "is_active",
            "sort_order",
            "contact",
            "phone",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if self.instance.pk:
            # Codes are the stable key of imports and exports: never changed in place.
            self.fields["code"].disabled = True
        self.style_fields()


class YearForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AssessmentYear
        fields = ["year", "name", "is_current"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class CategoryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = UnitCategory
        fields = ["code", "name", "scale", "sort_order"]

    def __init__(self, *args: Any, year: AssessmentYear, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.year = year
        self.style_fields()


class EnrollmentForm(StyledFormMixin, forms.ModelForm):
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
        self.style_fields()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用“下载模板”得到的 .xlsx 文件；也接受 UTF-8 或 GBK 编码的 .csv。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )
