"""Validation and compilation of a category's indicator tree (指标体系)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np

from .errors import SchemeError
from .fixed import SCORE_DIGITS, IntArray, fmt, places, scaled
from .methods import METHODS, FieldSpec, MethodSpec
from .types import KIND_BONUS_PENALTY, KINDS, CategoryTree, Node


@dataclass(frozen=True, eq=False)
class CompiledTree:
    """A validated tree laid out for scoring. Node indexes follow `nodes` (display order:
    depth first, siblings by sort_order then code)."""

    tree: CategoryTree
    nodes: tuple[Node, ...]
    index: Mapping[str, int]
    parent: tuple[int, ...]
    children: tuple[tuple[int, ...], ...]
    points4: tuple[int, ...]
    scored_leaves: tuple[int, ...]
    bonus_nodes: tuple[int, ...]
    top: tuple[int, ...]
    methods: tuple[MethodSpec | None, ...]
    params: tuple[Mapping[str, Any] | None, ...]
    caps4: tuple[tuple[int | None, int | None], ...]
    #: (node, children, is_bonus) for every non-leaf or bonus node, deepest level first.
    passes: tuple[tuple[int, tuple[int, ...], bool], ...]
    #: Effective applicability per node: the intersection of its own `units` and its
    #: ancestors' (None = every unit of the category).
    applies: tuple[frozenset[str] | None, ...] = ()
    _cache: dict[tuple[str, tuple[str, ...]], Any] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def category_code(self) -> str:
        return self.tree.category_code

    @property
    def scale(self) -> Decimal:
        return self.tree.scale

    @cached_property
    def leaf_fields(self) -> Mapping[str, tuple[FieldSpec, ...]]:
        result: dict[str, tuple[FieldSpec, ...]] = {}
        for i in self.scored_leaves:
            method = self.methods[i]
            assert method is not None
            result[self.nodes[i].code] = method.fields
        return result

    @cached_property
    def bonus_codes(self) -> tuple[str, ...]:
        return tuple(self.nodes[i].code for i in self.bonus_nodes)

    @cached_property
    def ancestors(self) -> tuple[tuple[int, ...], ...]:
        result = []
        for i in range(len(self.nodes)):
            chain = []
            parent = self.parent[i]
            while parent >= 0:
                chain.append(parent)
                parent = self.parent[parent]
            result.append(tuple(chain))
        return tuple(result)

    @cached_property
    def restricted(self) -> tuple[int, ...]:
        """Nodes that do not apply to every unit."""
        return tuple(i for i, units in enumerate(self.applies) if units is not None)

    def masks(self, unit_codes: Sequence[str]) -> Mapping[int, IntArray]:
        """For every restricted node, a read-only boolean row per unit (True = applies).
        Unrestricted nodes are absent. Cached per unit list."""
        key = ("masks", tuple(unit_codes))
        cached = self._cache.get(key)
        if cached is None:
            cached = {}
            for i in self.restricted:
                units = self.applies[i]
                assert units is not None
                mask = np.fromiter((u in units for u in key[1]), dtype=bool, count=len(key[1]))
                mask.flags.writeable = False
                cached[i] = mask
            self._remember(key, cached)
        return cached

    def unit_problems(self, unit_codes: Sequence[str]) -> list[str]:
        """Per-unit sums (see `validate_tree`) for these units; cached per unit list."""
        if not self.restricted:
            return []
        key = ("problems", tuple(unit_codes))
        cached = self._cache.get(key)
        if cached is None:
            cached = _unit_sum_problems(self.tree, self.applies_by_code, key[1])
            self._remember(key, cached)
        return list(cached)

    @cached_property
    def applies_by_code(self) -> Mapping[str, frozenset[str] | None]:
        return {node.code: self.applies[i] for i, node in enumerate(self.nodes)}

    def _remember(self, key: tuple[str, tuple[str, ...]], value: Any) -> None:
        if len(self._cache) >= 16:
            self._cache.clear()
        self._cache[key] = value

    @cached_property
    def outer_bonus_caps(self) -> tuple[Decimal, Decimal]:
        """(sum of bonus caps, sum of penalty caps) of the outermost bonus_penalty nodes."""
        bonus = Decimal(0)
        penalty = Decimal(0)
        for i in self.bonus_nodes:
            parent = self.parent[i]
            if parent >= 0 and self.nodes[parent].kind == KIND_BONUS_PENALTY:
                continue
            node = self.nodes[i]
            bonus += node.bonus_cap or 0
            penalty += node.penalty_cap or 0
        return bonus, penalty


def validate_tree(tree: CategoryTree, unit_codes: Iterable[str] | None = None) -> list[str]:
    """Chinese messages for every problem in the tree (empty when it can be scored).

    Points add up per node: the children of a node add up to its points and the level-1
    nodes to the scale. When some child applies only to some units (`Node.units`), the sum
    is taken per unit over the children that apply to that unit, so every unit is scored on
    the same scale; this needs the category's units (`unit_codes`). Without them those
    per-unit sums are left to scoring time (`score_category` checks them for the units it
    scores).
    """
    errors: list[str] = []
    if tree.scale <= 0:
        errors.append("满分必须大于0（百分制 100 或千分制 1000）")
    by_code: dict[str, Node] = {}
    for node in tree.nodes:
        if node.code in by_code:
            errors.append(f"指标编码“{node.code}”重复")
        by_code[node.code] = node
    children: dict[str | None, list[Node]] = {}
    for node in tree.nodes:
        children.setdefault(node.parent_code, []).append(node)
    applies = _effective_units(tree.nodes, by_code) if not errors else {}
    for node in tree.nodes:
        kids = children.get(node.code, [])
        per_unit = _has_restricted_children(node.code, kids, applies)
        errors.extend(_validate_node(node, by_code, kids, per_unit))
    top = children.get(None, [])
    top_points = sum((n.points for n in top if n.kind != KIND_BONUS_PENALTY), Decimal(0))
    if errors:
        return errors
    if not _has_restricted_children(None, top, applies) and top_points != tree.scale:
        errors.append(f"一级指标分值合计 {fmt(top_points)} 与满分 {fmt(tree.scale)} 不一致")
    if unit_codes is not None and any(units is not None for units in applies.values()):
        errors.extend(_unit_sum_problems(tree, applies, sorted(set(unit_codes))))
    return errors


def _effective_units(
    nodes: Iterable[Node], by_code: Mapping[str, Node]
) -> dict[str, frozenset[str] | None]:
    """Each node's own `units` intersected with its ancestors' (None = every unit)."""
    result: dict[str, frozenset[str] | None] = {}

    def effective(node: Node, depth: int = 0) -> frozenset[str] | None:
        if node.code in result:
            return result[node.code]
        parent = by_code.get(node.parent_code) if node.parent_code is not None else None
        inherited = effective(parent, depth + 1) if parent is not None and depth < 8 else None
        own = node.units
        value = own if inherited is None else inherited if own is None else inherited & own
        result[node.code] = value
        return value

    for node in nodes:
        effective(node)
    return result


def _has_restricted_children(
    code: str | None, kids: Sequence[Node], applies: Mapping[str, frozenset[str] | None]
) -> bool:
    """Whether some scored child applies to fewer units than its parent (then the parent's
    points are checked unit by unit)."""
    mine = applies.get(code) if code is not None else None
    return any(k.kind != KIND_BONUS_PENALTY and applies.get(k.code) != mine for k in kids)


def _unit_label(units: Sequence[str]) -> str:
    listed = "、".join(units[:5])
    return f"{listed}等{len(units)}个单位" if len(units) > 5 else listed


def _unit_sum_problems(
    tree: CategoryTree,
    applies: Mapping[str, frozenset[str] | None],
    unit_codes: Sequence[str],
) -> list[str]:
    """For every unit, the applicable children of each applicable node add up to the
    node's points and the applicable level-1 nodes to the scale. Units to which the same
    restricted nodes apply are checked together and named together."""
    restricted = [(code, units) for code, units in applies.items() if units is not None]
    views: dict[frozenset[str], list[str]] = {}
    for unit in unit_codes:
        signature = frozenset(code for code, units in restricted if unit in units)
        views.setdefault(signature, []).append(unit)
    children: dict[str | None, list[Node]] = {}
    for node in tree.nodes:
        children.setdefault(node.parent_code, []).append(node)
    checked = [
        (node, kids)
        for node in tree.nodes
        if node.kind != KIND_BONUS_PENALTY
        and (kids := children.get(node.code, []))
        and _has_restricted_children(node.code, kids, applies)
    ]
    top = children.get(None, [])
    check_top = _has_restricted_children(None, top, applies)
    problems: list[str] = []
    for signature, units in views.items():

        def applicable(node: Node, signature: frozenset[str] = signature) -> bool:
            return applies[node.code] is None or node.code in signature

        who = f"单位“{_unit_label(units)}”"
        for node, kids in checked:
            if not applicable(node):
                continue
            total = sum(
                (k.points for k in kids if k.kind != KIND_BONUS_PENALTY and applicable(k)),
                Decimal(0),
            )
            if total != node.points:
                problems.append(
                    f"{who}：指标“{node.code} {node.name}”适用的下级指标分值合计 {fmt(total)}"
                    f" 与本指标分值 {fmt(node.points)} 不一致"
                )
        if check_top:
            total = sum(
                (n.points for n in top if n.kind != KIND_BONUS_PENALTY and applicable(n)),
                Decimal(0),
            )
            if total != tree.scale:
                problems.append(
                    f"{who}：适用的一级指标分值合计 {fmt(total)} 与满分 {fmt(tree.scale)} 不一致"
                )
    return problems


def _validate_node(
    node: Node, by_code: Mapping[str, Node], kids: list[Node], per_unit: bool = False
) -> list[str]:
    where = f"指标“{node.code} {node.name}”"
    errors: list[str] = []
    if node.units is not None and not node.units:
        errors.append(f"{where}：适用单位不能为空（不限单位时不设适用单位）")
    if node.kind not in KINDS:
        errors.append(f"{where}：类型“{node.kind}”无效")
    if not 1 <= node.level <= 3:
        errors.append(f"{where}：层级必须为 1 至 3")
    parent = by_code.get(node.parent_code) if node.parent_code is not None else None
    if node.parent_code is None and node.level != 1:
        errors.append(f"{where}：没有上级指标时层级必须为 1")
    if node.parent_code is not None:
        if parent is None:
            errors.append(f"{where}：上级指标“{node.parent_code}”不存在")
        elif node.level != parent.level + 1:
            errors.append(f"{where}：层级必须比上级指标多 1")
    if node.points < 0 or places(node.points) > SCORE_DIGITS:
        errors.append(f"{where}：分值不能为负，且最多{SCORE_DIGITS}位小数")
    bonus = node.kind == KIND_BONUS_PENALTY
    if bonus:
        errors.extend(_validate_bonus(node, parent, kids, where))
        return errors
    if parent is not None and parent.kind == KIND_BONUS_PENALTY:
        errors.append(f"{where}：加扣分指标下只能设加扣分指标")
    if kids:
        if node.method:
            errors.append(f"{where}：非末级指标不设计分方法")
        total = sum((k.points for k in kids if k.kind != KIND_BONUS_PENALTY), Decimal(0))
        if not per_unit and total != node.points:
            errors.append(
                f"{where}：下级指标分值合计 {fmt(total)} 与本指标分值 {fmt(node.points)} 不一致"
            )
        return errors
    if not node.method:
        errors.append(f"{where}：末级指标必须设置计分方法")
    elif node.method not in METHODS:
        errors.append(f"{where}：计分方法“{node.method}”不存在")
    else:
        for message in METHODS[node.method].validate_params(node.params, node.points):
            errors.append(f"{where}：{message}")
    return errors


def _validate_bonus(node: Node, parent: Node | None, kids: list[Node], where: str) -> list[str]:
    errors: list[str] = []
    if node.method:
        errors.append(f"{where}：加扣分指标由加扣分事项计分，不设计分方法")
    if any(k.kind != KIND_BONUS_PENALTY for k in kids):
        errors.append(f"{where}：加扣分指标下只能设加扣分指标")
    outermost = parent is None or parent.kind != KIND_BONUS_PENALTY
    for label, cap in (("加分上限", node.bonus_cap), ("扣分上限", node.penalty_cap)):
        if cap is None:
            if outermost:
                errors.append(f"{where}：必须设置{label}")
        elif cap < 0 or places(cap) > SCORE_DIGITS:
            errors.append(f"{where}：{label}不能为负，且最多{SCORE_DIGITS}位小数")
    return errors


def _display_order(tree: CategoryTree) -> list[Node]:
    children: dict[str | None, list[Node]] = {}
    for node in tree.nodes:
        children.setdefault(node.parent_code, []).append(node)
    ordered: list[Node] = []

    def visit(parent: str | None) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: (n.sort_order, n.code)):
            ordered.append(node)
            visit(node.code)

    visit(None)
    return ordered


def compile_tree(tree: CategoryTree, unit_codes: Iterable[str] | None = None) -> CompiledTree:
    """Validate and lay out a tree; raises SchemeError listing every problem. With
    `unit_codes`, the per-unit sums are checked now rather than when scoring."""
    errors = validate_tree(tree, unit_codes)
    if errors:
        raise SchemeError(errors)
    nodes = _display_order(tree)
    by_code = {n.code: n for n in nodes}
    effective = _effective_units(nodes, by_code)
    index = {node.code: i for i, node in enumerate(nodes)}
    parent = tuple(index[n.parent_code] if n.parent_code is not None else -1 for n in nodes)
    kids: list[list[int]] = [[] for _ in nodes]
    for i, p in enumerate(parent):
        if p >= 0:
            kids[p].append(i)
    methods: list[MethodSpec | None] = []
    params: list[Mapping[str, Any] | None] = []
    for node in nodes:
        spec = METHODS[node.method] if node.method and not kids[index[node.code]] else None
        methods.append(spec)
        params.append(spec.normalize_params(node.params) if spec else None)
    scored = tuple(i for i, n in enumerate(nodes) if not kids[i] and n.kind != KIND_BONUS_PENALTY)
    bonus = tuple(i for i, n in enumerate(nodes) if n.kind == KIND_BONUS_PENALTY)
    passes = tuple(
        (i, tuple(kids[i]), nodes[i].kind == KIND_BONUS_PENALTY)
        for i in sorted(
            (i for i in range(len(nodes)) if kids[i] or nodes[i].kind == KIND_BONUS_PENALTY),
            key=lambda i: (-nodes[i].level, i),
        )
    )
    caps = tuple(
        (
            scaled(n.bonus_cap, SCORE_DIGITS) if n.bonus_cap is not None else None,
            scaled(n.penalty_cap, SCORE_DIGITS) if n.penalty_cap is not None else None,
        )
        for n in nodes
    )
    return CompiledTree(
        tree=tree,
        nodes=tuple(nodes),
        index=index,
        parent=parent,
        children=tuple(tuple(k) for k in kids),
        points4=tuple(scaled(n.points, SCORE_DIGITS) for n in nodes),
        scored_leaves=scored,
        bonus_nodes=bonus,
        top=tuple(i for i, p in enumerate(parent) if p < 0),
        methods=tuple(methods),
        params=tuple(params),
        caps4=caps,
        passes=passes,
        applies=tuple(effective[n.code] for n in nodes),
    )
