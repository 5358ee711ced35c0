"""Scoring methods (计分方法): the registry other layers code against.

Each method has a Chinese label, a parameter spec, input fields, validation that returns
Chinese messages, and an exact scalar evaluation that also writes the formula with the
numbers substituted. The scalar evaluation is the Decimal reference and the source of
explanations; `kernels.py` holds the vectorised fast path, which must agree with it.

A leaf score is always within [0, points].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from itertools import pairwise
from typing import Any

from .fixed import HIGH, SCORE_DIGITS, as_decimal, fmt, places, q2, q4

Params = Mapping[str, Any]
Values = Mapping[str, Any]

DIRECT = "direct"
DEDUCTION = "deduction"
COMPLETION = "completion"
TIERED = "tiered"
RANK = "rank"
YOY_GROWTH = "yoy_growth"
SCHEDULE_PROGRESS = "schedule_progress"
VALUE_ADDED = "value_added"
GRADE = "grade"
STAFFING_TASK = "staffing_task"
EVALUATION = "evaluation"
SPOT_ACCURACY = "spot_accuracy"
SUPERVISION_CARDS = "supervision_cards"

RANK_MODES = ("fixed", "step", "proportional")
DEFAULT_GRADE_SHARES: Mapping[str, Decimal] = {
    "A": Decimal("1.0"),
    "B": Decimal("0.8"),
    "C": Decimal("0.6"),
    "D": Decimal("0.4"),
}
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: type is decimal, bool, choice, decimal_list, tiers or grade_shares."""

    name: str
    type: str
    required: bool
    default: Any
    label: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One input field: type is decimal, int or grade."""

    name: str
    label: str
    type: str


@dataclass(frozen=True)
class ColumnContext:
    """What a relative method needs to know about the other units of the category."""

    values: tuple[Decimal, ...] = ()
    best: Decimal | None = None
    positive_sum: Decimal | None = None


@dataclass(frozen=True)
class Evaluation:
    """A leaf score (4 decimals) with the formula that produced it."""

    score: Decimal
    formula: str
    detail: Mapping[str, str] = field(default_factory=dict)


Evaluator = Callable[[Decimal, Params, Mapping[str, Any], ColumnContext, int | None], Evaluation]
ContextBuilder = Callable[[Params, Sequence[Mapping[str, Any]]], ColumnContext]
InputCheck = Callable[[Mapping[str, Any], Params, Decimal | None], list[str]]
ParamCheck = Callable[[Params, Decimal | None], list[str]]


@dataclass(frozen=True)
class MethodSpec:
    code: str
    label: str
    params: tuple[ParamSpec, ...]
    fields: tuple[FieldSpec, ...]
    evaluator: Evaluator
    formula_hint: str
    relative: bool = False
    uses_staffing: bool = False
    param_check: ParamCheck | None = None
    input_check: InputCheck | None = None
    context_builder: ContextBuilder | None = None

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def validate_params(self, params: Params, points: Decimal | None = None) -> list[str]:
        """Chinese messages for every problem in `params` (empty when valid)."""
        errors: list[str] = []
        known = {p.name for p in self.params}
        for name in sorted(set(params) - known):
            errors.append(f"{self.label}：未知参数“{name}”")
        for spec in self.params:
            if spec.name not in params or params[spec.name] is None:
                if spec.required:
                    errors.append(f"{self.label}：缺少参数“{spec.label}”（{spec.name}）")
                continue
            errors.extend(_check_param_type(self.label, spec, params[spec.name]))
        if not errors and self.param_check is not None:
            errors.extend(self.param_check(self.normalize_params(params), points))
        return errors

    def normalize_params(self, params: Params) -> dict[str, Any]:
        """Parameters with defaults filled in and numbers as Decimal (params must be valid)."""
        result: dict[str, Any] = {}
        for spec in self.params:
            raw = params.get(spec.name)
            if raw is None:
                result[spec.name] = spec.default
                continue
            result[spec.name] = _normalize_param(spec, raw)
        return result

    def validate_input(
        self, values: Values, params: Params | None = None, points: Decimal | None = None
    ) -> list[str]:
        """Chinese messages for every problem in one unit's entered values."""
        errors: list[str] = []
        parsed: dict[str, Any] = {}
        for spec in self.fields:
            raw = values.get(spec.name)
            if raw is None or raw == "":
                errors.append(f"请填写“{spec.label}”")
                continue
            value, error = parse_field(spec, raw)
            if error:
                errors.append(error)
            else:
                parsed[spec.name] = value
        if errors:
            return errors
        normalized = self.normalize_params(params or {})
        if self.input_check is not None:
            errors.extend(self.input_check(parsed, normalized, points))
        return errors

    def evaluate(
        self,
        points: Decimal,
        params: Params,
        values: Mapping[str, Any],
        context: ColumnContext | None = None,
        staffing: int | None = None,
    ) -> Evaluation:
        """Exact Decimal evaluation of one leaf (params normalized, values parsed)."""
        with localcontext(HIGH):
            return self.evaluator(points, params, values, context or ColumnContext(), staffing)

    def column_context(
        self, params: Params, reported: Sequence[Mapping[str, Any]]
    ) -> ColumnContext:
        """Context from the parsed values of every unit of the category that reported."""
        if self.context_builder is None:
            return ColumnContext()
        with localcontext(HIGH):
            return self.context_builder(params, reported)


# ---------------------------------------------------------------------------
# Parameter and field parsing


def _check_param_type(method_label: str, spec: ParamSpec, raw: Any) -> list[str]:
    where = f"{method_label}：参数“{spec.label}”"
    if spec.type == "decimal":
        return [] if as_decimal(raw) is not None else [f"{where}必须是数字"]
    if spec.type == "bool":
        return [] if isinstance(raw, bool) else [f"{where}必须是是/否"]
    if spec.type == "choice":
        if raw in spec.choices:
            return []
        return [f"{where}必须是 {' / '.join(spec.choices)} 之一"]
    if spec.type == "decimal_list":
        if isinstance(raw, (list, tuple)) and raw and all(as_decimal(x) is not None for x in raw):
            return []
        return [f"{where}必须是非空的数字列表"]
    if spec.type == "grade_shares":
        if (
            isinstance(raw, Mapping)
            and raw
            and all(isinstance(k, str) and k for k in raw)
            and all(as_decimal(v) is not None for v in raw.values())
        ):
            return []
        return [f"{where}必须是“等次 → 得分比例”的对应表"]
    if spec.type == "tiers":
        if not isinstance(raw, (list, tuple)) or not raw:
            return [f"{where}必须是非空的档位列表"]
        errors = []
        for i, tier in enumerate(raw, start=1):
            if not isinstance(tier, Mapping):
                errors.append(f"{where}第{i}档格式不正确")
                continue
            threshold = tier.get("min", tier.get("max"))
            if as_decimal(threshold) is None or as_decimal(tier.get("share")) is None:
                errors.append(f"{where}第{i}档必须有数字门槛（min 或 max）和得分比例（share）")
        return errors
    raise AssertionError(spec.type)


def _normalize_param(spec: ParamSpec, raw: Any) -> Any:
    if spec.type == "decimal":
        return as_decimal(raw)
    if spec.type == "decimal_list":
        return tuple(as_decimal(x) for x in raw)
    if spec.type == "grade_shares":
        return {str(k): as_decimal(v) for k, v in raw.items()}
    if spec.type == "tiers":
        tiers = []
        for tier in raw:
            bound = "max" if "max" in tier and "min" not in tier else "min"
            tiers.append((bound, as_decimal(tier[bound]), as_decimal(tier["share"])))
        return tuple(tiers)
    return raw


def parse_field(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    """(parsed value, None) or (None, Chinese error) for one entered field value."""
    if spec.type == "grade":
        if isinstance(raw, str) and raw.strip():
            return raw.strip(), None
        return None, f"“{spec.label}”必须是等次"
    value = as_decimal(raw)
    if value is None:
        return None, f"“{spec.label}”必须是数字"
    if spec.type == "int" and (value != value.to_integral_value() or value < 0):
        return None, f"“{spec.label}”必须是非负整数"
    if spec.type == "int":
        value = Decimal(int(value))
    return value, None


def _check_points_places(label: str, value: Decimal) -> list[str]:
    if places(value) > SCORE_DIGITS:
        return [f"{label}最多{SCORE_DIGITS}位小数"]
    return []


def _share_ok(share: Decimal) -> bool:
    return ZERO <= share <= ONE


# ---------------------------------------------------------------------------
# Helpers used by the evaluators


def _result(exact: Decimal, formula: str, **detail: str) -> Evaluation:
    score = q4(exact)
    return Evaluation(score=score, formula=f"{formula} = {score}", detail=detail)


def _clamp_ratio(ratio: Decimal) -> Decimal:
    return max(ZERO, min(ratio, ONE))


# direct 直接打分 ------------------------------------------------------------


def _direct(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    score: Decimal = v["score"]
    exact = max(ZERO, min(score, points))
    return _result(exact, f"录入得分 {fmt(score)}")


def _direct_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    score = v["score"]
    if score < 0 or (points is not None and score > points):
        upper = fmt(points) if points is not None else "满分"
        return [f"“得分”必须在 0 至 {upper} 之间"]
    return []


# deduction 按次扣分 ---------------------------------------------------------


def _deduction(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    per: Decimal = params["per_occurrence"]
    floor: Decimal = params["floor"]
    count: Decimal = v["count"]
    exact = max(points - per * count, floor, ZERO)
    exact = min(exact, points)
    return _result(exact, f"max({fmt(points)} − {fmt(per)} × {fmt(count)}, {fmt(floor)})")


def _deduction_params(p: Params, points: Decimal | None) -> list[str]:
    errors = []
    if p["per_occurrence"] <= 0:
        errors.append("按次扣分：每次扣分必须大于0")
    errors += _check_points_places("按次扣分：每次扣分", p["per_occurrence"])
    if p["floor"] < 0:
        errors.append("按次扣分：最低得分不能为负")
    errors += _check_points_places("按次扣分：最低得分", p["floor"])
    if points is not None and p["floor"] > points:
        errors.append("按次扣分：最低得分不能超过分值")
    return errors


# completion 完成率 -----------------------------------------------------------


def _completion(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    actual: Decimal = v["actual"]
    target: Decimal = v["target"]
    zero_below: Decimal = params["zero_below"]
    if params["lower_is_better"]:
        if actual <= 0:
            return _result(points, f"实际值 {fmt(actual)} ≤ 0，满分 {fmt(points)}")
        num, den = target, actual
    else:
        num, den = actual, target
    ratio = num / den
    if ratio < zero_below:
        return _result(ZERO, f"{fmt(num)} ÷ {fmt(den)} 低于 {fmt(zero_below)}，得 0")
    exact = points * _clamp_ratio(ratio)
    if ratio < 1 and ratio > 0:
        exact = points * num / den
    return _result(exact, f"{fmt(points)} × min({fmt(num)} ÷ {fmt(den)}, 1)")


def _completion_params(p: Params, points: Decimal | None) -> list[str]:
    if not ZERO <= p["zero_below"] <= ONE:
        return ["完成率：零分线必须在 0 至 1 之间"]
    return []


def _completion_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if v["target"] <= 0:
        return ["“目标值”必须大于0"]
    return []


# tiered 分档计分 -------------------------------------------------------------


def _tiered(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    value: Decimal = v["value"]
    tiers: tuple[tuple[str, Decimal, Decimal], ...] = params["tiers"]
    if params["lower_is_better"]:
        matching = [(t, share) for _, t, share in tiers if value <= t]
        if not matching:
            return _result(ZERO, f"{fmt(value)} 未达到任何档位，得 0")
        threshold, share = min(matching)
        formula = f"{fmt(value)} ≤ {fmt(threshold)} → {fmt(points)} × {fmt(share)}"
    else:
        matching = [(t, share) for _, t, share in tiers if value >= t]
        if not matching:
            return _result(ZERO, f"{fmt(value)} 未达到任何档位，得 0")
        threshold, share = max(matching)
        formula = f"{fmt(value)} ≥ {fmt(threshold)} → {fmt(points)} × {fmt(share)}"
    return _result(points * share, formula)


def _tiered_params(p: Params, points: Decimal | None) -> list[str]:
    tiers: tuple[tuple[str, Decimal, Decimal], ...] = p["tiers"]
    lower = p["lower_is_better"]
    errors = []
    wanted = "max" if lower else "min"
    if any(bound != wanted for bound, _, _ in tiers):
        errors.append(f"分档计分：{'越低越好' if lower else '越高越好'}时各档门槛应写作“{wanted}”")
    if any(not _share_ok(share) for _, _, share in tiers):
        errors.append("分档计分：得分比例必须在 0 至 1 之间")
    thresholds = [t for _, t, _ in tiers]
    if len(set(thresholds)) != len(thresholds):
        errors.append("分档计分：档位门槛不能重复")
    ordered = sorted(((t, share) for _, t, share in tiers), reverse=lower)
    shares = [share for _, share in ordered]
    if any(a > b for a, b in pairwise(shares)):
        errors.append("分档计分：档位越好，得分比例不能越低")
    return errors


# rank 排名计分 ---------------------------------------------------------------


def rank_of(value: Decimal, values: Sequence[Decimal], higher_is_better: bool) -> int:
    """Competition rank (1, 2, 2, 4) of `value` among `values`."""
    if higher_is_better:
        return 1 + sum(1 for other in values if other > value)
    return 1 + sum(1 for other in values if other < value)


def _rank(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    value: Decimal = v["value"]
    higher = params["higher_is_better"]
    rank = rank_of(value, c.values, higher)
    mode = params["mode"]
    n = len(c.values)
    if mode == "fixed":
        table: tuple[Decimal, ...] = params["points_by_rank"]
        if rank <= len(table):
            exact = min(table[rank - 1], points)
            return _result(exact, f"{n}个单位中第{rank}名 → {fmt(table[rank - 1])}")
        floor = params["floor"]
        return _result(min(floor, points), f"{n}个单位中第{rank}名，超出名次表 → {fmt(floor)}")
    if mode == "step":
        step: Decimal = params["step"]
        floor = params["floor"]
        exact = min(max(points - (rank - 1) * step, floor, ZERO), points)
        return _result(
            exact,
            f"{n}个单位中第{rank}名：max({fmt(points)} − ({rank} − 1) × {fmt(step)}, {fmt(floor)})",
        )
    best = c.best
    assert best is not None
    if higher:
        if best <= 0 or value <= 0:
            return _result(ZERO, f"第{rank}名：本单位值 {fmt(value)}、最优值 {fmt(best)}，折合得 0")
        return _result(
            points * value / best, f"第{rank}名 折合分：{fmt(points)} × {fmt(value)} ÷ {fmt(best)}"
        )
    if value <= 0:
        return _result(points, f"第{rank}名 折合分：本单位值 {fmt(value)} ≤ 0，满分")
    if best <= 0:
        return _result(ZERO, f"第{rank}名 折合分：最优值 {fmt(best)} ≤ 0，折合得 0")
    return _result(
        points * best / value, f"第{rank}名 折合分：{fmt(points)} × {fmt(best)} ÷ {fmt(value)}"
    )


def _rank_context(params: Params, reported: Sequence[Mapping[str, Any]]) -> ColumnContext:
    values = tuple(sorted(v["value"] for v in reported))
    if not values:
        return ColumnContext()
    best = values[-1] if params["higher_is_better"] else values[0]
    return ColumnContext(values=values, best=best)


def _rank_params(p: Params, points: Decimal | None) -> list[str]:
    errors = []
    mode = p["mode"]
    if mode == "fixed":
        table = p["points_by_rank"]
        if not table:
            errors.append("排名计分：固定分值模式须填写各名次分值")
        else:
            if any(x < 0 for x in table):
                errors.append("排名计分：名次分值不能为负")
            if points is not None and any(x > points for x in table):
                errors.append("排名计分：名次分值不能超过指标分值")
            if any(a < b for a, b in pairwise(table)):
                errors.append("排名计分：名次越靠后，分值不能越高")
            for x in table:
                errors += _check_points_places("排名计分：名次分值", x)
    if mode == "step":
        step = p["step"]
        if step is None or step <= 0:
            errors.append("排名计分：逐名递减模式须填写大于0的递减分值")
        else:
            errors += _check_points_places("排名计分：递减分值", step)
    if p["floor"] < 0:
        errors.append("排名计分：最低得分不能为负")
    errors += _check_points_places("排名计分：最低得分", p["floor"])
    if points is not None and p["floor"] > points:
        errors.append("排名计分：最低得分不能超过分值")
    return errors


# yoy_growth 同比增幅 ---------------------------------------------------------


def _yoy(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    current: Decimal = v["current"]
    last: Decimal = v["last_year"]
    target: Decimal = params["target_growth"]
    if last == 0:
        if current > 0:
            return _result(points, f"上年同期为 0、本期 {fmt(current)} > 0，满分")
        return _result(ZERO, f"上年同期为 0、本期 {fmt(current)} ≤ 0，得 0")
    growth = (current - last) / abs(last)
    exact = points * _clamp_ratio(growth / target)
    if 0 < growth < target:
        exact = points * (current - last) / (abs(last) * target)
    return _result(
        exact,
        f"{fmt(points)} × clamp(({fmt(current)} − {fmt(last)}) ÷ |{fmt(last)}|"
        f" ÷ {fmt(target)}, 0, 1)",
    )


def _yoy_params(p: Params, points: Decimal | None) -> list[str]:
    if p["target_growth"] <= 0:
        return ["同比增幅：目标增幅必须大于0"]
    return []


# schedule_progress 绩效进度 ---------------------------------------------------


def _schedule(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    actual: Decimal = v["actual"]
    planned: Decimal = v["planned"]
    if planned == 0:
        return _result(points, "计划进度为 0（尚无计划任务），满分")
    exact = points * _clamp_ratio(actual / planned)
    if 0 < actual < planned:
        exact = points * actual / planned
    return _result(exact, f"{fmt(points)} × min({fmt(actual)} ÷ {fmt(planned)}, 1)")


def _schedule_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if v["planned"] < 0:
        return ["“计划进度”不能为负"]
    return []


# value_added 增值贡献率 -------------------------------------------------------


def _value_added(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    increment = v["current"] - v["last_year"]
    best = c.best
    total = c.positive_sum
    assert best is not None
    assert total is not None
    if increment <= 0 or best <= 0:
        return _result(ZERO, f"增量 {fmt(increment)} ≤ 0，贡献率为 0，得 0")
    rate = q4(increment / total)
    return _result(
        points * increment / best,
        f"贡献率 {fmt(increment)} ÷ {fmt(total)} ≈ {rate}；"
        f"{fmt(points)} × {fmt(increment)} ÷ {fmt(best)}（最大增量）",
        contribution_rate=str(rate),
    )


def _value_added_context(params: Params, reported: Sequence[Mapping[str, Any]]) -> ColumnContext:
    increments = [v["current"] - v["last_year"] for v in reported]
    best = max(increments, default=ZERO)
    positive = sum((x for x in increments if x > 0), ZERO)
    return ColumnContext(best=best, positive_sum=positive)


# grade 定性等次 --------------------------------------------------------------


def _grade(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    grade: str = v["grade"]
    share: Decimal = params["shares"][grade]
    return _result(points * share, f"等次 {grade} → {fmt(points)} × {fmt(share)}")


def _grade_params(p: Params, points: Decimal | None) -> list[str]:
    if any(not _share_ok(share) for share in p["shares"].values()):
        return ["定性等次：得分比例必须在 0 至 1 之间"]
    return []


def _grade_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if v["grade"] not in p["shares"]:
        return [f"“等次”必须是 {' / '.join(p['shares'])} 之一"]
    return []


# staffing_task 编制任务比 ----------------------------------------------------


def _staffing(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    if s is None:
        raise ValueError("未登记编制数")
    if s <= 0:
        raise ValueError(f"编制数必须是正整数（现为 {s}）")
    base: Decimal = params["base"]
    completed: Decimal = v["completed"]
    required = Decimal(s) / base
    exact = points * _clamp_ratio(completed / required)
    if 0 < completed < required:
        exact = points * completed * base / s
    return _result(
        exact,
        f"应完成 {s} ÷ {fmt(base)} 项；"
        f"{fmt(points)} × min({fmt(completed)} ÷ ({s} ÷ {fmt(base)}), 1)",
    )


def _staffing_params(p: Params, points: Decimal | None) -> list[str]:
    if p["base"] <= 0:
        return ["编制任务比：基数必须大于0"]
    return []


def _staffing_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if v["completed"] < 0:
        return ["“完成重点任务数”不能为负"]
    return []


# evaluation 评议 --------------------------------------------------------------


def _evaluation(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    rating: Decimal = v["rating"]
    return _result(points * rating / 100, f"{fmt(points)} × {fmt(rating)} ÷ 100")


def _evaluation_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if not ZERO <= v["rating"] <= 100:
        return ["“评议得分”必须在 0 至 100 之间"]
    return []


# spot_accuracy 核验准确率 -------------------------------------------------------
# The inputs are derived, not typed: verification writes each assessed unit's spot-check
# counts (items checked, items found 不属实) as the indicator's entry.


def _percent(ratio: Decimal) -> str:
    return f"{fmt(q2(ratio * 100))}%"


def _spot_accuracy(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    checked: Decimal = v["checked"]
    wrong: Decimal = v["wrong"]
    standard: Decimal = params["standard"]
    if checked <= 0:
        return _result(points, f"未抽查核验，得满分 {fmt(points)}")
    accurate = checked - wrong
    counts = (
        f"核验 {fmt(checked)} 条，属实 {fmt(accurate)} 条、不属实 {fmt(wrong)} 条，"
        f"准确率 {_percent(accurate / checked)}"
    )
    if accurate >= standard * checked:
        return _result(points, f"{counts}，不低于 {_percent(standard)}，不扣分：{fmt(points)}")
    per: Decimal = params["per_wrong"]
    cap: Decimal = params["cap"] if params["cap"] is not None else points
    exact = max(points - min(per * wrong, cap), ZERO)
    return _result(
        exact,
        f"{counts}，低于 {_percent(standard)}："
        f"{fmt(points)} − min({fmt(per)} × {fmt(wrong)}, {fmt(cap)})",
    )


def _spot_accuracy_params(p: Params, points: Decimal | None) -> list[str]:
    errors = []
    if not ZERO < p["standard"] <= ONE:
        errors.append("核验准确率：准确率标准必须大于0且不超过1（如 0.9）")
    if p["per_wrong"] <= 0:
        errors.append("核验准确率：每条不属实扣分必须大于0")
    errors += _check_points_places("核验准确率：每条不属实扣分", p["per_wrong"])
    if p["cap"] is not None:
        if p["cap"] <= 0:
            errors.append("核验准确率：最多扣分必须大于0")
        errors += _check_points_places("核验准确率：最多扣分", p["cap"])
    return errors


def _spot_accuracy_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if v["wrong"] > v["checked"]:
        return ["“不属实条数”不能超过“核验条数”"]
    return []


# supervision_cards 督查督办红黄牌 ------------------------------------------------


def _supervision(
    points: Decimal, params: Params, v: Mapping[str, Any], c: ColumnContext, s: int | None
) -> Evaluation:
    per_red: Decimal = params["per_red"]
    per_yellow: Decimal = params["per_yellow"]
    cap: Decimal = points if params["cap"] is None else min(params["cap"], points)
    red: Decimal = v["red"]
    yellow: Decimal = v["yellow"]
    deducted = min(per_red * red + per_yellow * yellow, cap)
    exact = max(points - deducted, ZERO)
    return _result(
        exact,
        f"{fmt(points)} − min({fmt(per_red)} × {fmt(red)} + {fmt(per_yellow)} × {fmt(yellow)}, "
        f"{fmt(cap)})",
    )


def _supervision_params(p: Params, points: Decimal | None) -> list[str]:
    errors = []
    for name, label in (("per_red", "每张红牌扣分"), ("per_yellow", "每张黄牌扣分")):
        if p[name] < 0:
            errors.append(f"督查督办红黄牌：{label}不能为负")
        errors += _check_points_places(f"督查督办红黄牌：{label}", p[name])
    if p["cap"] is not None:
        if p["cap"] < 0:
            errors.append("督查督办红黄牌：扣分上限不能为负")
        errors += _check_points_places("督查督办红黄牌：扣分上限", p["cap"])
    return errors


def _supervision_input(v: Mapping[str, Any], p: Params, points: Decimal | None) -> list[str]:
    if v["red"] < 0 or v["yellow"] < 0:
        return ["红黄牌张数不能为负"]
    return []


_NUM = "decimal"
_LOWER = ParamSpec("lower_is_better", "bool", False, False, "越低越好")

METHODS: Mapping[str, MethodSpec] = {
    spec.code: spec
    for spec in (
        MethodSpec(
            DIRECT,
            "直接打分",
            (),
            (FieldSpec("score", "得分", _NUM),),
            _direct,
            "得分 = 录入得分（0 至分值）",
            input_check=_direct_input,
        ),
        MethodSpec(
            DEDUCTION,
            "按次扣分",
            (
                ParamSpec("per_occurrence", _NUM, True, None, "每次扣分"),
                ParamSpec("floor", _NUM, False, ZERO, "最低得分"),
            ),
            (FieldSpec("count", "扣分次数", "int"),),
            _deduction,
            "得分 = max(分值 − 每次扣分 × 次数, 最低得分)",
            param_check=_deduction_params,
        ),
        MethodSpec(
            COMPLETION,
            "完成率",
            (_LOWER, ParamSpec("zero_below", _NUM, False, ZERO, "零分线（完成率低于此值得0分）")),
            (FieldSpec("actual", "实际完成值", _NUM), FieldSpec("target", "目标值", _NUM)),
            _completion,
            "得分 = 分值 × min(实际 ÷ 目标, 1)（越低越好时为 目标 ÷ 实际）",
            param_check=_completion_params,
            input_check=_completion_input,
        ),
        MethodSpec(
            TIERED,
            "分档计分",
            (ParamSpec("tiers", "tiers", True, None, "档位"), _LOWER),
            (FieldSpec("value", "指标值", _NUM),),
            _tiered,
            "得分 = 分值 × 所达最高档的得分比例",
            param_check=_tiered_params,
        ),
        MethodSpec(
            RANK,
            "排名计分",
            (
                ParamSpec("mode", "choice", True, None, "计分方式", RANK_MODES),
                ParamSpec("points_by_rank", "decimal_list", False, (), "各名次分值"),
                ParamSpec("step", _NUM, False, None, "每名递减分值"),
                ParamSpec("floor", _NUM, False, ZERO, "最低得分"),
                ParamSpec("higher_is_better", "bool", False, True, "越高越好"),
            ),
            (FieldSpec("value", "指标值", _NUM),),
            _rank,
            "按类别内排名计分：固定分值 / 逐名递减 / 折合分（本单位值 ÷ 最优值 × 分值）",
            relative=True,
            param_check=_rank_params,
            context_builder=_rank_context,
        ),
        MethodSpec(
            YOY_GROWTH,
            "同比增幅",
            (ParamSpec("target_growth", _NUM, True, None, "目标增幅"),),
            (FieldSpec("current", "本期值", _NUM), FieldSpec("last_year", "上年同期值", _NUM)),
            _yoy,
            "得分 = 分值 × clamp(((本期 − 上年) ÷ |上年|) ÷ 目标增幅, 0, 1)",
            param_check=_yoy_params,
        ),
        MethodSpec(
            SCHEDULE_PROGRESS,
            "绩效进度",
            (),
            (FieldSpec("actual", "实际进度", _NUM), FieldSpec("planned", "计划进度", _NUM)),
            _schedule,
            "得分 = 分值 × min(实际进度 ÷ 计划进度, 1)",
            input_check=_schedule_input,
        ),
        MethodSpec(
            VALUE_ADDED,
            "增值贡献率",
            (),
            (FieldSpec("current", "本期值", _NUM), FieldSpec("last_year", "上年同期值", _NUM)),
            _value_added,
            "贡献率 = 本单位增量 ÷ 类别内正增量之和；得分 = 分值 × 本单位增量 ÷ 最大增量",
            relative=True,
            context_builder=_value_added_context,
        ),
        MethodSpec(
            GRADE,
            "定性等次",
            (ParamSpec("shares", "grade_shares", False, DEFAULT_GRADE_SHARES, "等次得分比例"),),
            (FieldSpec("grade", "等次", "grade"),),
            _grade,
            "得分 = 分值 × 等次得分比例（默认 A 1.0 / B 0.8 / C 0.6 / D 0.4）",
            param_check=_grade_params,
            input_check=_grade_input,
        ),
        MethodSpec(
            STAFFING_TASK,
            "编制任务比",
            (ParamSpec("base", _NUM, True, None, "每项重点任务的编制基数"),),
            (FieldSpec("completed", "完成重点任务数", _NUM),),
            _staffing,
            "应完成任务数 = 编制数 ÷ 基数；得分 = 分值 × min(完成数 ÷ 应完成任务数, 1)",
            uses_staffing=True,
            param_check=_staffing_params,
            input_check=_staffing_input,
        ),
        MethodSpec(
            EVALUATION,
            "评议",
            (),
            (FieldSpec("rating", "评议得分（百分制）", _NUM),),
            _evaluation,
            "得分 = 分值 × 评议得分 ÷ 100",
            input_check=_evaluation_input,
        ),
        MethodSpec(
            SPOT_ACCURACY,
            "核验准确率",
            (
                ParamSpec("standard", _NUM, False, Decimal("0.9"), "准确率标准"),
                ParamSpec("per_wrong", _NUM, True, None, "每条不属实扣分"),
                ParamSpec("cap", _NUM, False, None, "最多扣分"),
            ),
            (FieldSpec("checked", "核验条数", "int"), FieldSpec("wrong", "不属实条数", "int")),
            _spot_accuracy,
            "准确率低于标准时 得分 = 分值 − min(每条扣分 × 不属实条数, 最多扣分)",
            param_check=_spot_accuracy_params,
            input_check=_spot_accuracy_input,
        ),
        MethodSpec(
            SUPERVISION_CARDS,
            "督查督办红黄牌",
            (
                ParamSpec("per_red", _NUM, False, Decimal("0.5"), "每张红牌扣分"),
                ParamSpec("per_yellow", _NUM, False, Decimal("0.2"), "每张黄牌扣分"),
                ParamSpec("cap", _NUM, False, None, "扣分上限"),
            ),
            (FieldSpec("red", "红牌张数", "int"), FieldSpec("yellow", "黄牌张数", "int")),
            _supervision,
            "得分 = 分值 − min(每张红牌扣分 × 红牌 + 每张黄牌扣分 × 黄牌, 扣分上限)",
            param_check=_supervision_params,
            input_check=_supervision_input,
        ),
    )
}


def get_method(code: str) -> MethodSpec:
    """The spec of a method code; KeyError for an unknown code."""
    return METHODS[code]


def method_choices() -> list[tuple[str, str]]:
    """(code, Chinese label) pairs, e.g. for a Django ChoiceField."""
    return [(spec.code, spec.label) for spec in METHODS.values()]
