"""One entry's inputs and its leaf score, through the scoring engine's method registry.

The grid, the Excel upload and the workflow all go through `evaluate`, so the score
shown while typing is the score stored and the score reviewed. Relative methods (rank,
value added) need the whole category; their score is left empty until scoring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.collection.models import INPUT_COLUMNS
from jixiao.core.values import clean_text, parse_number
from jixiao.scheme.models import Indicator
from jixiao.scoring.engine.methods import (
    DEDUCTION,
    DIRECT,
    EVALUATION,
    GRADE,
    METHODS,
    FieldSpec,
    MethodSpec,
    parse_field,
)

# Entered fields that cannot be negative whatever the method says (counts, targets,
# completions). Growth methods may legitimately see negative values (a loss-making year).
NON_NEGATIVE = frozenset(
    {
        "score",
        "count",
        "actual",
        "target",
        "completed",
        "rating",
        "planned",
        "current",
        "checked",
        "wrong",
    }
)
NEGATIVE_ALLOWED_METHODS = frozenset({"yoy_growth", "value_added", "rank", "tiered"})
# Fields typed as percentages: "85%" means 85 there, 0.85 elsewhere.
PERCENT_FIELDS = frozenset({"rating"})
# Methods whose score is a judgment: losing points needs a written reason.
JUDGED_METHODS = frozenset({DIRECT, DEDUCTION, GRADE, EVALUATION})
# Entry.grade is CHAR(8); the engine's grades are one letter.
GRADE_MAX_LENGTH = 8
# Entry.score is DECIMAL(12, 4).
SCORE_LIMIT = Decimal(10) ** 8
COLUMN_LABELS = {
    "value": gettext_lazy("数值"),
    "reference": gettext_lazy("基准值"),
    "grade": gettext_lazy("等次"),
}


@dataclass(frozen=True)
class InputField:
    name: str  # engine field name
    label: str
    column: str  # Entry column: value / reference / grade
    type: str  # decimal / int / grade


@dataclass
class Outcome:
    """The result of evaluating one entry's inputs."""

    values: dict[str, Any] = field(default_factory=dict)  # Entry column -> parsed value
    errors: list[str] = field(default_factory=list)
    complete: bool = False
    relative: bool = False
    score: Decimal | None = None
    formula: str = ""
    reason_needed: str = ""  # why a reason is required, empty if it is not

    @property
    def ok(self) -> bool:
        return not self.errors


def method_of(indicator: Indicator) -> MethodSpec | None:
    return METHODS.get(indicator.method)


def input_fields(indicator: Indicator) -> list[InputField]:
    spec = method_of(indicator)
    if spec is None:
        return []
    return [_field(f) for f in spec.fields]


def _field(spec: FieldSpec) -> InputField:
    return InputField(spec.name, spec.label, INPUT_COLUMNS[spec.name], spec.type)


def field_hint(indicator: Indicator) -> str:
    """'数值=实际完成值；基准值=目标值' for the Excel template."""
    return "；".join(f"{COLUMN_LABELS[f.column]}={f.label}" for f in input_fields(indicator))


def parse_column(f: InputField, raw: Any) -> Any:
    """Parse one typed cell; raises ValueError with a Chinese message."""
    if f.type == "grade":
        if raw is None:
            return None
        text = str(raw).strip().upper()
        if len(text) > GRADE_MAX_LENGTH or not text.isprintable():
            raise ValueError(_("不是有效的等次"))
        return text or None
    # Rounded to the column here, so the score is computed from the value stored.
    return parse_number(raw, percent=f.name in PERCENT_FIELDS)


def evaluate(
    indicator: Indicator,
    points: Decimal | None,
    staffing: int | None,
    raw: Mapping[str, Any],
    *,
    heavy_share: Decimal,
    reason: str = "",
) -> Outcome:
    """Parse raw column values (`value`, `reference`, `grade`) and compute the leaf score."""
    spec = method_of(indicator)
    out = Outcome()
    if spec is None:
        out.errors.append(_("指标“%(code)s”未设置计分方法") % {"code": indicator.code})
        return out
    try:
        clean_text(reason)
    except ValueError as error:
        out.errors.append(_("计分说明%(e)s") % {"e": error})
    fields = input_fields(indicator)
    engine_values: dict[str, Any] = {}
    for f in fields:
        try:
            value = parse_column(f, raw.get(f.column))
        except ValueError as error:
            out.errors.append(f"“{f.label}”：{error}")
            continue
        out.values[f.column] = value
        if value is None:
            continue
        if (
            f.type != "grade"
            and value < 0
            and f.name in NON_NEGATIVE
            and spec.code not in NEGATIVE_ALLOWED_METHODS
        ):
            out.errors.append(_("“%(label)s”不能为负数") % {"label": f.label})
            continue
        engine_values[f.name] = value if f.type == "grade" else str(value)
    if out.errors:
        return out
    out.complete = all(out.values.get(f.column) is not None for f in fields)
    if not out.complete:
        return out
    out.errors.extend(spec.validate_input(engine_values, indicator.params, points))
    if out.errors:
        return out
    if spec.relative:
        out.relative = True
        return out
    if points is None:
        out.errors.append(_("该单位所在类别未设置本指标分值"))
        return out
    if spec.uses_staffing:
        if staffing is None:
            out.errors.append(_("该单位未登记编制数，无法按编制任务比计分"))
            return out
        if staffing <= 0:
            out.errors.append(
                _("该单位的编制数为 %(n)s：编制数必须是正整数，请先在考核对象中更正")
                % {"n": staffing}
            )
            return out
    parsed: dict[str, Any] = {}
    for spec_field in spec.fields:
        parsed[spec_field.name], _error = parse_field(spec_field, engine_values[spec_field.name])
    result = spec.evaluate(
        points, spec.normalize_params(indicator.params), parsed, staffing=staffing
    )
    if abs(result.score) >= SCORE_LIMIT:
        out.errors.append(_("计算得分超出范围，请核对填报的数值"))
        return out
    out.score = result.score
    out.formula = result.formula
    out.reason_needed = reason_requirement(spec.code, result.score, points, heavy_share)
    if out.reason_needed and not reason.strip():
        out.errors.append(out.reason_needed)
    return out


def heavy_threshold(points: Decimal, heavy_share: Decimal) -> Decimal:
    return points * (1 - heavy_share)


def reason_requirement(method: str, score: Decimal, points: Decimal, heavy_share: Decimal) -> str:
    """Why this score needs a written reason ('' if it does not).

    Full marks and heavy deductions always do (they also need the leader's second
    confirmation); so does any points lost on a judged indicator (直接打分、按次扣分、
    定性等次、评议), where no formula explains the loss.
    """
    if score >= points:
        return _("满分须填写计分说明（依据）")
    if score <= heavy_threshold(points, heavy_share):
        return _("得分低于正常范围（重大扣分），须填写扣分原因")
    if method in JUDGED_METHODS:
        return _("扣分须填写扣分原因")
    return ""


def needs_confirmation(score: Decimal | None, points: Decimal | None, heavy_share: Decimal) -> bool:
    """Full marks or a heavy deduction: the department's leader confirms (Liwan)."""
    if score is None or points is None:
        return False
    return score >= points or score <= heavy_threshold(points, heavy_share)
