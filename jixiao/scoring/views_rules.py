"""The office's result rules pages (结果运用规则): one page per year listing every
category's rules and the year's quarterly accumulation, and their edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from jixiao.accounts.roles import Role
from jixiao.core.concurrency import EditConflict
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param
from jixiao.org.models import AssessmentYear, UnitCategory
from jixiao.scoring.models import CategoryRules, YearRules
from jixiao.scoring.outcomes import rules_json
from jixiao.scoring.rules import (
    CategoryRulesForm,
    YearRulesForm,
    category_initial,
    save_category_rules,
    save_year_rules,
    share_text,
    weights_text,
    year_initial,
)

_DEFAULT = CategoryRules()


def _page_url(year: AssessmentYear) -> str:
    return f"{reverse('scoring:rules')}?year={year.year}"


@role_required(Role.OFFICE)
def rules_index(request: HttpRequest) -> HttpResponse:
    wanted = int_param(request.GET, "year")
    year = (
        AssessmentYear.objects.filter(year=wanted).first()
        if wanted is not None
        else AssessmentYear.current()
    )
    if wanted is not None and year is None:
        raise Http404
    categories = list(UnitCategory.objects.filter(year=year)) if year else []
    stored = {r.category_id: r for r in CategoryRules.objects.filter(category__in=categories)}
    rows = [
        {
            "category": c,
            "stored": c.pk in stored,
            "version": stored[c.pk].version if c.pk in stored else None,
            "rules": rules_json(stored.get(c.pk)),
            "excellent": share_text(stored.get(c.pk, _DEFAULT).excellent_share),
            "good": share_text(stored.get(c.pk, _DEFAULT).good_share),
        }
        for c in categories
    ]
    year_rules = YearRules.objects.filter(year=year).first() if year else None
    return render(
        request,
        "scoring/rules.html",
        {
            "year": year,
            "years": AssessmentYear.objects.all(),
            "rows": rows,
            "year_rules": year_rules,
            "weights": weights_text(year_rules.quarter_weights)
            if year_rules and year_rules.quarter_weights
            else "",
        },
    )


@role_required(Role.OFFICE)
def category_rules_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(UnitCategory.objects.select_related("year"), pk=category_id)
    rules = CategoryRules.objects.filter(category=category).first()
    form = CategoryRulesForm(
        request.POST or None, category=category, initial=category_initial(rules)
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_category_rules(
                category,
                form.cleaned_data,
                form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(
                request,
                _("已保存“%(c)s”的结果运用规则，下次计算成绩时生效。") % {"c": category.name},
            )
            return redirect(_page_url(category.year))
    return render(
        request,
        "scoring/rules_form.html",
        {
            "form": form,
            "title": _("%(c)s · 结果运用规则") % {"c": category.name},
            "year": category.year,
            "sections": _sections(form),
        },
    )


def _sections(form: Any) -> list[tuple[str, list[Any]]]:
    groups = [
        (_("等次"), ["excellent_share", "good_share", "fourth_grade_count", "fourth_grade_below"]),
        (_("奖项（标兵 / 优秀 / 争先）"), ["model_count", "advance_count", "advance_min_rise"]),
        (_("预警"), ["warning_bottom", "warn_consecutive"]),
        (
            _("考核系数与奖励金额"),
            [
                "award_base",
                "category_factor",
                "coefficient_excellent",
                "coefficient_good",
                "coefficient_pass",
                "coefficient_fourth",
                "last_place_zero",
            ],
        ),
        (_("说明"), ["reason"]),
    ]
    return [(title, [form[name] for name in names]) for title, names in groups]


@role_required(Role.OFFICE)
def year_rules_edit(request: HttpRequest, year: int) -> HttpResponse:
    assessment_year = get_object_or_404(AssessmentYear, year=year)
    rules = YearRules.objects.filter(year=assessment_year).first()
    form = YearRulesForm(request.POST or None, initial=year_initial(rules))
    if request.method == "POST" and form.is_valid():
        try:
            save_year_rules(
                assessment_year,
                form.cleaned_data,
                form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("已保存季度积分设置，下次计算成绩时生效。"))
            return redirect(_page_url(assessment_year))
    return render(
        request,
        "scoring/rules_form.html",
        {
            "form": form,
            "title": _("%(y)s · 季度积分") % {"y": assessment_year.name},
            "year": assessment_year,
            "sections": [(_("季度积分"), [form["quarterly"], form["weights"], form["reason"]])],
            "notice": _(
                "各采集周期按结束日期归入季度（半年数据归第二、第四季度，年度数据归第四季度），"
                "每季度单独计分；年度总分 = 各季度总分 × 权重之和。下次计算成绩时生效。"
            ),
        },
    )
