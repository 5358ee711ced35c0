"""Explanations: from a unit's total down to every leaf's raw values and formula.

Leaf formulas come from the exact scalar evaluation (`MethodSpec.evaluate`); the figure
printed must equal the score the fast path computed, and `explain` raises if it does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .caps import CappedSum
from .columns import CategoryData
from .compute import CategoryResult
from .fixed import SCORE_DIGITS, fmt, unscaled
from .methods import ColumnContext
from .types import KIND_BONUS_PENALTY, KIND_LABELS

MISSING_TEXT = "未报送数据"


@dataclass(frozen=True)
class EventLine:
    points: Decimal
    description: str
    ref: Any = None


@dataclass(frozen=True)
class FieldValue:
    name: str
    label: str
    value: str | None


@dataclass(frozen=True)
class ExplanationNode:
    code: str
    name: str
    level: int
    kind: str
    kind_label: str
    points: Decimal
    score: Decimal
    #: Points lost (分值 − 得分) for scored nodes; None for bonus_penalty nodes.
    lost: Decimal | None
    method: str | None
    method_label: str | None
    values: tuple[FieldValue, ...]
    formula: str
    missing: bool
    events: tuple[EventLine, ...]
    ref: Any
    children: tuple[ExplanationNode, ...]
    #: For a bonus_penalty node past a cap, what was counted, e.g. "扣分 7 分，按上限计 5 分".
    cap_note: str = ""

    def walk(self) -> Iterator[ExplanationNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Explanation:
    unit_code: str
    category_code: str
    scale: Decimal
    total: Decimal
    total_exact: Decimal
    rank: int
    units_in_category: int
    formula: str
    missing: tuple[str, ...]
    nodes: tuple[ExplanationNode, ...]

    def walk(self) -> Iterator[ExplanationNode]:
        for node in self.nodes:
            yield from node.walk()

    def as_text(self) -> str:
        """A plain-text report card section (成绩单明细)."""
        lines = [
            f"单位 {self.unit_code}（类别 {self.category_code}，满分 {fmt(self.scale)}）",
            f"总分 {self.total}（{self.formula}），类别内第 {self.rank} 名"
            f" / {self.units_in_category}",
        ]
        for node in self.walk():
            indent = "  " * node.level
            head = f"{indent}{node.code} {node.name}：{node.score}"
            if node.lost is not None:
                head += f"（分值 {fmt(node.points)}，失分 {node.lost}）"
            lines.append(head)
            if node.method_label:
                lines.append(f"{indent}  {node.method_label}：{node.formula}")
            for event in node.events:
                lines.append(f"{indent}  {event.points:+} {event.description}")
        return "\n".join(lines)


def explain(result: CategoryResult, data: CategoryData, unit_code: str) -> Explanation:
    """The explanation tree of one unit (its own data only; peers appear only as the
    context a relative method needs, e.g. the best value).

    Indicators that do not apply to the unit (other units' 个性指标, `Node.units`) are
    left out, as a unit may not read them either; every sum shown is over the applicable
    children only, so the figures still add up.
    """
    compiled = result.compiled
    row = result.rows[unit_code]
    masks = result.masks

    def applies(node: int) -> bool:
        mask = masks.get(node)
        return mask is None or bool(mask[row])

    if data.unit_codes != result.unit_codes:
        raise ValueError("data and result are for different units")
    staffing = int(data.staffing[row])
    events_by_node: dict[str, list[EventLine]] = {}
    for event in data.events:
        if event.unit_code == unit_code:
            events_by_node.setdefault(event.indicator_code, []).append(
                EventLine(Decimal(event.points), event.description, event.ref)
            )

    # Counted (bonuses, deductions) of the bonus_penalty nodes explained so far.
    counted: dict[str, tuple[Decimal, Decimal]] = {}

    def score_of(node: int) -> Decimal:
        return unscaled(int(result.scores[node, row]), SCORE_DIGITS)

    def build(node: int) -> ExplanationNode:
        spec = compiled.nodes[node]
        kids = tuple(build(k) for k in compiled.children[node] if applies(k))
        score = score_of(node)
        bonus = spec.kind == KIND_BONUS_PENALTY
        events = tuple(events_by_node.get(spec.code, ()))
        method = compiled.methods[node]
        values: tuple[FieldValue, ...] = ()
        cap_note = ""
        missing = bool(result.missing[node, row]) if method is not None else False
        ref = None
        if method is not None:
            column = data.columns.get(spec.code)
            raw = column.values_at(row) if column is not None else {}
            ref = column.ref_at(row) if column is not None else None
            values = tuple(
                FieldValue(
                    f.name,
                    f.label,
                    None if raw.get(f.name) is None else _show(raw[f.name]),
                )
                for f in method.fields
            )
            if missing:
                absent = [v.label for v in values if v.value is None]
                formula = f"{MISSING_TEXT}（缺少：{'、'.join(absent)}）→ {score}"
            else:
                formula = _leaf_formula(result, data, node, row, staffing, score)
        elif bonus:
            capped = CappedSum(
                sum((counted[c.code][0] for c in kids), Decimal(0))
                + sum((e.points for e in events if e.points > 0), Decimal(0)),
                sum((counted[c.code][1] for c in kids), Decimal(0))
                - sum((e.points for e in events if e.points < 0), Decimal(0)),
                spec.bonus_cap,
                spec.penalty_cap,
            )
            if capped.net != score:
                raise RuntimeError(
                    f"explanation mismatch for {unit_code}/{spec.code}: {capped.net} != {score}"
                )
            counted[spec.code] = (capped.bonus_counted, capped.penalty_counted)
            formula = f"{capped.text()} → {score}"
            cap_note = capped.note()
        else:
            formula = f"{_sum_text([c.score for c in kids])} = {score}"
        return ExplanationNode(
            code=spec.code,
            name=spec.name,
            level=spec.level,
            kind=spec.kind,
            kind_label=KIND_LABELS.get(spec.kind, spec.kind),
            points=spec.points,
            score=score,
            lost=None if bonus else spec.points - score,
            method=method.code if method else None,
            method_label=method.label if method else None,
            values=values,
            formula=formula,
            missing=missing,
            events=events,
            ref=ref,
            children=kids,
            cap_note=cap_note,
        )

    nodes = tuple(build(i) for i in compiled.top if applies(i))
    unit = result.unit(unit_code)
    total_formula = f"{_sum_text([n.score for n in nodes])} = {unit.total_exact}"
    if unit.total_exact != unit.total:
        total_formula += f" ≈ {unit.total}"
    return Explanation(
        unit_code=unit_code,
        category_code=result.category_code,
        scale=result.scale,
        total=unit.total,
        total_exact=unit.total_exact,
        rank=unit.rank,
        units_in_category=unit.units_in_category,
        formula=total_formula,
        missing=unit.missing,
        nodes=nodes,
    )


def _leaf_formula(
    result: CategoryResult,
    data: CategoryData,
    node: int,
    row: int,
    staffing: int,
    score: Decimal,
) -> str:
    compiled = result.compiled
    spec = compiled.nodes[node]
    method = compiled.methods[node]
    params = compiled.params[node]
    assert method is not None
    assert params is not None
    column = data.columns[spec.code]
    context = ColumnContext()
    if method.relative:
        mask = result.masks.get(node)
        ok = (column.ok if mask is None else column.ok & mask).tolist()
        reported = [column.values_at(r) for r, flag in enumerate(ok) if flag]
        context = method.column_context(params, reported)
    evaluation = method.evaluate(
        spec.points, params, column.values_at(row), context, staffing if staffing >= 0 else None
    )
    if evaluation.score != score:
        raise RuntimeError(
            f"explanation mismatch for {result.unit_codes[row]}/{spec.code}: "
            f"{evaluation.score} != {score}"
        )
    return evaluation.formula


def _show(value: Any) -> str:
    return fmt(value) if isinstance(value, Decimal) else str(value)


def _sum_text(parts: list[Decimal]) -> str:
    if not parts:
        return "0"
    text = str(parts[0])
    for part in parts[1:]:
        text += f" − {-part}" if part < 0 else f" + {part}"
    return text
