"""What changed between two indicator trees (last year's and this year's, or a published
scheme before and after a revision). Indicators are matched by code.

The share adjusted (调整占比) follows the Liwan article ("调整各类指标达931项，占总指标数的
27%"): indicators added, removed or changed, divided by the number of distinct indicator
codes in either tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .tree import NodeData, display_order

FIELD_LABELS: dict[str, Any] = {
    "name": _("名称"),
    "parent_code": _("上级指标"),
    "level": _("层级"),
    "kind": _("类型"),
    "is_qualitative": _("定性"),
    "description": _("说明"),
    "standard": _("评分标准"),
    "owner_code": _("数据采集单位"),
    "period": _("数据周期"),
    "must_report": _("须按期报送"),
    "method": _("计分方法"),
    "params": _("计分参数"),
    "bonus_cap": _("加分上限"),
    "penalty_cap": _("扣分上限"),
    "points": _("分值"),
    "unit_codes": _("适用单位"),
}


@dataclass(frozen=True)
class Changed:
    old: NodeData
    new: NodeData
    fields: tuple[str, ...]

    @property
    def code(self) -> str:
        return self.new.code

    @property
    def field_labels(self) -> list[str]:
        return [str(FIELD_LABELS[f]) for f in self.fields]


@dataclass(frozen=True)
class TreeDiff:
    added: tuple[NodeData, ...]
    removed: tuple[NodeData, ...]
    changed: tuple[Changed, ...]
    unchanged: int
    total: int  # distinct codes in either tree

    @property
    def adjusted(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    @property
    def share(self) -> Decimal:
        """Adjusted ÷ total, as a percentage with one decimal."""
        if not self.total:
            return Decimal(0)
        return (Decimal(self.adjusted) * 100 / self.total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def is_empty(self) -> bool:
        return not self.adjusted

    def summary(self) -> dict[str, Any]:
        """JSON-safe summary (stored on a revision)."""
        return {
            "added": [{"code": n.code, "name": n.name} for n in self.added],
            "removed": [{"code": n.code, "name": n.name} for n in self.removed],
            "changed": [
                {"code": c.code, "name": c.new.name, "fields": list(c.fields)} for c in self.changed
            ],
            "adjusted": self.adjusted,
            "total": self.total,
            "share": str(self.share),
        }


def changed_fields(old: NodeData, new: NodeData) -> tuple[str, ...]:
    return tuple(name for name in FIELD_LABELS if getattr(old, name) != getattr(new, name))


def diff_trees(old: Sequence[NodeData], new: Sequence[NodeData]) -> TreeDiff:
    before = {n.code: n for n in old}
    after = {n.code: n for n in new}
    added = tuple(n for n in display_order(new) if n.code not in before)
    removed = tuple(n for n in display_order(old) if n.code not in after)
    changed = []
    unchanged = 0
    for node in display_order(new):
        previous = before.get(node.code)
        if previous is None:
            continue
        fields = changed_fields(previous, node)
        if fields:
            changed.append(Changed(previous, node, fields))
        else:
            unchanged += 1
    return TreeDiff(
        added=added,
        removed=removed,
        changed=tuple(changed),
        unchanged=unchanged,
        total=len(set(before) | set(after)),
    )
