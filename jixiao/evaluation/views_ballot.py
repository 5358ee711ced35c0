"""The ballot page, for 评议人 accounts and for one-time ballot codes (no login).

Save keeps a draft; submit casts the ballot, which then cannot change. A ballot
submitted from a second tab is not stored and the page says why; a used, unknown or
mistyped code gets a friendly page, never a 500. Code pages are rate-limited per
address so codes cannot be guessed by brute force.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.permissions import role_required
from jixiao.evaluation import actions
from jixiao.evaluation.actions import AlreadyCast, BallotRefused, RoundError, cell_name
from jixiao.evaluation.models import (
    CODE_ALPHABET,
    DistributionPolicy,
    Reviewer,
    RoundStatus,
    ScoringMode,
)
from jixiao.evaluation.scope import access_own_reviewer, layout_for

CODE_RATE = "30/m"


@role_required(Role.REVIEWER)
def my_ballots(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    reviewers = (
        Reviewer.objects.filter(user=user)
        .exclude(round__status=RoundStatus.DRAFT)
        .select_related("round", "group")
        .order_by("-round__year__year", "round__pk")
    )
    return render(request, "evaluation/my_ballots.html", {"reviewers": reviewers})


@role_required(Role.REVIEWER)
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    reviewer = access_own_reviewer(request.user, pk)  # type: ignore[arg-type]
    return _ballot_page(request, reviewer, reverse("evaluation:ballot", args=[pk]))


def normalize_code(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def _friendly(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(
        request, "evaluation/code_message.html", {"title": title, "text": text}, status=status
    )


@ratelimit(key="ip", rate=CODE_RATE, block=False)
def code_entry(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _friendly(request, _("操作过于频繁"), _("请稍候一分钟再试。"), status=429)
    error = ""
    if request.method == "POST":
        code = normalize_code(request.POST.get("code", ""))
        if code:
            return redirect("evaluation:code_ballot", code=code)
        error = _("请输入评议票上的评议码。")
    return render(request, "evaluation/code_entry.html", {"error": error})


@ratelimit(key="ip", rate=CODE_RATE, block=False)
def code_ballot(request: HttpRequest, code: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return _friendly(request, _("操作过于频繁"), _("请稍候一分钟再试。"), status=429)
    code = normalize_code(code)
    reviewer = None
    if 4 <= len(code) <= 16 and all(c in CODE_ALPHABET for c in code):
        reviewer = (
            Reviewer.objects.filter(code=code)
            .select_related("round", "group", "organization")
            .first()
        )
    if reviewer is None:
        return _friendly(
            request,
            _("评议码无效"),
            _("没有找到这个评议码，请核对评议票上的 8 位评议码（不含数字 0、1 和字母 I、L、O）。"),
            status=404,
        )
    if reviewer.cast_at is not None and request.method == "GET":
        return _friendly(
            request, _("评议码已使用"), _("这张评议票已经提交，每个评议码只能使用一次。")
        )
    return _ballot_page(
        request, reviewer, reverse("evaluation:code_ballot", args=[code]), anonymous=True
    )


def _ballot_page(
    request: HttpRequest, reviewer: Reviewer, action: str, anonymous: bool = False
) -> HttpResponse:
    round_ = reviewer.round
    layout = layout_for(reviewer)
    values: dict[str, Any] = dict(reviewer.draft)
    errors: dict[str, str] = {}
    problems: list[str] = []
    if request.method == "POST" and reviewer.cast_at is None:
        posted = {k: v for k, v in request.POST.items() if k.startswith("s-")}
        values = posted
        try:
            if request.POST.get("do") == "submit":
                warnings = actions.cast_ballot(reviewer, posted)
                if warnings:
                    messages.warning(
                        request, _("评议票已提交，但不符合强制分布要求：") + "；".join(warnings)
                    )
                if anonymous:
                    return _friendly(
                        request,
                        _("提交成功"),
                        _("感谢您参与评议。这张评议票已提交，评议码已失效。"),
                    )
                messages.success(request, _("评议票已提交，感谢您参与评议。"))
                return redirect(action)
            actions.save_draft(reviewer, posted)
            messages.success(request, _("草稿已保存，提交前可随时修改。"))
            return redirect(action)
        except AlreadyCast:
            reviewer.refresh_from_db()
            problems = [
                _("这张评议票已在其他页面提交，本页的填写没有保存（每张评议票只能提交一次）。")
            ]
        except BallotRefused as refused:
            problems, errors = refused.problems, refused.errors
        except RoundError as error:
            problems = [str(error)]
    elif request.method == "POST":
        problems = [_("这张评议票已在其他页面提交，本页的填写没有保存（每张评议票只能提交一次）。")]
    screens = [
        {
            "screen": s,
            "rows": [
                (
                    unit,
                    [
                        (
                            c,
                            cell_name(c.key, unit.pk),
                            values.get(cell_name(c.key, unit.pk), ""),
                            errors.get(cell_name(c.key, unit.pk), ""),
                        )
                        for c in s.columns
                    ],
                )
                for unit in s.units
            ],
        }
        for s in layout.screens
    ]
    rule = actions.rule_of(round_)
    config = {
        "policy": round_.policy,
        "highShare": str(rule.high_share),
        "lowShare": str(rule.low_share),
        "high": f"{rule.high_threshold.normalize():f}",
        "low": f"{rule.low_threshold.normalize():f}",
        "scale": f"{rule.scale.normalize():f}",
        "forbidFull": rule.forbid_full,
        "minUnits": rule.min_units,
        "grades": {k: str(v) for k, v in round_.grade_map.items()},
        "labels": {"most": _("最多"), "least": _("至少"), "full": _("满分")},
    }
    return render(
        request,
        "evaluation/ballot.html",
        {
            "reviewer": reviewer,
            "round": round_,
            "screens": screens,
            "action": action,
            "problems": problems,
            "cast": reviewer.cast_at is not None,
            "open": round_.status == RoundStatus.OPEN,
            "grade_mode": round_.mode == ScoringMode.GRADE,
            "grades": list(round_.grade_map.items()),
            "distribution": round_.policy != DistributionPolicy.OFF,
            "config": json.dumps(config),
            "high_pct": f"{(rule.high_share * 100).normalize():f}",
            "low_pct": f"{(rule.low_share * 100).normalize():f}",
            "anonymous": anonymous,
            "base_template": "evaluation/public_base.html" if anonymous else "base.html",
        },
        status=409 if problems and reviewer.cast_at is not None else 200,
    )
