"""A scenario's changes carried into a scheme tree (next year's draft), as plain data.

The scenario's changes are operations (“1.1.1 gets 35 points, its siblings absorb the
rest”, “drop 3.2”, “1.2.1 scored by rank”), so they are replayed by the engine's own
`apply_changes` on each category's tree of the target scheme: applied to a fresh copy of
this year's scheme the draft gets exactly the scenario's points, methods and parameters;
applied to a draft that was already edited, the same operations act on that draft.

A scheme keeps one method and one set of parameters per indicator (points are per
category), so an indicator whose method or parameters end up different in two categories
cannot be written and is refused with a Chinese message. Result rules (grade shares and
the like) are not part of the scheme: `rule_changes` lists them for the page to say so.
No ORM here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jixiao.scheme.tree import NodeData, canonical_params
from jixiao.scoring.engine import CategoryTree, ScoringError
from jixiao.scoring.engine.types import Node
from jixiao.scoring.engine.whatif import apply_changes

TREE_KEYS = ("points", "drop", "params", "methods")


class DraftError(Exception):
    """The scenario cannot be written into the scheme; `problems` in Chinese."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = list(problems)


def tree_changes(changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per category, the changes that belong in a scheme (not the result rules)."""
    result: dict[str, dict[str, Any]] = {}
    for category, each in (changes or {}).items():
        kept = {k: v for k, v in (each or {}).items() if k in TREE_KEYS and v}
        if kept:
            result[category] = kept
    return result


def rule_changes(changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {c: dict(each["rules"]) for c, each in (changes or {}).items() if each.get("rules")}


def category_tree(nodes: Sequence[NodeData], category: str, scale: Decimal) -> CategoryTree:
    """The engine's tree of one category of a scheme (as `scoring.loader.load_trees`)."""
    kept = [
        Node(
            code=n.code,
            parent_code=n.parent_code,
            level=n.level,
            name=n.name,
            kind=n.kind,
            points=n.points[category].normalize() if n.points[category] else Decimal(0),
            method=n.method or None,
            params=dict(n.params),
            bonus_cap=n.bonus_cap,
            penalty_cap=n.penalty_cap,
            sort_order=n.sort_order,
            units=frozenset(n.unit_codes) if n.unit_codes else None,
        )
        for n in nodes
        if category in n.points
    ]
    ordered = tuple(sorted(kept, key=lambda n: (n.level, n.sort_order, n.code)))
    return CategoryTree(category, scale, ordered)


def apply_scenario(
    nodes: Sequence[NodeData], changes: Mapping[str, Any], scales: Mapping[str, Decimal]
) -> list[NodeData]:
    """`nodes` (a scheme's tree) with the scenario's tree changes applied in every
    category they name; DraftError lists what cannot be done."""
    per_category = tree_changes(changes)
    problems: list[str] = []
    trees: dict[str, CategoryTree] = {}
    for category, each in sorted(per_category.items()):
        if category not in scales:
            problems.append(_("下一年度没有考核类别“%(c)s”") % {"c": category})
            continue
        try:
            trees[category] = apply_changes(category_tree(nodes, category, scales[category]), each)
        except ScoringError as error:
            problems.extend(f"{category}：{p}" for p in error.problems)
    if problems:
        raise DraftError(problems)

    changed: dict[str, dict[str, Node | None]] = {}
    for category, tree in trees.items():
        after = {n.code: n for n in tree.nodes}
        for node in nodes:
            if category in node.points:
                changed.setdefault(node.code, {})[category] = after.get(node.code)

    result: list[NodeData] = []
    for node in nodes:
        by_category = changed.get(node.code)
        if not by_category:
            result.append(node)
            continue
        points = dict(node.points)
        methods: dict[str, tuple[str, dict[str, Any]]] = {}
        for category, new in by_category.items():
            if new is None:
                points.pop(category, None)
                continue
            points[category] = new.points
            method = new.method or ""
            methods[category] = (method, canonical_params(method, new.params))
        # Categories left as they were keep the indicator's own method and parameters.
        own = (node.method, canonical_params(node.method, node.params))
        for category in node.points:
            if category not in by_category:
                methods[category] = own
        distinct = {repr(v) for v in methods.values()}
        if len(distinct) > 1:
            problems.append(
                _(
                    "指标“%(c)s %(n)s”调整后在各考核类别的计分方法或参数不一致（%(k)s），"
                    "方案中每项指标只有一套计分方法和参数，请在这些类别作相同的调整"
                )
                % {"c": node.code, "n": node.name, "k": "、".join(sorted(methods))}
            )
            continue
        if not points and node.points:
            continue  # dropped in every category it had points in
        method, params = next(iter(methods.values()), own)
        result.append(replace(node, points=points, method=method, params=params))
    if problems:
        raise DraftError(problems)
    # A child whose parent went (it was dropped in every category) goes with it; the
    # tree is in display order, so a parent comes before its children.
    kept: set[str] = set()
    final = []
    for node in result:
        if node.parent_code is None or node.parent_code in kept:
            kept.add(node.code)
            final.append(node)
    return final
