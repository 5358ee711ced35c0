"""Forms of the observers pages: they parse and offer choices; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.forms import StyledForm
from jixiao.core.values import validate_text
from jixiao.observers.access import points_for_observer, units_for_observer
from jixiao.observers.models import ObservationPoint, Rating
from jixiao.org.models import Organization


class PointForm(StyledForm):
    unit = forms.ModelChoiceField(
        label=_("被考核单位"), queryset=Organization.objects.assessed_units().order_by("code")
    )
    name = forms.CharField(label=_("观测点名称"), max_length=100, validators=[validate_text])
    address = forms.CharField(
        label=_("地址"), max_length=200, required=False, validators=[validate_text]
    )
    focus = forms.CharField(
        label=_("观察内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )


class AssignmentForm(StyledForm):
    observer = forms.ModelChoiceField(
        label=_("观察员"),
        queryset=User.objects.filter(role=Role.OBSERVER, is_active=True).order_by("username"),
    )
    unit = forms.ModelChoiceField(
        label=_("被考核单位"), queryset=Organization.objects.assessed_units().order_by("code")
    )
    point = forms.ModelChoiceField(
        label=_("观测点"),
        queryset=ObservationPoint.objects.filter(is_active=True).select_related("unit"),
        required=False,
        empty_label=_("该单位全部观测点"),
    )


class ObservationForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("被考核单位"), queryset=Organization.objects.none())
    point = forms.ModelChoiceField(
        label=_("观测点"),
        queryset=ObservationPoint.objects.none(),
        required=False,
        empty_label=_("（不指定观测点）"),
    )
    observed_on = forms.DateField(
        label=_("观察日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    rating = forms.TypedChoiceField(
        label=_("评价"), choices=Rating.choices, coerce=int, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("观察意见"),
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_text],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, observer: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_observer(observer)  # type: ignore[attr-defined]
        self.fields["point"].queryset = points_for_observer(observer)  # type: ignore[attr-defined]
        self.fields["rating"].widget.attrs["class"] = "form-check-input"


class ReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}), validators=[validate_text]
    )
