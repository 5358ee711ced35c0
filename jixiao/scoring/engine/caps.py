"""Bonus–penalty caps (加扣分上限), per sign.

A bonus_penalty node caps its bonuses (加分, `bonus_cap`) and its deductions (扣分,
`penalty_cap`) apart: each sign is summed (its own events plus what its children
counted), then capped; the node scores counted bonuses − counted deductions. An event
past a cap is still a fact (the ledger records it); only the score is capped. With caps
±2, +2 then −3 counts 2 − 2 = 0. `compute._aggregate` does this on arrays, `reference.py`
in Decimal; this module is the one place that words it for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .fixed import fmt


@dataclass(frozen=True)
class CappedSum:
    """Bonuses and deductions of one unit on one node, both as positive numbers."""

    bonus: Decimal
    penalty: Decimal
    bonus_cap: Decimal | None
    penalty_cap: Decimal | None

    @property
    def bonus_counted(self) -> Decimal:
        return self.bonus if self.bonus_cap is None else min(self.bonus, self.bonus_cap)

    @property
    def penalty_counted(self) -> Decimal:
        return self.penalty if self.penalty_cap is None else min(self.penalty, self.penalty_cap)

    @property
    def net(self) -> Decimal:
        return self.bonus_counted - self.penalty_counted

    def note(self) -> str:
        """What a cap changed, e.g. "扣分 7 分，按上限计 5 分" (empty when nothing)."""
        parts = []
        if self.bonus_counted != self.bonus:
            parts.append(f"加分 {fmt(self.bonus)} 分，按上限计 {fmt(self.bonus_counted)} 分")
        if self.penalty_counted != self.penalty:
            parts.append(f"扣分 {fmt(self.penalty)} 分，按上限计 {fmt(self.penalty_counted)} 分")
        return "；".join(parts)

    def text(self) -> str:
        """The sum as the report card words it, e.g. "加分 2 分；扣分 3 分，按上限计 2 分
        （上限 +2 / −2）：2 − 2" or "加分 40 分，按上限计 30 分（上限 +30 / −0）"."""
        parts = []
        if self.bonus:
            parts.append(_side("加分", self.bonus, self.bonus_counted))
        if self.penalty:
            parts.append(_side("扣分", self.penalty, self.penalty_counted))
        if not parts:
            return "无加扣分事项"
        caps = []
        if self.bonus_cap is not None:
            caps.append(f"+{fmt(self.bonus_cap)}")
        if self.penalty_cap is not None:
            caps.append(f"−{fmt(self.penalty_cap)}")
        text = "；".join(parts) + (f"（上限 {' / '.join(caps)}）" if caps else "")
        if self.bonus and self.penalty:
            text += f"：{fmt(self.bonus_counted)} − {fmt(self.penalty_counted)}"
        return text


def _side(label: str, raw: Decimal, counted: Decimal) -> str:
    if raw == counted:
        return f"{label} {fmt(raw)} 分"
    return f"{label} {fmt(raw)} 分，按上限计 {fmt(counted)} 分"
