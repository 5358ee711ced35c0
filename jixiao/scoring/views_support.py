"""Read models for the results pages and exports: report cards, explanations, diffs and
statistics, built from stored rows and (for explanations) the run's input snapshot."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core import figures
from jixiao.scoring.engine import (
    KIND_LABELS,
    CategoryData,
    CategoryResult,
    Explanation,
    ExplanationNode,
    LastYear,
    UnitScore,
    explain,
)
from jixiao.scoring.engine.fixed import SCORE_DIGITS
from jixiao.scoring.engine.results import new_top_entrants, share_at_least
from jixiao.scoring.labels import engine_text
from jixiao.scoring.models import (
    GapAcknowledgement,
    GapKind,
    RunCategory,
    ScoreRun,
    UnitResult,
)
from jixiao.scoring.records import (
    ENTRY_FIELDS,
    EVENT_FIELDS,
    as_dict,
    entry_records,
    event_records,
    frozen_records,
    load_records,
    local_text,
    status_label,
)

# Rebuilt category states (engine input, result, frozen records), keyed by run category
# and its digest.
_State = tuple[CategoryData, CategoryResult, dict[str, Any] | None]
_STATES: OrderedDict[tuple[int, str], _State] = OrderedDict()
_LOCK = threading.Lock()


def category_state(rc: RunCategory) -> _State:
    from jixiao.scoring.actions import CACHE_UNITS, explain_state

    # The digest changes with every input change (and ids can be reused on SQLite).
    key = (rc.pk, rc.digest)
    with _LOCK:
        if key in _STATES:
            _STATES.move_to_end(key)
            return _STATES[key]
    _, data, result = explain_state(rc)
    frozen = frozen_records(load_records(rc.data, rc.layout), rc.layout, rc.patches)
    with _LOCK:
        _STATES[key] = (data, result, frozen)
        # Bounded by the units held, as scoring's own cache: a province's categories all
        # fit, so cards read in turn do not re-read megabyte snapshots.
        held = sum(len(state[0].unit_codes) for state in _STATES.values())
        while len(_STATES) > 1 and held > CACHE_UNITS:
            _key, (dropped, _result, _frozen) = _STATES.popitem(last=False)
            held -= len(dropped.unit_codes)
    return data, result, frozen


def fixed(value: int) -> Decimal:
    return Decimal(value).scaleb(-SCORE_DIGITS)


def kind_label(kind: str) -> str:
    return engine_text(KIND_LABELS.get(kind, kind))


# Explanations ---------------------------------------------------------------------


@dataclass
class EntryInfo:
    """An entry as the run shows it: the frozen record (times as local text)."""

    pk: int
    reason: str
    status: str
    entered_by: str
    entered_at: str
    reviewed_by: str
    reviewed_at: str
    confirmed_by: str
    confirmed_at: str
    department: str
    period: str = ""
    #: [(evidence file id, file name), ...]
    evidence: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class EventInfo:
    pk: int
    document_number: str
    occurred_on: str
    department: str


@dataclass
class Explained:
    explanation: Explanation
    entries: dict[int, EntryInfo] = field(default_factory=dict)
    events: dict[int, EventInfo] = field(default_factory=dict)
    #: False for runs computed before records were frozen (read from live rows)
    frozen: bool = True

    def leaves(self) -> list[ExplanationNode]:
        return [n for n in self.explanation.walk() if n.method is not None]

    def rows(self) -> list[dict[str, Any]]:
        """Each node with who entered / reviewed / confirmed it and its events' records."""
        return [
            {
                "node": node,
                "entry": self.entries.get(node.ref) if node.ref is not None else None,
                "events": [(e, self.events.get(e.ref)) for e in node.events],
                "indent": node.level - 1,
            }
            for node in self.explanation.walk()
        ]


def explain_result(result: UnitResult) -> Explained:
    rc = result.run_category
    data, category_result, frozen = category_state(rc)
    explanation = explain(category_result, data, result.unit.code)
    entry_ids = [n.ref for n in explanation.walk() if n.ref is not None]
    event_ids = [e.ref for n in explanation.walk() for e in n.events if e.ref is not None]
    live = frozen is None
    if frozen is None:
        # A run computed before records were frozen (snapshot format < 3).
        frozen = {"entries": entry_records(entry_ids), "events": event_records(event_ids)}
    entries = {}
    for pk in entry_ids:
        record = as_dict(ENTRY_FIELDS, frozen["entries"].get(str(pk)))
        if record is not None:
            evidence = [(int(i), str(n)) for i, n in record.pop("evidence", [])]
            for when in ("entered_at", "reviewed_at", "confirmed_at"):
                record[when] = local_text(record[when])
            record["status"] = status_label(record["status"])
            entries[pk] = EntryInfo(pk, evidence=evidence, **record)
    events = {}
    for pk in event_ids:
        event = as_dict(EVENT_FIELDS, frozen["events"].get(str(pk)))
        if event is not None:
            events[pk] = EventInfo(pk, **event)
    return Explained(explanation, entries, events, frozen=not live)


# Report cards -------------------------------------------------------------------------


@dataclass
class CardLine:
    code: str
    name: str
    level: int
    kind: str
    points: Decimal
    score: Decimal
    lost: Decimal | None
    formula: str
    reason: str
    missing: bool
    is_leaf: bool


@dataclass
class Card:
    result: UnitResult
    subtotals: list[tuple[str, Decimal]]
    lines: list[CardLine]
    explained: Explained


def gap_notes(result: UnitResult) -> dict[str, str]:
    """Indicator code -> "未报送：<reason>" / "未审定：<reason>": what the office said when
    it published the run although the unit had no counting figure there."""
    return {
        code: f"{GapKind(kind).label}：{reason}"
        for code, kind, reason in GapAcknowledgement.objects.filter(
            run_id=result.run_id, unit_id=result.unit_id
        ).values_list("indicator_code", "kind", "reason")
    }


def card_for(result: UnitResult) -> Card:
    explained = explain_result(result)
    notes = gap_notes(result)
    lines = []
    for node in explained.explanation.walk():
        is_leaf = node.method is not None
        entry = explained.entries.get(node.ref) if node.ref is not None else None
        reason = entry.reason if entry else ""
        if node.events:
            reason = "；".join(f"{e.points:+} {e.description}" for e in node.events)
        if node.cap_note:  # e.g. 扣分 7 分，按上限计 5 分: the card says what a cap changed
            reason = f"{reason}；{node.cap_note}" if reason else node.cap_note
        if node.code in notes:
            reason = f"{notes[node.code]}；{reason}" if reason else notes[node.code]
        lines.append(
            CardLine(
                node.code,
                node.name,
                node.level,
                node.kind_label,
                node.points,
                node.score,
                node.lost,
                node.formula,
                reason,
                node.missing,
                is_leaf,
            )
        )
    subtotals = [
        (kind_label(kind), Decimal(value).normalize() if Decimal(value) else Decimal(0))
        for kind, value in sorted(result.subtotals.items(), key=lambda kv: _kind_order(kv[0]))
    ]
    return Card(result, subtotals, lines, explained)


def _kind_order(kind: str) -> int:
    order = ["common", "individual", "evaluation", "bonus_penalty"]
    return order.index(kind) if kind in order else len(order)


# Diffs --------------------------------------------------------------------------------


@dataclass
class NodeDiff:
    code: str
    name: str
    old: Decimal | None
    new: Decimal | None


@dataclass
class UnitDiff:
    unit_code: str
    unit_name: str
    category: str
    old_total: Decimal
    new_total: Decimal
    old_rank: int
    new_rank: int
    nodes: list[NodeDiff]

    @property
    def total_change(self) -> Decimal:
        return self.new_total - self.old_total

    @property
    def rank_change(self) -> int:
        return self.old_rank - self.new_rank


def run_diff(old: ScoreRun, new: ScoreRun, category_id: int | None = None) -> list[UnitDiff]:
    """Units whose total, rank or any indicator score differ, biggest move first."""

    def rows(run: ScoreRun) -> dict[int, tuple[Any, ...]]:
        qs = UnitResult.objects.filter(run=run)
        if category_id is not None:
            qs = qs.filter(run_category__category_id=category_id)
        return {
            r[0]: r
            for r in qs.values_list(
                "unit_id",
                "unit__code",
                "unit__name",
                "run_category__category__name",
                "total",
                "rank",
                "scores",
                "run_category_id",
            )
        }

    before, after = rows(old), rows(new)
    layouts = {
        rc.pk: (rc.node_codes, {n["code"]: n["name"] for n in rc.tree["nodes"]})
        for rc in RunCategory.objects.filter(run__in=[old, new]).only("pk", "node_codes", "tree")
    }
    changes = []
    for unit_id in sorted(set(before) & set(after)):
        a, b = before[unit_id], after[unit_id]
        codes_a, _ = layouts[a[7]]
        codes_b, names = layouts[b[7]]
        scores_a = dict(zip(codes_a, a[6], strict=True))
        scores_b = dict(zip(codes_b, b[6], strict=True))
        nodes = [
            NodeDiff(
                code,
                names.get(code, code),
                None if code not in scores_a else fixed(scores_a[code]),
                None if code not in scores_b else fixed(scores_b[code]),
            )
            for code in list(codes_b) + [c for c in codes_a if c not in scores_b]
            if scores_a.get(code) != scores_b.get(code)
        ]
        if nodes or a[4] != b[4] or a[5] != b[5]:
            changes.append(UnitDiff(b[1], b[2], b[3], a[4], b[4], a[5], b[5], nodes))
    changes.sort(key=lambda c: (-abs(c.rank_change), -abs(c.total_change), c.unit_code))
    return changes


# Statistics -----------------------------------------------------------------------------


@dataclass
class CategoryStats:
    name: str
    scale: Decimal
    count: int
    at_least_90: int
    share_90: Decimal
    new_top10: list[str]
    grades: list[tuple[str, int]]
    mean: Decimal | None
    best: Decimal | None
    worst: Decimal | None


def _scores(rows: Sequence[tuple[Any, ...]]) -> list[UnitScore]:
    return [
        UnitScore(code, "", total, total, rank, i, len(rows), ())
        for i, (code, total, rank, *_rest) in enumerate(rows, start=1)
    ]


def statistics(run: ScoreRun) -> list[CategoryStats]:
    """Per category: share of units at or above 90% of the scale (90 / 900), new entrants
    to the top 10 against last year, grade distribution."""
    result = []
    categories = RunCategory.objects.filter(run=run).select_related("category").defer("data")
    rows_by_category: dict[int, list[tuple[Any, ...]]] = {}
    for row in (
        UnitResult.objects.filter(run=run)
        .order_by("position")
        .values_list("unit__name", "total", "rank", "last_rank", "grade", "run_category_id")
    ):
        rows_by_category.setdefault(row[5], []).append(row)
    for rc in categories:
        rows = rows_by_category.get(rc.pk, [])
        units = _scores(rows)
        share = share_at_least(units, rc.scale)
        last = {r[0]: LastYear(r[0], None, r[3]) for r in rows if r[3] is not None}
        new_top = new_top_entrants(units, last) if last else []
        grades: dict[str, int] = {}
        for r in rows:
            grades[r[4]] = grades.get(r[4], 0) + 1
        totals = [r[1] for r in rows]
        mean = figures.mean(totals)  # half up, like every figure shown
        result.append(
            CategoryStats(
                rc.category.name,
                rc.scale,
                share.total,
                share.count,
                share.share,
                new_top,
                sorted(grades.items()),
                mean,
                max(totals) if totals else None,
                min(totals) if totals else None,
            )
        )
    return result


def owned_leaf_scores(run: ScoreRun, organization_id: int) -> list[dict[str, Any]]:
    """For a department: per owned leaf indicator, every unit's score."""
    out = []
    categories = RunCategory.objects.filter(run=run).select_related("category").defer("data")
    for rc in categories:
        owned = [
            (i, n)
            for i, n in enumerate(rc.tree["nodes"])
            if n.get("owner") == organization_id and n["method"]
        ]
        if not owned:
            continue
        index = {code: i for i, code in enumerate(rc.node_codes)}
        rows = list(
            UnitResult.objects.filter(run_category=rc)
            .order_by("unit__code")
            .values_list("unit__code", "unit__name", "scores")
        )
        for _, node in owned:
            position = index[node["code"]]
            out.append(
                {
                    "category": rc.category.name,
                    "code": node["code"],
                    "name": node["name"],
                    "points": Decimal(node["points"]),
                    "rows": [(code, name, fixed(scores[position])) for code, name, scores in rows],
                }
            )
    return out


def chunks(items: Iterable[Any], size: int) -> list[list[Any]]:
    batch: list[Any] = []
    out = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            out.append(batch)
            batch = []
    if batch:
        out.append(batch)
    return out
