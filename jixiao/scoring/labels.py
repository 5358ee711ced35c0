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
from functools import partial
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

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
    m.SPOT_ACCURACY: gettext_lazy("核验准确率"),
    m.SUPERVISION_CARDS: gettext_lazy("督查督办红黄牌"),
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
    "红牌张数": gettext_lazy("红牌张数"),
    "黄牌张数": gettext_lazy("黄牌张数"),
    "得分 = 分值 − min(每张红牌扣分 × 红牌 + 每张黄牌扣分 × 黄牌, 扣分上限)": gettext_lazy(
        "得分 = 分值 − min(每张红牌扣分 × 红牌 + 每张黄牌扣分 × 黄牌, 扣分上限)"
    ),
    "未报送数据": gettext_lazy("未报送数据"),
    "核验条数": gettext_lazy("核验条数"),
    "不属实条数": gettext_lazy("不属实条数"),
    "准确率低于标准时 得分 = 分值 − min(每条扣分 × 不属实条数, 最多扣分)": (
        gettext_lazy("准确率低于标准时 得分 = 分值 − min(每条扣分 × 不属实条数, 最多扣分)")
    ),
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
    if "per_wrong" in p:
        standard = p.pop("standard", None) or Decimal("0.9")
        parts.append(
            _("核验准确率低于 %(s)s 时每条不属实扣 %(n)s 分")
            % {"s": _percent(standard), "n": _num(p.pop("per_wrong"))}
        )
        cap = p.pop("cap", None)
        if cap is not None:
            parts.append(_("最多扣 %(n)s 分") % {"n": _num(cap)})
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


# Formulas, explanations and cap notes the engine builds on the fly (engine/methods.py
# evaluators, engine/caps.py, engine/explain.py): Chinese fragment (numbers as named
# groups) -> translatable template. Order matters: longer fragments first.
_N = r"-?\d+(?:\.\d+)?"
_FORMULA_PATTERNS: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (
            r"未报送数据（缺少：(?P<fields>.*?)）→",
            gettext_lazy("未报送数据（缺少：%(fields)s）→"),
        ),
        (rf"录入得分 (?P<n>{_N})", gettext_lazy("录入得分 %(n)s")),
        (
            rf"实际值 (?P<a>{_N}) ≤ 0，满分 (?P<p>{_N})",
            gettext_lazy("实际值 %(a)s ≤ 0，满分 %(p)s"),
        ),
        (rf" 低于 (?P<z>{_N})，得 0", gettext_lazy(" 低于 %(z)s，得 0")),
        (r" 未达到任何档位，得 0", gettext_lazy(" 未达到任何档位，得 0")),
        (
            r"(?P<n>\d+)个单位中第(?P<rank>\d+)名",
            gettext_lazy("%(n)s个单位中第%(rank)s名"),
        ),
        (r"，超出名次表", gettext_lazy("，超出名次表")),
        (
            rf"第(?P<rank>\d+)名：本单位值 (?P<v>{_N})、最优值 (?P<b>{_N})，折合得 0",
            gettext_lazy("第%(rank)s名：本单位值 %(v)s、最优值 %(b)s，折合得 0"),
        ),
        (r"第(?P<rank>\d+)名 折合分：", gettext_lazy("第%(rank)s名 折合分：")),
        (rf"本单位值 (?P<v>{_N}) ≤ 0，满分", gettext_lazy("本单位值 %(v)s ≤ 0，满分")),
        (rf"最优值 (?P<b>{_N}) ≤ 0，折合得 0", gettext_lazy("最优值 %(b)s ≤ 0，折合得 0")),
        (
            rf"上年同期为 0、本期 (?P<c>{_N}) > 0，满分",
            gettext_lazy("上年同期为 0、本期 %(c)s > 0，满分"),
        ),
        (
            rf"上年同期为 0、本期 (?P<c>{_N}) ≤ 0，得 0",
            gettext_lazy("上年同期为 0、本期 %(c)s ≤ 0，得 0"),
        ),
        (r"计划进度为 0（尚无计划任务），满分", gettext_lazy("计划进度为 0（尚无计划任务），满分")),
        (
            rf"增量 (?P<i>{_N}) ≤ 0，贡献率为 0，得 0",
            gettext_lazy("增量 %(i)s ≤ 0，贡献率为 0，得 0"),
        ),
        (
            rf"贡献率 (?P<i>{_N}) ÷ (?P<t>{_N}) ≈ (?P<r>{_N})；",
            gettext_lazy("贡献率 %(i)s ÷ %(t)s ≈ %(r)s；"),
        ),
        (r"（最大增量）", gettext_lazy("（最大增量）")),
        (
            rf"核验 (?P<c>\d+) 条，属实 (?P<a>\d+) 条、不属实 (?P<w>\d+) 条，准确率 (?P<r>{_N})%",
            gettext_lazy("核验 %(c)s 条，属实 %(a)s 条、不属实 %(w)s 条，准确率 %(r)s%%"),
        ),
        (rf"，不低于 (?P<s>{_N})%，不扣分：", gettext_lazy("，不低于 %(s)s%%，不扣分：")),
        (rf"，低于 (?P<s>{_N})%：", gettext_lazy("，低于 %(s)s%%：")),
        (rf"未抽查核验，得满分 (?P<p>{_N})", gettext_lazy("未抽查核验，得满分 %(p)s")),
        (r"^等次 (?P<g>.+?) → ", gettext_lazy("等次 %(g)s → ")),
        (
            rf"应完成 (?P<s>\d+) ÷ (?P<b>{_N}) 项；",
            gettext_lazy("应完成 %(s)s ÷ %(b)s 项；"),
        ),
        (
            rf"加分 (?P<raw>{_N}) 分，按上限计 (?P<cap>{_N}) 分",
            gettext_lazy("加分 %(raw)s 分，按上限计 %(cap)s 分"),
        ),
        (
            rf"扣分 (?P<raw>{_N}) 分，按上限计 (?P<cap>{_N}) 分",
            gettext_lazy("扣分 %(raw)s 分，按上限计 %(cap)s 分"),
        ),
        (rf"加分 (?P<raw>{_N}) 分", gettext_lazy("加分 %(raw)s 分")),
        (rf"扣分 (?P<raw>{_N}) 分", gettext_lazy("扣分 %(raw)s 分")),
        (r"无加扣分事项", gettext_lazy("无加扣分事项")),
        (r"（上限 (?P<caps>[^）]*)）", gettext_lazy("（上限 %(caps)s）")),
    )
)

# Full-width punctuation left between the translated fragments.
_PUNCTUATION = {"，": ", ", "；": "; ", "：": ": ", "、": ", ", "（": " (", "）": ")"}


def _is_chinese() -> bool:
    language = get_language()
    return not language or language.lower().startswith("zh")


def _fill(template: Any, match: re.Match[str]) -> str:
    groups = dict(match.groupdict())
    if "fields" in groups:  # the missing input fields: each one an engine label
        groups["fields"] = ", ".join(engine_text(f) for f in groups["fields"].split("、"))
    return str(template) % groups


def engine_formula(text: Any) -> str:
    """An engine-built formula, explanation or cap note in the active language: the
    Chinese UI shows it exactly as the engine wrote it; otherwise its known fragments are
    translated (numbers kept) and anything unknown is left as it is."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    if _is_chinese() or not text:
        return text
    if text in ENGINE_TEXT or any(p.match(text) for p, _t in _PATTERNS):
        return engine_text(text)
    for pattern, template in _FORMULA_PATTERNS:
        text = pattern.sub(partial(_fill, template), text)
    for chinese, english in _PUNCTUATION.items():
        text = text.replace(chinese, english)
    return re.sub(r"  +", " ", text).strip()
