"""Forms of the 三定 duties and negative-list pages (the spot-check pages post plain fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.collection.models import BonusPenaltyEvent
from jixiao.core.forms import StyledForm, StyledModelForm
from jixiao.core.values import validate_text
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator, IndicatorKind, Scheme
from jixiao.verification.models import NegativeItem


class DutyImportForm(StyledForm):
    file = forms.FileField(label=_("三定职责表（Excel 或 CSV）"))


class NegativeItemForm(StyledModelForm):
    class Meta:
        model = NegativeItem
        fields = ["name", "indicator", "points", "cap", "description", "sort_order", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.scheme = scheme
        field: Any = self.fields["indicator"]
        field.queryset = (
            Indicator.objects.filter(
                scheme=scheme, kind=IndicatorKind.BONUS_PENALTY, children__isnull=True
            )
            .select_related("owner")
            .order_by("sort_order", "code")
        )
        field.label_from_instance = lambda i: f"{i.code} {i.name}（{i.owner or '—'}）"
        self.fields["description"].validators.append(validate_text)


class NegativeEventForm(StyledForm):
    unit = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("被考核单位"))
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document_number = forms.CharField(
        label=_("依据文号"),
        max_length=BonusPenaltyEvent._meta.get_field("document_number").max_length,
        required=False,
    )
    description = forms.CharField(
        label=_("事由"), widget=forms.Textarea(attrs={"rows": 2}), validators=[validate_text]
    )
    file = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.queryset = units
