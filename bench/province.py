"""Deterministic generator of a province-scale appraisal year as scoring-engine input.

Default size: 10,000 units in 40 categories, 200 leaf indicators each (about 2 million
leaf entries), with every scoring method, bonus/penalty events and a little missing data.
With `restricted=k`, the last k leaves of each category's first 个性指标 group become
unit-specific individual indicators (个性指标): three variants of the same points, each
applying to a third of the category's units (`Node.units`), entered only for those units.
Everything follows from `seed`; `restricted=0` (the default) gives exactly the trees and
data of earlier versions.

    from bench.province import generate_province
    province = generate_province(units=400, categories=4, leaves=50, seed=1)
    province.data            # engine input (ProvinceData, columnar)
    province.leaf_inputs()   # the same entries as LeafInput records (e.g. to load a database)

Run `python bench/province.py --help` for the CLI (prints a summary).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jixiao.scoring.engine import (
    BonusPenaltyEvent,
    CategoryData,
    CategoryTree,
    LeafColumn,
    LeafInput,
    Node,
    NumberColumn,
    ProvinceData,
    TextColumn,
    UnitInfo,
    compile_tree,
)

# (method, weight) of the generated leaves
METHOD_MIX: tuple[tuple[str, int], ...] = (
    ("direct", 14),
    ("deduction", 14),
    ("completion", 18),
    ("tiered", 8),
    ("rank", 8),
    ("yoy_growth", 8),
    ("schedule_progress", 6),
    ("value_added", 4),
    ("grade", 6),
    ("staffing_task", 4),
    ("evaluation", 10),
)
MISSING_RATE = 0.005
GRADES = np.array(["A", "B", "C", "D"], dtype=object)


@dataclass
class Province:
    trees: list[CategoryTree]
    units: list[UnitInfo]
    events: list[BonusPenaltyEvent]
    data: ProvinceData

    def leaf_count(self) -> int:
        return sum(
            int(column.reported.sum())
            for category in self.data.data.values()
            for column in category.columns.values()
        )

    def leaf_inputs(self) -> Iterator[LeafInput]:
        """Every reported entry as a record, category by category, unit order."""
        for code in sorted(self.data.data):
            category = self.data.data[code]
            for indicator, column in category.columns.items():
                for row in np.flatnonzero(column.reported).tolist():
                    yield LeafInput(
                        category.unit_codes[row],
                        indicator,
                        column.values_at(row),
                        ref=column.ref_at(row),
                    )


def _split(rng: np.random.Generator, total: int, parts: int) -> list[int]:
    """`total` split into `parts` positive integers (random weights, exact sum)."""
    if parts > total:
        raise ValueError("too many parts for the points available")
    weights = rng.uniform(0.5, 1.5, parts)
    shares = np.floor(weights / weights.sum() * (total - parts)).astype(np.int64) + 1
    remainder = total - int(shares.sum())
    for i in range(remainder):
        shares[i % parts] += 1
    return [int(x) for x in shares]


def _hundredths(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


def _params(rng: np.random.Generator, method: str, points: Decimal, base: int) -> dict[str, Any]:
    if method == "deduction":
        per = max(Decimal("0.01"), (points / 5).quantize(Decimal("0.01")))
        return {"per_occurrence": per, "floor": Decimal(0)}
    if method == "completion":
        return {"lower_is_better": bool(rng.random() < 0.2), "zero_below": Decimal("0.5")}
    if method == "tiered":
        return {
            "tiers": [
                {"min": Decimal(60), "share": Decimal("0.6")},
                {"min": Decimal(80), "share": Decimal("0.8")},
                {"min": Decimal(90), "share": Decimal("1")},
            ]
        }
    if method == "rank":
        mode = str(rng.choice(["fixed", "step", "proportional"]))
        if mode == "fixed":
            table = [points, points * Decimal("0.9"), points * Decimal("0.8")]
            return {"mode": mode, "points_by_rank": [p.quantize(Decimal("0.0001")) for p in table]}
        if mode == "step":
            step = max(Decimal("0.0001"), (points / 100).quantize(Decimal("0.0001")))
            return {"mode": mode, "step": step, "floor": Decimal(0)}
        return {"mode": mode, "higher_is_better": bool(rng.random() < 0.8)}
    if method == "yoy_growth":
        return {"target_growth": Decimal("0.08")}
    if method == "staffing_task":
        return {"base": Decimal(base)}
    return {}


def _tree(rng: np.random.Generator, code: str, scale: int, leaves: int, base: int) -> CategoryTree:
    nodes: list[Node] = []
    # level 1: 共性 30% / 个性 50% / 评议 20% of the scale, plus 加扣分
    plan = (
        ("common", "共性指标", 30, 3),
        ("individual", "个性指标", 50, 5),
        ("evaluation", "评议", 20, 2),
    )
    leaf_split = _split(rng, leaves, len(plan)) if leaves >= 3 else [1] * len(plan)
    methods = [m for m, _ in METHOD_MIX]
    weights = np.array([w for _, w in METHOD_MIX], dtype=float)
    weights /= weights.sum()
    for k, ((kind, name, pct, groups), n_leaves) in enumerate(zip(plan, leaf_split, strict=True)):
        l1 = f"{code}-{k + 1}"
        points1 = scale * pct // 100
        nodes.append(Node(l1, None, 1, name, kind, Decimal(points1), sort_order=k))
        groups = max(1, min(groups, n_leaves))
        group_leaves = _split(rng, n_leaves, groups) if n_leaves >= groups else [n_leaves]
        group_points = _split(rng, points1 * 100, groups)
        for g, (gl, gp) in enumerate(zip(group_leaves, group_points, strict=True)):
            l2 = f"{l1}.{g + 1}"
            nodes.append(Node(l2, l1, 2, f"{name}{g + 1}", kind, _hundredths(gp), sort_order=g))
            for j, lp in enumerate(_split(rng, gp, gl)):
                points = _hundredths(lp)
                method = (
                    "evaluation" if kind == "evaluation" else str(rng.choice(methods, p=weights))
                )
                nodes.append(
                    Node(
                        f"{l2}.{j + 1}",
                        l2,
                        3,
                        f"{name}{g + 1}-{j + 1}",
                        kind,
                        points,
                        method,
                        _params(rng, method, points, base),
                        sort_order=j,
                    )
                )
    bp = f"{code}-9"
    cap = Decimal(scale) / 20
    nodes.append(Node(bp, None, 1, "加扣分", "bonus_penalty", Decimal(0), None, {}, cap, cap, 9))
    nodes.append(
        Node(f"{bp}.1", bp, 2, "加分项", "bonus_penalty", Decimal(0), None, {}, cap, Decimal(0), 1)
    )
    nodes.append(
        Node(f"{bp}.2", bp, 2, "扣分项", "bonus_penalty", Decimal(0), None, {}, Decimal(0), cap, 2)
    )
    return CategoryTree(code, Decimal(scale), tuple(nodes))


def _restrict(tree: CategoryTree, codes: list[str], count: int) -> CategoryTree:
    """The last `count` leaves of the first 个性指标 group, each split into three variants of
    the same points for three disjoint thirds of the units (no randomness used)."""
    if count <= 0:
        return tree
    group = next(n.code for n in tree.nodes if n.kind == "individual" and n.level == 2)
    leaves = [n for n in tree.nodes if n.parent_code == group][-count:]
    chosen = {n.code for n in leaves}
    nodes: list[Node] = []
    for node in tree.nodes:
        if node.code not in chosen:
            nodes.append(node)
            continue
        for k in range(3):
            units = frozenset(codes[k::3])
            if units:
                nodes.append(
                    replace(
                        node,
                        code=f"{node.code}-{k + 1}",
                        name=f"{node.name}（第{k + 1}组单位）",
                        sort_order=node.sort_order * 3 + k,
                        units=units,
                    )
                )
    return replace(tree, nodes=tuple(nodes))


def _money(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """Amounts in 万元 with 2 decimals, as integers in 10**-2."""
    return np.round(rng.uniform(low, high, n) * 100).astype(np.int64)


def _column(
    rng: np.random.Generator, node: Node, n: int, points4: int
) -> dict[str, NumberColumn | TextColumn]:
    def num(values: np.ndarray, digits: int = 2) -> NumberColumn:
        return NumberColumn(values.astype(np.int64), digits, np.ones(n, dtype=bool))

    method = node.method
    if method == "direct":
        return {"score": num(rng.integers(0, points4 // 100 + 1, n))}
    if method == "deduction":
        return {"count": num(rng.poisson(0.8, n), 0)}
    if method == "completion":
        target = _money(rng, n, 100, 10_000)
        actual = np.round(target * rng.uniform(0.4, 1.3, n)).astype(np.int64)
        return {"actual": num(actual), "target": num(target)}
    if method in ("tiered", "evaluation"):
        name = "value" if method == "tiered" else "rating"
        return {name: num(np.round(rng.uniform(40, 100, n) * 10).astype(np.int64), 1)}
    if method == "rank":
        return {"value": num(_money(rng, n, -50, 100_000))}
    if method in ("yoy_growth", "value_added"):
        last = _money(rng, n, 1_000, 1_000_000)
        current = np.round(last * rng.uniform(0.85, 1.25, n)).astype(np.int64)
        return {"current": num(current), "last_year": num(last)}
    if method == "schedule_progress":
        planned = np.round(rng.uniform(20, 100, n) * 10).astype(np.int64)
        actual = np.round(planned * rng.uniform(0.5, 1.2, n)).astype(np.int64)
        return {"actual": num(actual, 1), "planned": num(planned, 1)}
    if method == "grade":
        return {"grade": TextColumn(GRADES[rng.integers(0, 4, n)], np.ones(n, dtype=bool))}
    if method == "staffing_task":
        return {"completed": num(rng.integers(0, 16, n), 0)}
    raise AssertionError(method)


def generate_province(
    units: int = 10_000,
    categories: int = 40,
    leaves: int = 200,
    seed: int = 20240101,
    town_share: float = 0.25,
    events_per_unit: float = 1.0,
    restricted: int = 0,
) -> Province:
    """A deterministic province: same arguments, same data."""
    rng = np.random.default_rng(seed)
    trees: list[CategoryTree] = []
    unit_list: list[UnitInfo] = []
    events: list[BonusPenaltyEvent] = []
    data: dict[str, CategoryData] = {}
    compiled = {}
    sizes = _split(rng, units, categories)
    towns = round(categories * town_share)
    serial = 0
    for c in range(categories):
        code = f"C{c + 1:02d}"
        scale = 1000 if c < towns else 100
        base = (3, 4, 5)[c % 3]
        n = sizes[c]
        unit_codes = [f"U{serial + 1 + i:05d}" for i in range(n)]
        tree = _restrict(_tree(rng, code, scale, leaves, base), unit_codes, restricted)
        trees.append(tree)
        compiled_tree = compile_tree(tree, unit_codes)
        compiled[code] = compiled_tree
        masks = compiled_tree.masks(unit_codes)
        codes = []
        for _ in range(n):
            serial += 1
            unit = UnitInfo(f"U{serial:05d}", code, int(rng.integers(10, 61)))
            unit_list.append(unit)
            codes.append(unit.unit_code)
        staffing = np.array([u.staffing for u in unit_list[-n:]], dtype=np.int64)
        columns = {}
        for i in compiled_tree.scored_leaves:
            node = compiled_tree.nodes[i]
            fields = _column(rng, node, n, compiled_tree.points4[i])
            reported = rng.random(n) >= MISSING_RATE
            if i in masks:
                reported &= masks[i]
            refs = tuple(f"{node.code}:{u}" for u in codes)
            columns[node.code] = LeafColumn(fields, reported, refs)
        category_events: list[BonusPenaltyEvent] = []
        for _ in range(int(n * events_per_unit)):
            unit_code = codes[int(rng.integers(0, n))]
            bonus = rng.random() < 0.5
            amount = Decimal(int(rng.integers(1, scale // 10 + 1))).scaleb(-1)
            category_events.append(
                BonusPenaltyEvent(
                    unit_code,
                    f"{code}-9.{1 if bonus else 2}",
                    amount if bonus else -amount,
                    "获上级表彰" if bonus else "工作失误通报",
                    ref=f"event:{len(events) + len(category_events)}",
                )
            )
        events.extend(category_events)
        data[code] = CategoryData(code, tuple(codes), staffing, columns, tuple(category_events))
    return Province(trees, unit_list, events, ProvinceData(compiled, data))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--categories", type=int, default=40)
    parser.add_argument("--leaves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--restricted", type=int, default=0, help="个性指标 leaves per category")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    province = generate_province(
        args.units, args.categories, args.leaves, args.seed, restricted=args.restricted
    )
    elapsed = time.perf_counter() - start
    print(
        f"{len(province.units)} units, {len(province.trees)} categories, "
        f"{province.leaf_count()} leaf entries, {len(province.events)} events "
        f"generated in {elapsed:.2f} s"
    )


if __name__ == "__main__":
    main()
