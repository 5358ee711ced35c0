from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.models import CollectionPeriod
from jixiao.core.forms import StyledForm, StyledModelForm
from jixiao.evaluation.models import ReviewerGroup, Round
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.models import Indicator, IndicatorKind, Scheme


class RoundForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Round
        fields = [
            "scheme",
            "name",
            "source",
            "period",
            "mode",
            "trim",
            "min_ballots",
            "exclude_collecting",
            "policy",
            "high_share",
            "low_share",
            "forbid_full",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.select_related("year")  # type: ignore[attr-defined]
        self.fields["period"].queryset = CollectionPeriod.objects.select_related("scheme")  # type: ignore[attr-defined]
        self.fields["period"].help_text = _("留空则写入该指标数据周期的最新采集周期。")
        self.fields["trim"].help_text = _("0 为算术平均；1 为去掉一个最高分和一个最低分。")
        if self.instance.pk:
            self.fields["scheme"].disabled = True
            self.initial["version"] = self.instance.version

    def save(self, commit: bool = True) -> Round:
        round_: Round = super().save(commit=False)
        round_.year = round_.scheme.year
        if commit:
            round_.save()
        return round_


class IndicatorChoiceForm(StyledForm):
    indicator = forms.ModelChoiceField(queryset=Indicator.objects.none(), label=_("评议指标"))

    def __init__(self, round_: Round, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            scheme_id=round_.scheme_id,
            kind=IndicatorKind.EVALUATION,
            method="evaluation",
            children__isnull=True,
        ).exclude(pk__in=round_.indicators.values("indicator_id"))


class GroupForm(StyledForm):
    name = forms.CharField(label=_("评议组名称"), max_length=50)
    categories = forms.ModelMultipleChoiceField(
        queryset=UnitCategory.objects.none(), label=_("评议类别")
    )
    units = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.assessed_units(),
        required=False,
        label=_("指定评议对象（留空为类别内全部单位）"),
    )

    def __init__(self, round_: Round, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = UnitCategory.objects.filter(year_id=round_.year_id)  # type: ignore[attr-defined]


class ReviewerAccountsForm(StyledForm):
    group = forms.ModelChoiceField(queryset=ReviewerGroup.objects.none(), label=_("评议组"))
    users = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.REVIEWER, is_active=True), label=_("评议人账号")
    )

    def __init__(self, round_: Round, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = round_.groups.all()  # type: ignore[attr-defined]
        # Accounts already in the round are not offered again.
        self.fields["users"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.REVIEWER, is_active=True
        ).exclude(evaluation_reviewers__round=round_)


class CodesForm(StyledForm):
    group = forms.ModelChoiceField(queryset=ReviewerGroup.objects.none(), label=_("评议组"))
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=2000, initial=10)

    def __init__(self, round_: Round, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = round_.groups.all()  # type: ignore[attr-defined]


def parse_items(text: str) -> list[tuple[str, Decimal]]:
    """'令行禁止、有呼必应 30' per line → [(name, weight)]; ValueError in Chinese."""
    from jixiao.core.excel import parse_decimal

    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, _sep, weight = line.rpartition(" ")
        number = parse_decimal(weight, percent=True)
        if not name.strip() or number is None:
            raise ValueError(_("每行写“子项名称 权重”，如：令行禁止、有呼必应 30"))
        items.append((name.strip(), number))
    return items
