from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.collection.evidence import ALLOWED_HINT
from jixiao.collection.models import (
    BonusPenaltyEvent,
    CollectionPeriod,
    RecheckOutcome,
)
from jixiao.core.forms import StyledForm, StyledModelForm
from jixiao.core.values import REASON_MAX_LENGTH, validate_text
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator, Scheme

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CollectionPeriod
        fields = [
            "scheme",
            "kind",
            "code",
            "name",
            "starts_on",
            "ends_on",
            "deadline",
            "recheck_days",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "deadline": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.select_related("year")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            for name in ("scheme", "kind", "code"):
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        deadline = data.get("deadline")
        if ends and deadline and timezone.localtime(deadline).date() < ends:
            # Entry would close before the period's data exists: a typo, never intended.
            self.add_error(
                "deadline",
                _(
                    "填报截止时间（%(d)s）早于周期结束日期（%(e)s）：周期还没结束就截止填报了。"
                    "请把截止时间设在结束日期当天或之后。"
                )
                % {"d": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"), "e": ends},
            )
        return data


def reason_field(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    """A free-text reason: one length limit and no control characters, everywhere."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX_LENGTH,
        validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ExceptionForm(StyledForm):
    department = forms.ModelChoiceField(Organization.objects.departments(), label=_("数据采集单位"))
    until = forms.DateTimeField(label=_("延期至"), widget=DATETIME)
    reason = reason_field(_("延期理由"), rows=2)


class EvidenceForm(StyledForm):
    file = forms.FileField(label=_("佐证材料"), help_text=ALLOWED_HINT)


class UploadForm(StyledForm):
    file = forms.FileField(
        label=_("填好的 Excel 模板（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class RecheckForm(StyledForm):
    reason = reason_field(_("复核理由"))
    file = forms.FileField(label=_("佐证材料（可选）"), required=False, help_text=ALLOWED_HINT)


class AnswerForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("答复结果"), choices=RecheckOutcome.choices, widget=forms.RadioSelect
    )
    answer = reason_field(_("答复意见"))
    value = forms.CharField(label=_("新的数值"), required=False)
    reference = forms.CharField(label=_("新的基准值"), required=False)
    grade = forms.CharField(label=_("新的等次"), required=False)
    new_reason = reason_field(_("新的计分说明"), required=False, rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"


class BonusEventForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = reason_field(_("事由"))

    class Meta:
        model = BonusPenaltyEvent
        fields = ["indicator", "unit", "points", "document_number", "occurred_on", "description"]
        widgets = {"occurred_on": DATE}
        labels = {"indicator": _("加扣分指标"), "unit": _("被考核单位")}

    def __init__(
        self,
        *args: Any,
        indicators: Any = None,
        units: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        indicator_field: forms.ModelChoiceField = self.fields["indicator"]  # type: ignore[assignment]
        unit_field: forms.ModelChoiceField = self.fields["unit"]  # type: ignore[assignment]
        indicator_field.queryset = (
            indicators if indicators is not None else Indicator.objects.none()
        )
        unit_field.queryset = units if units is not None else Organization.objects.none()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
