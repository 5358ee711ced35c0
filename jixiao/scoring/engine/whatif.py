"""What-if (情景模拟), pure: a category tree with the office's changes applied, and the
side-by-side comparison of two rankings. The changed tree is scored by the same engine
(`score_category`) on the run's own input, so a scenario is exactly what the year would
give with that scheme. Formulas in docs/analysis.md.

Changes of one category (JSON-able, as stored with a scenario):

    {"points": {"1.1.1": "30"},          # a node's new points; siblings absorb the rest
     "drop": ["1.2.2"],                   # remove an indicator; siblings absorb its points
     "params": {"1.1.1": {"tiers": ...}}, # a leaf's method parameters (merged)
     "methods": {"1.1.1": "rank"},        # another method reading the same input fields
     "rules": {"excellent_share": "0.2"}} # grade / award / warning rules (see analysis)

Points always keep the tree valid: a node's siblings are rescaled in proportion to
their points so that the parent keeps its points (the largest remainders take the last
0.0001), and a node's own subtree is rescaled with it, point-valued parameters included
(扣分 per occurrence, 排名 points), so every unit stays on the same scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from .columns import CategoryData, NumberColumn
from .compute import CategoryResult, _aggregate, _finish, _leaf_column, score_category
from .errors import InputError, SchemeError
from .fixed import Q4, SCORE_DIGITS, as_decimal, fmt, places, scaled, unscaled
from .methods import METHODS
from .scheme import CompiledTree
from .types import KIND_BONUS_PENALTY, CategoryTree, Node

#: Parameters written in points, rescaled with their leaf.
POINT_PARAMS: Mapping[str, tuple[str, ...]] = {
    "deduction": ("per_occurrence", "floor"),
    "rank": ("points_by_rank", "step", "floor"),
}
CHANGE_KEYS = ("points", "drop", "params", "methods", "rules")
#: Input fields entered in points (直接打分): kept as the same share of the leaf's points.
POINT_INPUTS: Mapping[str, tuple[str, ...]] = {"direct": ("score",)}


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` (equal shares when they are all 0),
    largest remainders first, so the parts add up exactly."""
    if not weights:
        return []
    if sum(weights) <= 0:
        weights = [1] * len(weights)
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _scale_params(node: Node, factor: Decimal) -> Mapping[str, Any]:
    names = POINT_PARAMS.get(node.method or "", ())
    if not names or factor == 1:
        return node.params
    params = dict(node.params)
    for name in names:
        value = params.get(name)
        if isinstance(value, list | tuple):
            params[name] = [_times(v, factor) for v in value]
        elif value is not None:
            params[name] = _times(value, factor)
    return params


def _times(value: Any, factor: Decimal) -> str:
    number = as_decimal(value)
    if number is None:
        return str(value)
    return str((number * factor).quantize(Q4, rounding=ROUND_HALF_UP))


def _with(node: Node, **changes: Any) -> Node:
    """`dataclasses.replace` for a Node without re-running its frozen __init__ (a
    province-wide scenario copies ~9,000 nodes; replace costs 30 µs each)."""
    copy = object.__new__(Node)
    copy.__dict__.update(node.__dict__)
    copy.__dict__.update(changes)
    return copy


class _Tree:
    def __init__(self, tree: CategoryTree) -> None:
        self.tree = tree
        self.nodes: dict[str, Node] = {n.code: n for n in tree.nodes}
        self.points: dict[str, int] = {n.code: scaled(n.points, SCORE_DIGITS) for n in tree.nodes}
        self.kids: dict[str | None, list[str]] = {}
        for n in tree.nodes:
            if n.kind != KIND_BONUS_PENALTY:
                self.kids.setdefault(n.parent_code, []).append(n.code)

    def children(self, code: str | None) -> list[str]:
        return [c for c in self.kids.get(code, ()) if c in self.nodes]

    def budget(self, code: str | None) -> int:
        if code is None:
            return scaled(self.tree.scale, SCORE_DIGITS)
        return self.points[code]

    def name(self, code: str) -> str:
        return f"“{code} {self.nodes[code].name}”"

    def rescale(self, code: str, new: int) -> None:
        """Give `code` `new` points, its subtree in proportion."""
        old = self.points[code]
        self.points[code] = new
        kids = self.children(code)
        if kids:
            self.distribute(new, kids, old)
        elif old and new != old:
            node = self.nodes[code]
            self.nodes[code] = _with(node, params=_scale_params(node, Decimal(new) / Decimal(old)))

    def distribute(self, total: int, kids: list[str], before: int) -> None:
        """Share `total` among `kids` (which shared `before`) in proportion. Unit-specific
        children (个性指标 variants) count once, as one block: every unit sees the same
        sum of them (`before` − the others), so each is scaled by the block's factor."""
        plain = [k for k in kids if self.nodes[k].units is None]
        variants = [k for k in kids if self.nodes[k].units is not None]
        weights = [self.points[k] for k in plain]
        if variants:
            block_before = before - sum(weights)
            block = _allocate(total, [*weights, block_before])[-1]
            for kid in variants:
                share = self.points[kid] * block
                scaled_kid = (
                    (2 * share + block_before) // (2 * block_before) if block_before > 0 else 0
                )
                self.rescale(kid, scaled_kid)
            # Rounding each variant may move the block by 0.0001: the others take what
            # every unit's variants now add up to (when that is the same for every unit).
            sums = {
                sum(self.points[k] for k in variants if unit in (self.nodes[k].units or ()))
                for unit in set().union(*(self.nodes[k].units or () for k in variants))
            }
            if len(sums) == 1:
                block = sums.pop()
            total -= block
        for kid, part in zip(plain, _allocate(total, weights), strict=True):
            self.rescale(kid, part)

    def refuse_variant(self, code: str) -> None:
        if self.nodes[code].units is not None:
            raise SchemeError(
                [f"指标{self.name(code)}只适用于部分单位，请通过其上级指标调整分值或删除"]
            )

    def set_points(self, code: str, value: Decimal) -> None:
        node = self.nodes[code]
        self.refuse_variant(code)
        if node.kind == KIND_BONUS_PENALTY:
            raise SchemeError([f"加扣分指标{self.name(code)}按上限计分，不能改分值"])
        if value < 0 or places(value) > SCORE_DIGITS:
            raise SchemeError([f"指标{self.name(code)}的分值不能为负，且最多4位小数"])
        new = scaled(value, SCORE_DIGITS)
        budget = self.budget(node.parent_code)
        siblings = [c for c in self.children(node.parent_code) if c != code]
        if new > budget:
            raise SchemeError(
                [f"指标{self.name(code)}的分值不能超过上级的 {fmt(unscaled(budget, 4))} 分"]
            )
        if not siblings and new != budget:
            raise SchemeError([f"指标{self.name(code)}是唯一的下级指标，分值须等于上级分值"])
        if self.children(code) and self.points[code] == 0 and new:
            raise SchemeError([f"指标{self.name(code)}原为 0 分，无法按比例分配给下级"])
        before = budget - self.points[code]
        self.rescale(code, new)
        self.distribute(budget - new, siblings, before)

    def drop(self, code: str) -> None:
        node = self.nodes[code]
        self.refuse_variant(code)
        siblings = (
            [c for c in self.children(node.parent_code) if c != code]
            if node.kind != KIND_BONUS_PENALTY
            else []
        )
        if node.kind != KIND_BONUS_PENALTY and not siblings:
            raise SchemeError([f"指标{self.name(code)}是唯一的下级指标，不能删除（可删除其上级）"])
        dropped = self.points[code]
        gone = {code}
        changed = True
        while changed:
            more = {n.code for n in self.nodes.values() if n.parent_code in gone} - gone
            changed = bool(more)
            gone |= more
        for c in gone:
            del self.nodes[c]
            del self.points[c]
        if siblings:
            budget = self.budget(node.parent_code)
            self.distribute(budget, siblings, budget - dropped)

    def result(self) -> CategoryTree:
        nodes = tuple(
            _with(n, points=unscaled(self.points[n.code], SCORE_DIGITS))
            if n.kind != KIND_BONUS_PENALTY
            and scaled(n.points, SCORE_DIGITS) != self.points[n.code]
            else n
            for n in self.nodes.values()
        )
        return CategoryTree(self.tree.category_code, self.tree.scale, nodes)


def apply_changes(tree: CategoryTree, changes: Mapping[str, Any]) -> CategoryTree:
    """The tree with `changes` applied (see module doc); SchemeError lists what cannot be
    applied. Rules are not part of the tree (`changes["rules"]` is ignored here)."""
    work = _Tree(tree)
    problems: list[str] = []

    def known(code: str) -> bool:
        if code in work.nodes:
            return True
        problems.append(f"指标“{code}”不在类别“{tree.category_code}”中")
        return False

    for code in changes.get("drop", ()) or ():
        if known(code):
            try:
                work.drop(code)
            except SchemeError as error:
                problems.extend(error.problems)
    for code, value in sorted((changes.get("points") or {}).items()):
        if not known(code):
            continue
        number = as_decimal(value)
        if number is None:
            problems.append(f"指标“{code}”的分值“{value}”不是数字")
            continue
        try:
            work.set_points(code, number)
        except SchemeError as error:
            problems.extend(error.problems)
    for code, method in sorted((changes.get("methods") or {}).items()):
        if not known(code):
            continue
        node = work.nodes[code]
        spec = METHODS.get(method)
        current = METHODS.get(node.method or "")
        if spec is None or current is None:
            problems.append(f"指标{work.name(code)}：计分方法“{method}”不可用")
        elif spec.field_names() != current.field_names():
            problems.append(
                f"指标{work.name(code)}：“{spec.label}”需要的录入项与“{current.label}”不同，"
                "无法用本版本的数据模拟"
            )
        else:
            work.nodes[code] = replace(node, method=method, params={})
    for code, params in sorted((changes.get("params") or {}).items()):
        if known(code):
            node = work.nodes[code]
            work.nodes[code] = replace(node, params={**node.params, **dict(params)})
    if problems:
        raise SchemeError(problems)
    return work.result()


def scale_inputs(data: CategoryData, before: CategoryTree, after: CategoryTree) -> CategoryData:
    """The run's input with scores entered in points (直接打分) rescaled to the leaves' new
    points, half up to 4 decimals, so 8 of 10 becomes 12 of 15 rather than out of range."""
    old = {n.code: n.points for n in before.nodes}
    columns = dict(data.columns)
    changed = False
    for node in after.nodes:
        names = POINT_INPUTS.get(node.method or "", ())
        prior = old.get(node.code)
        column = columns.get(node.code)
        if not names or not prior or prior == node.points or column is None:
            continue
        fields = dict(column.fields)
        num, den = scaled(node.points, SCORE_DIGITS), scaled(prior, SCORE_DIGITS)
        for name in names:
            field = fields.get(name)
            if not isinstance(field, NumberColumn) or field.values.dtype == object:
                continue
            if field.digits > SCORE_DIGITS:
                continue
            values = field.values.astype(np.int64) * 10 ** (SCORE_DIGITS - field.digits)
            magnitude = (2 * np.abs(values) * num + den) // (2 * den)
            fields[name] = NumberColumn(
                np.where(values < 0, -magnitude, magnitude), SCORE_DIGITS, field.present
            )
            changed = True
        columns[node.code] = replace(column, fields=fields)
    return replace(data, columns=columns) if changed else data


def score_changed(
    base: CategoryResult, base_data: CategoryData, tree: CompiledTree, data: CategoryData
) -> CategoryResult:
    """`score_category(tree, data)`, reusing the column of `base` (scored from
    `base_data`) for every leaf that is unchanged (same node, same applicability, the
    very same input column): a change rescores only the leaves it touched. Exactly equal
    to a full scoring."""
    if data.unit_codes != base.unit_codes:
        return score_category(tree, data)
    problems = tree.unit_problems(data.unit_codes)
    if problems:
        raise SchemeError(f"类别“{tree.category_code}”：{p}" for p in problems)
    old = base.compiled
    old_leaves = set(old.scored_leaves)
    masks = tree.masks(data.unit_codes)
    scores = np.zeros((len(tree.nodes), len(data.unit_codes)), dtype=np.int64)
    missing = np.zeros(scores.shape, dtype=bool)
    messages: list[str] = []
    for node in tree.scored_leaves:
        spec = tree.nodes[node]
        before = old.index.get(spec.code)
        if (
            before in old_leaves
            and old.nodes[before] == spec
            and old.applies[before] == tree.applies[node]
            and base_data.columns.get(spec.code) is data.columns.get(spec.code)
        ):
            scores[node] = base.scores[before]
            missing[node] = base.missing[before]
            continue
        column, lacking, found = _leaf_column(tree, data, node, masks.get(node))
        scores[node] = column
        missing[node] = lacking
        messages.extend(found)
    if messages:
        raise InputError(f"类别“{tree.category_code}”{p}" for p in messages)
    _aggregate(tree, data, scores, masks)
    return _finish(tree, data, scores, missing)


# Comparison --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A unit's published figures and decisions in one ranking."""

    total: Decimal
    rank: int
    grade: str = ""
    awards: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Move:
    unit_code: str
    before: Standing
    after: Standing

    @property
    def total_change(self) -> Decimal:
        return self.after.total - self.before.total

    @property
    def rank_change(self) -> int:
        """Places risen (positive = up)."""
        return self.before.rank - self.after.rank

    @property
    def decision_changed(self) -> bool:
        b, a = self.before, self.after
        return (b.grade, b.awards, b.warnings) != (a.grade, a.awards, a.warnings)

    @property
    def changed(self) -> bool:
        return self.total_change != 0 or self.rank_change != 0 or self.decision_changed


def compare(
    before: Mapping[str, Standing], after: Mapping[str, Standing], order: Iterable[str]
) -> list[Move]:
    """Every unit of `order` (the scenario's display order), before and after."""
    return [Move(code, before[code], after[code]) for code in order]


__all__ = [
    "CHANGE_KEYS",
    "POINT_PARAMS",
    "Move",
    "Standing",
    "apply_changes",
    "compare",
    "scale_inputs",
    "score_changed",
]
