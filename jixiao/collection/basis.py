"""The scheme an entry's stored score was computed with (计分依据).

An entry's score is computed when its values are saved (grid, upload, recheck answer).
If the scheme is revised afterwards, the stored score stays what it was; showing it next
to a formula recomputed with the new points or parameters would contradict it (stored 32
beside "45 × 0.8 = 36"). So the entry page shows the formula with the method, parameters
and points in force when the score was computed, and says the scheme has changed since.

When: the entry's last audit record that set its values (creation, an update of value /
reference / grade / score, a recheck answer); without any, when it was entered. What was
in force then: the `before` tree of the first revision applied after that moment (a
revision keeps the whole tree as it was), or the current indicator if none was applied
since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import Entry
from jixiao.scheme.models import Indicator, SchemeRevision
from jixiao.scheme.tree import canonical_params, to_decimal

VALUE_FIELDS = frozenset({"value", "reference", "grade", "score"})


@dataclass
class ScoreBasis:
    """What the stored score was computed with; `revised_at` is set when the scheme has
    been revised since and the method, parameters or points of this leaf differ."""

    indicator: Indicator
    points: Decimal | None
    revised_at: datetime | None = None
    revision_number: int | None = None

    @property
    def changed(self) -> bool:
        return self.revised_at is not None


def scored_at(entry: Entry) -> datetime | None:
    for action, after, at in (
        AuditEvent.objects.for_object(entry)
        .filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE, AuditAction.IMPORT])
        .order_by("-at", "-id")
        .values_list("action", "after", "at")
    ):
        if action != AuditAction.UPDATE or VALUE_FIELDS & set(after or {}):
            return at
    return entry.entered_at


def score_basis(entry: Entry, points: Decimal | None, category_code: str | None) -> ScoreBasis:
    """The indicator (an unsaved copy when it has changed) and points the entry's score
    was computed with."""
    current = ScoreBasis(entry.indicator, points)
    when = scored_at(entry)
    if when is None:
        return current
    revision = (
        SchemeRevision.objects.applied()
        .filter(scheme_id=entry.indicator.scheme_id, applied_at__gt=when)
        .order_by("applied_at", "number")
        .first()
    )
    if revision is None:
        return current
    node = next(
        (n for n in revision.before.get("indicators", []) if n.get("code") == entry.indicator.code),
        None,
    )
    if node is None:
        return current
    method = node.get("method") or ""
    params = canonical_params(method, node.get("params") or {})
    old_points: Any = (node.get("points") or {}).get(category_code or "")
    old = to_decimal(old_points) if old_points is not None else None
    indicator = entry.indicator
    same = (
        method == indicator.method
        and params == canonical_params(indicator.method, indicator.params)
        and old == points
    )
    if same:
        return current
    then = Indicator(
        pk=indicator.pk,
        scheme_id=indicator.scheme_id,
        code=indicator.code,
        name=indicator.name,
        level=indicator.level,
        kind=indicator.kind,
        method=method,
        params=params,
    )
    return ScoreBasis(then, old, revision.applied_at, revision.number)
