"""The pure engine's words, translatable: the engine keeps its Chinese labels (it never
imports Django); the Django layer shows them through these gettext mappings so that the
English UI is complete too. Also the one place that writes a method's parameters as
docs/scoring.md words them ("每次扣 2 分，最低 4 分"), for the scheme diff, revision
notices and audit rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.scoring.engine import methods as m
from jixiao.scoring.engine import results as r
from jixiao.scoring.engine.types import KIND_LABELS

METHOD_LABELS: Mapping[str, Any] = {
    m.DIRECT: gettext_lazy("直接打分"),
    m.DEDUCTION: gettext_lazy("按次扣分"),
    m.COMPLETION: gettext_lazy("完成率"),
    m.TIERED: gettext_lazy("分档计分"),
    m.RANK: gettext_lazy("排名计分"),
    m.YOY_GROWTH: gettext_lazy("同比增幅"),
    m.SCHEDULE_PROGRESS: gettext_lazy("绩效进度"),
    m.VALUE_ADDED: gettext_lazy("增值贡献率"),
    m.GRADE: gettext_lazy("定性等次"),
    m.STAFFING_TASK: gettext_lazy("编制任务比"),
    m.EVALUATION: gettext_lazy("评议"),
}

RANK_MODE_LABELS: Mapping[str, Any] = {
    "fixed": gettext_lazy("固定分值"),
    "step": gettext_lazy("逐名递减"),
    "proportional": gettext_lazy("折合分"),
}

# Engine label (Chinese, as stored on results) -> its translation.
ENGINE_TEXT: Mapping[str, Any] = {
    KIND_LABELS["common"]: gettext_lazy("共性指标"),
    KIND_LABELS["individual"]: gettext_lazy("个性指标"),
    KIND_LABELS["bonus_penalty"]: gettext_lazy("加扣分"),
    KIND_LABELS["evaluation"]: gettext_lazy("评议指标"),
    **{spec.label: METHOD_LABELS.get(code, spec.label) for code, spec in m.METHODS.items()},
    r.EXCELLENT: gettext_lazy("优秀"),
    r.DEFAULT_GRADE: gettext_lazy("合格"),
    r.FOURTH_GRADE: gettext_lazy("第四等次"),
    r.AWARD_MODEL: gettext_lazy("标兵"),
    r.AWARD_ADVANCE: gettext_lazy("争先"),
    "良好": gettext_lazy("良好"),
    "基本合格": gettext_lazy("基本合格"),
    "不合格": gettext_lazy("不合格"),
    "类别内综合得分最高": gettext_lazy("类别内综合得分最高"),
    "类别内综合得分靠前": gettext_lazy("类别内综合得分靠前"),
    "连续两年位居所属类别后列：对主要领导予以组织处理": gettext_lazy(
        "连续两年位居所属类别后列：对主要领导予以组织处理"
    ),  # Input fields, formula hints and the missing-data text of the methods.
    "上年同期值": gettext_lazy("上年同期值"),
    "完成重点任务数": gettext_lazy("完成重点任务数"),
    "实际完成值": gettext_lazy("实际完成值"),
    "实际进度": gettext_lazy("实际进度"),
    "得分": gettext_lazy("得分"),
    "扣分次数": gettext_lazy("扣分次数"),
    "指标值": gettext_lazy("指标值"),
    "本期值": gettext_lazy("本期值"),
    "目标值": gettext_lazy("目标值"),
    "等次": gettext_lazy("等次"),
    "计划进度": gettext_lazy("计划进度"),
    "评议得分（百分制）": gettext_lazy("评议得分（百分制）"),
    "未报送数据": gettext_lazy("未报送数据"),
    "应完成任务数 = 编制数 ÷ 基数；得分 = 分值 × min(完成数 ÷ 应完成任务数, 1)": gettext_lazy(
        "应完成任务数 = 编制数 ÷ 基数；得分 = 分值 × min(完成数 ÷ 应完成任务数, 1)"
    ),
    "得分 = max(分值 − 每次扣分 × 次数, 最低得分)": gettext_lazy(
        "得分 = max(分值 − 每次扣分 × 次数, 最低得分)"
    ),
    "得分 = 分值 × clamp(((本期 − 上年) ÷ |上年|) ÷ 目标增幅, 0, 1)": gettext_lazy(
        "得分 = 分值 × clamp(((本期 − 上年) ÷ |上年|) ÷ 目标增幅, 0, 1)"
    ),
    "得分 = 分值 × min(实际 ÷ 目标, 1)（越低越好时为 目标 ÷ 实际）": gettext_lazy(
        "得分 = 分值 × min(实际 ÷ 目标, 1)（越低越好时为 目标 ÷ 实际）"
    ),
    "得分 = 分值 × min(实际进度 ÷ 计划进度, 1)": gettext_lazy(
        "得分 = 分值 × min(实际进度 ÷ 计划进度, 1)"
    ),
    "得分 = 分值 × 所达最高档的得分比例": gettext_lazy("得分 = 分值 × 所达最高档的得分比例"),
    "得分 = 分值 × 等次得分比例（默认 A 1.0 / B 0.8 / C 0.6 / D 0.4）": gettext_lazy(
        "得分 = 分值 × 等次得分比例（默认 A 1.0 / B 0.8 / C 0.6 / D 0.4）"
    ),
    "得分 = 分值 × 评议得分 ÷ 100": gettext_lazy("得分 = 分值 × 评议得分 ÷ 100"),
    "得分 = 录入得分（0 至分值）": gettext_lazy("得分 = 录入得分（0 至分值）"),
    "按类别内排名计分：固定分值 / 逐名递减 / 折合分（本单位值 ÷ 最优值 × 分值）": gettext_lazy(
        "按类别内排名计分：固定分值 / 逐名递减 / 折合分（本单位值 ÷ 最优值 × 分值）"
    ),
    "贡献率 = 本单位增量 ÷ 类别内正增量之和；得分 = 分值 × 本单位增量 ÷ 最大增量": gettext_lazy(
        "贡献率 = 本单位增量 ÷ 类别内正增量之和；得分 = 分值 × 本单位增量 ÷ 最大增量"
    ),
}

WARNING_LABELS: Mapping[str, Any] = {
    r.WARNING_BOTTOM: gettext_lazy("末位警示"),
    r.WARNING_BOTTOM_TWICE: gettext_lazy("连续两年末位"),
}


# Engine texts with a number in them: (pattern, translatable template).
_PATTERNS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"^排名较上年上升 (?P<n>\d+) 位$"), gettext_lazy("排名较上年上升 %(n)s 位")),
    (
        re.compile(r"^位于所属类别后(?P<n>\d+)位：取消评优资格，诫勉谈话$"),
        gettext_lazy("位于所属类别后%(n)s位：取消评优资格，诫勉谈话"),
    ),
)


def engine_text(text: Any) -> str:
    """An engine label in the active language (unknown texts are shown as they are:
    grade names the office typed, for one, are its own words)."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    if text in ENGINE_TEXT:
        return str(ENGINE_TEXT[text])
    for pattern, template in _PATTERNS:
        if match := pattern.match(text):
            return str(template) % match.groupdict()
    return text


def method_label(code: str) -> str:
    return str(METHOD_LABELS.get(code, code)) if code else _("未设置")


def _num(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _percent(value: Any) -> str:
    try:
        return _num(Decimal(str(value)) * 100) + "%"
    except (InvalidOperation, ValueError):
        return str(value)


def _tiers(tiers: Any, lower: bool) -> str:
    parts = []
    for tier in tiers or ():
        if not isinstance(tier, Mapping):
            parts.append(str(tier))
            continue
        share = _percent(tier.get("share"))
        if "max" in tier:
            parts.append(_("不超过 %(t)s 得 %(s)s") % {"t": _num(tier["max"]), "s": share})
        else:
            parts.append(_("达到 %(t)s 得 %(s)s") % {"t": _num(tier.get("min")), "s": share})
    return "，".join(parts)


def params_text(method: str, params: Mapping[str, Any] | None) -> str:
    """A method's parameters in words, as docs/scoring.md writes them; "" when none."""
    p = dict(params or {})
    if not p:
        return ""
    parts: list[str] = []
    flag = {True: _("是"), False: _("否")}
    if "mode" in p:
        parts.append(str(RANK_MODE_LABELS.get(p.pop("mode"), "")))
    if "per_occurrence" in p:
        parts.append(_("每次扣 %(n)s 分") % {"n": _num(p.pop("per_occurrence"))})
    if "points_by_rank" in p:
        ranks = p.pop("points_by_rank") or ()
        parts.append(
            _("各名次分值 %(v)s") % {"v": "、".join(_num(v) for v in ranks)} if ranks else ""
        )
    if "step" in p:
        step = p.pop("step")
        if step is not None:
            parts.append(_("每名递减 %(n)s 分") % {"n": _num(step)})
    if "tiers" in p:
        parts.append(_tiers(p.pop("tiers"), bool(p.get("lower_is_better"))))
    if "floor" in p:
        parts.append(_("最低 %(n)s 分") % {"n": _num(p.pop("floor"))})
    if "zero_below" in p:
        zero = p.pop("zero_below")
        if zero not in (None, 0, "0"):
            parts.append(_("完成率低于 %(n)s 得 0 分") % {"n": _percent(zero)})
    if "target_growth" in p:
        parts.append(_("目标增幅 %(n)s") % {"n": _percent(p.pop("target_growth"))})
    if "shares" in p:
        shares = p.pop("shares") or {}
        parts.append(
            _("等次得分比例 %(v)s")
            % {"v": "、".join(f"{g} {_percent(s)}" for g, s in dict(shares).items())}
        )
    if "base" in p:
        parts.append(_("每 %(n)s 名编制对应 1 项重点任务") % {"n": _num(p.pop("base"))})
    if "lower_is_better" in p:
        parts.append(_("越低越好") if p.pop("lower_is_better") else _("越高越好"))
    if "higher_is_better" in p:
        parts.append(_("越高越好") if p.pop("higher_is_better") else _("越低越好"))
    spec = m.METHODS.get(method)
    labels = {s.name: s.label for s in spec.params} if spec else {}
    for name, value in p.items():  # anything else: its label and value, never a dict
        shown = flag.get(value, value) if isinstance(value, bool) else _num(value)
        parts.append(f"{labels.get(name, name)} {shown}")
    return "，".join(part for part in parts if part)


def method_text(method: str, params: Mapping[str, Any] | None) -> str:
    """'按次扣分（每次扣 2 分，最低 4 分）'."""
    detail = params_text(method, params)
    return f"{method_label(method)}（{detail}）" if detail else method_label(method)
