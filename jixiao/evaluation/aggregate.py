"""Aggregating ballots into ratings: plain functions over plain data, no Django.

A unit's rating on one indicator (0–100) is the weighted sum, over the reviewer groups
that rated it, of the group's score; a group's score is the weighted sum of its
sub-items' means (or the plain mean when the indicator has no sub-items); a mean may be
trimmed (去掉 k 个最高分和 k 个最低分) when there are more than 2k scores. Groups with no
ballot for the unit are left out and the others' weights scaled up to 100%, which the
explanation says.

Everything is exact (fractions) and rounded once, ROUND_HALF_UP to 4 decimals like a
leaf score (docs/scoring.md); the explanation shows 2 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
HUNDRED = Fraction(100)


def to_decimal(value: Fraction, places: Decimal = FOUR) -> Decimal:
    """Exact fraction → Decimal, ROUND_HALF_UP at `places` (no float on the way)."""
    sign = -1 if value < 0 else 1
    scale = int(1 / places)
    n = abs(value) * scale
    whole, rest = divmod(n.numerator, n.denominator)
    if 2 * rest >= n.denominator:
        whole += 1
    return (Decimal(sign * whole) / scale).quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Mean:
    value: Fraction
    cast: int  # scores given
    counted: int  # scores in the mean after trimming
    trimmed: bool


def mean(values: Sequence[Decimal | int | Fraction], trim: int = 0) -> Mean | None:
    """The mean, dropping `trim` highest and `trim` lowest when more than 2×trim remain."""
    if not values:
        return None
    ordered = sorted(Fraction(v) for v in values)
    trimmed = trim > 0 and len(ordered) > 2 * trim
    kept = ordered[trim : len(ordered) - trim] if trimmed else ordered
    return Mean(sum(kept, Fraction(0)) / len(kept), len(ordered), len(kept), trimmed)


@dataclass(frozen=True)
class ItemInput:
    name: str
    weight: Decimal  # percent; ignored when the indicator has one item
    values: Sequence[Decimal]


@dataclass(frozen=True)
class GroupInput:
    name: str
    weight: Decimal  # percent
    ballots: int  # ballots of this group that rated the unit
    items: Sequence[ItemInput]


@dataclass(frozen=True)
class GroupResult:
    name: str
    weight: Decimal
    effective_weight: Fraction
    ballots: int
    score: Fraction
    items: list[tuple[ItemInput, Mean]]


@dataclass
class Rating:
    value: Decimal | None  # 0–100, 4 decimals; None when nobody rated the unit
    groups: list[GroupResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # groups with no ballot for the unit
    text: str = ""  # the explanation, when not made of groups (satisfaction)

    def formula(self) -> str:
        if self.text:
            return self.text
        if self.value is None:
            return "无有效评议票"
        parts = []
        for g in self.groups:
            inner = "；".join(
                f"{item.name}{_pct(item.weight) + ' ' if len(g.items) > 1 else ''}"
                f"均分 {to_decimal(m.value, TWO)}"
                f"（{m.cast} 票{f'，去掉最高最低后 {m.counted} 票' if m.trimmed else ''}）"
                for item, m in g.items
            )
            parts.append(f"{g.name}（权重 {_pct(g.weight)}）{inner}")
        terms = " + ".join(
            f"{to_decimal(g.score, TWO)} × {to_decimal(g.effective_weight * 100, TWO)}%"
            for g in self.groups
        )
        text = "；".join(parts) + f"。评议得分 = {terms} = {self.value}"
        if self.missing:
            text += f"（{'、'.join(self.missing)}无有效票，其权重按比例分配给其他组）"
        return text


def _pct(weight: Decimal) -> str:
    return f"{weight.normalize():f}%"


def group_score(group: GroupInput, trim: int) -> GroupResult | None:
    means = [(item, mean(item.values, trim)) for item in group.items]
    present = [(item, m) for item, m in means if m is not None]
    if not present:
        return None
    return group_of_means(group.name, group.weight, group.ballots, present)


def rating(groups: Sequence[GroupInput], trim: int = 0) -> Rating:
    """A unit's rating on one indicator from its groups' scores."""
    results: list[GroupResult] = []
    missing: list[str] = []
    for group in groups:
        if group.weight <= 0:
            continue
        result = group_score(group, trim)
        if result is None:
            missing.append(group.name)
        else:
            results.append(result)
    return combine(results, missing)


def group_of_means(
    name: str, weight: Decimal, ballots: int, items: list[tuple[ItemInput, Mean]]
) -> GroupResult:
    """A group's score from means already computed (e.g. by `columnar_means`)."""
    if len(items) == 1:
        score = items[0][1].value
    else:
        total = sum((Fraction(item.weight) for item, _ in items), Fraction(0))
        score = sum((Fraction(item.weight) * m.value for item, m in items), Fraction(0)) / total
    return GroupResult(name, weight, Fraction(0), ballots, score, items)


def combine(results: list[GroupResult], missing: list[str]) -> Rating:
    """The groups' scores weighted into a rating, weights scaled over the groups present."""
    if not results:
        return Rating(None, [], missing)
    total = sum((Fraction(g.weight) for g in results), Fraction(0))
    results = [
        GroupResult(g.name, g.weight, Fraction(g.weight) / total, g.ballots, g.score, g.items)
        for g in results
    ]
    value = sum((g.effective_weight * g.score for g in results), Fraction(0))
    return Rating(to_decimal(value), results, missing)


def weights_problem(weights: Mapping[str, Decimal]) -> str:
    """Empty when the weights add up to exactly 100%, else a Chinese message."""
    total = sum(weights.values(), Decimal(0))
    if total != 100:
        return f"权重合计 {total.normalize():f}%，应为 100%"
    return ""


def scaled_rating(value: Decimal, scale: Decimal) -> Decimal:
    """A score on another scale (e.g. grade points out of 10) as a 0–100 rating."""
    return to_decimal(Fraction(value) * HUNDRED / Fraction(scale))


# The public satisfaction rating -------------------------------------------------------

CHOICE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def satisfaction(counts: Mapping[int, int], points: Mapping[int, Decimal]) -> Rating:
    """The satisfaction index: the choices' points averaged over the ratings counted."""
    total = sum(counts.values())
    if not total:
        return Rating(None, text="无有效评价")
    value = sum((Fraction(points[c]) * n for c, n in counts.items()), Fraction(0)) / total
    rounded = to_decimal(value)
    shown = sorted(counts.items(), reverse=True)
    parts = "、".join(f"{CHOICE_LABELS.get(c, c)} {n}" for c, n in shown)
    terms = " + ".join(f"{points[c].normalize():f} × {n}" for c, n in shown)
    return Rating(
        rounded,
        text=f"服务对象点击评价 {total} 次（{parts}）；"
        f"满意度指数 = ({terms}) ÷ {total} = {rounded}",
    )


def satisfaction_indices(
    keys: Sequence[int] | np.ndarray,
    choices: Sequence[int] | np.ndarray,
    points: Mapping[int, Decimal],
) -> dict[int, Rating]:
    """Columnar: one rating per key (a window or a unit) from millions of (key, choice)
    rows, counted with numpy and then averaged exactly."""
    k = np.asarray(keys, dtype=np.int64)
    c = np.asarray(choices, dtype=np.int64)
    if k.size == 0:
        return {}
    if k.min() >= 0 and k.max() < 10_000_000:  # database ids: count directly
        table = np.bincount(k * 8 + c, minlength=(int(k.max()) + 1) * 8).reshape(-1, 8)
        uniq = np.flatnonzero(table.sum(axis=1))
        table = table[uniq]
    else:
        uniq, inverse = np.unique(k, return_inverse=True)
        table = np.bincount(inverse * 8 + c, minlength=uniq.size * 8).reshape(uniq.size, 8)
    out = {}
    for i, key in enumerate(uniq.tolist()):
        row = table[i]
        out[key] = satisfaction({ch: int(row[ch]) for ch in range(1, 6) if row[ch]}, points)
    return out


# Columnar means, for province-scale rounds ------------------------------------------------

SCALE = 10_000  # scores are stored with 4 decimals
VALUE_BITS = 21  # 100.0000 = 1,000,000 < 2**20


def columnar_means(cells: np.ndarray, values: np.ndarray, trim: int = 0) -> dict[int, Mean]:
    """`mean` for millions of scores at once: `cells` names the (indicator, item, unit,
    group) each score belongs to, `values` are the scores in 10**-4 (integers). Sorting
    once by (cell, value) makes every trimmed sum a difference of cumulative sums, so the
    result is exactly `mean(values_of_cell, trim)` for every cell."""
    c = np.asarray(cells, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    if c.size == 0:
        return {}
    if v.min() < 0 or v.max() >= 1 << VALUE_BITS:
        raise ValueError("scores must be within 0 … 100")
    # One sort of a packed (cell, value) key: several times faster than a lexsort.
    packed = np.sort((c << VALUE_BITS) | v)
    c, v = packed >> VALUE_BITS, packed & ((1 << VALUE_BITS) - 1)
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    counts = np.diff(np.r_[starts, c.size])
    csum = np.r_[0, np.cumsum(v)]
    total = csum[starts + counts] - csum[starts]
    kept = counts
    trimmed = np.zeros(starts.size, dtype=bool)
    if trim > 0:
        trimmed = counts > 2 * trim
        low = csum[starts + np.minimum(trim, counts)] - csum[starts]
        high = csum[starts + counts] - csum[starts + counts - np.minimum(trim, counts)]
        total = np.where(trimmed, total - low - high, total)
        kept = np.where(trimmed, counts - 2 * trim, counts)
    return {
        int(key): Mean(Fraction(int(t), int(k) * SCALE), int(n), int(k), bool(tr))
        for key, t, k, n, tr in zip(
            c[starts].tolist(),
            total.tolist(),
            kept.tolist(),
            counts.tolist(),
            trimmed.tolist(),
            strict=True,
        )
    }
