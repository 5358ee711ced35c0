"""The task form (立项) and the card-rules form."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.core.forms import StyledForm, StyledModelForm
from jixiao.core.values import clean_text
from jixiao.org.models import Organization
from jixiao.supervision.actions import TaskDraft
from jixiao.supervision.models import CardRules, Level, SourceKind, SourceType


def answering_orgs() -> Any:
    return Organization.objects.active().filter(Q(is_assessed_unit=True) | Q(is_department=True))


class TaskForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("事项名称"), max_length=200)
    source_kind = forms.ChoiceField(label=gettext_lazy("来源"), choices=SourceKind.choices)
    problem = forms.CharField(
        label=gettext_lazy("问题描述"), widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=gettext_lazy("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("牵头单位"), queryset=Organization.objects.none()
    )
    cooperating_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("配合单位"), queryset=Organization.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=gettext_lazy("办结时限"), widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.ChoiceField(label=gettext_lazy("等级"), choices=Level.choices)
    milestones = forms.CharField(
        label=gettext_lazy("时间节点"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("每行一个：节点名称 空格 日期，如“完成排查 2026-03-31”"),
    )
    source_type = forms.ChoiceField(
        choices=SourceType.choices, required=False, widget=forms.HiddenInput
    )
    source_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    source_text = forms.CharField(label=gettext_lazy("来源说明"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = answering_orgs()
        self.fields["lead_unit"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["cooperating_units"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["source_text"].widget.attrs["readonly"] = True

    def clean_problem(self) -> str:
        return self._text("problem")

    def clean_measures(self) -> str:
        return self._text("measures")

    def _text(self, name: str) -> str:
        try:
            return clean_text(self.cleaned_data.get(name))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_milestones(self) -> list[tuple[str, date]]:
        out = []
        for line in (self.cleaned_data.get("milestones") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, _sep, when = line.rpartition(" ")
            try:
                due = date.fromisoformat(when.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("时间节点“%(l)s”的日期应写作 2026-03-31。") % {"l": line}
                ) from None
            if not name.strip():
                raise forms.ValidationError(_("时间节点“%(l)s”缺少名称。") % {"l": line})
            out.append((name.strip(), due))
        return out

    def draft(self) -> TaskDraft:
        d = self.cleaned_data
        source_type = d.get("source_type") or ""
        return TaskDraft(
            year=d["year"],
            title=d["title"],
            source_kind=d["source_kind"],
            problem=d["problem"],
            measures=d["measures"],
            lead_unit=d["lead_unit"],
            cooperating_units=list(d["cooperating_units"]),
            deadline=d["deadline"],
            level=d["level"],
            milestones=d["milestones"],
            source_type=source_type,
            source_id=d.get("source_id") if source_type else None,
            source_text=d.get("source_text") or "",
        )


def initial_year() -> int:
    return timezone.localdate().year


class RulesForm(StyledModelForm):
    class Meta:
        model = CardRules
        fields = [
            "accept_days",
            "report_every_days",
            "remind_before_days",
            "yellow_for_late_accept",
            "yellow_for_late_report",
            "yellow_for_milestone",
            "red_for_deadline",
            "yellows_per_red",
        ]
