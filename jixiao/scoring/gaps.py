"""Gaps of a run (缺报与未审定): every (unit, leaf) where the unit has no counting figure
(it scores 0 there) or has a newer entry still in review, which the run does not use.

The office sees them on the run page before publishing and must acknowledge each with a
reason (`actions.acknowledge_gaps`); `actions.publish_run` refuses while one is not
acknowledged, and the unit's card shows "未报送/未审定：<reason>". Nobody loses points
without the office having seen it.

Missing figures come from the run's stored results (`UnitResult.missing`); entries in
review are read live, against the latest counting entry of the same unit and indicator
(which is what a working run uses: incremental recomputes keep it in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus
from jixiao.scheme.models import Indicator, Scheme
from jixiao.scoring.loader import required_periods
from jixiao.scoring.models import GapAcknowledgement, GapKind, RunCategory, ScoreRun, UnitResult

#: Entries on their way to counting: sent for review, back with the department, or
#: waiting for its leader's confirmation.
IN_REVIEW = (EntryStatus.SUBMITTED, EntryStatus.RETURNED, EntryStatus.AWAITING_CONFIRMATION)


@dataclass
class Gap:
    unit_id: int
    unit_code: str
    unit_name: str
    category: str
    indicator_code: str
    indicator_name: str
    kind: str
    #: the newest entry in review (None when the unit has no entry at all)
    entry_id: int | None = None
    entry_status: str = ""
    period_name: str = ""
    #: where the office can follow it up when there is no entry: the period's page
    period_id: int | None = None
    acknowledged: GapAcknowledgement | None = None

    @property
    def key(self) -> str:
        return f"{self.unit_id}:{self.indicator_code}"

    @property
    def kind_label(self) -> str:
        return str(GapKind(self.kind).label)


def run_gaps(run: ScoreRun) -> list[Gap]:
    """The run's gaps, by category, unit and indicator, with their acknowledgements."""
    scheme = Scheme.objects.filter(year_id=run.year_id).first()
    if scheme is None:
        return []
    leaves: dict[int, tuple[str, dict[str, str]]] = {}
    for rc in (
        RunCategory.objects.filter(run=run)
        .select_related("category")
        .only("pk", "tree", "category__name")
    ):
        names = {n["code"]: n["name"] for n in rc.tree["nodes"] if n.get("method")}
        leaves[rc.pk] = (rc.category.name, names)
    units: dict[int, tuple[str, str, int, list[str]]] = {
        unit_id: (code, name, rc_id, missing)
        for unit_id, code, name, rc_id, missing in UnitResult.objects.filter(run=run)
        .order_by("run_category__category__sort_order", "position")
        .values_list("unit_id", "unit__code", "unit__name", "run_category_id", "missing")
    }
    periods = list(
        CollectionPeriod.objects.filter(scheme=scheme)
        .order_by("ends_on", "id")
        .values_list("id", "name")
    )
    rank = {pk: i for i, (pk, _name) in enumerate(periods)}
    period_names = dict(periods)
    code_of = dict(Indicator.objects.filter(scheme=scheme).values_list("id", "code"))
    id_of = {code: pk for pk, code in code_of.items()}
    required = required_periods(scheme)
    pending_by_unit: dict[int, list[tuple[int, tuple[int, int, str]]]] = {}
    for (indicator_id, unit_id), row in _in_review(scheme, rank, required, units).items():
        pending_by_unit.setdefault(unit_id, []).append((indicator_id, row))
    labels = dict(EntryStatus.choices)
    latest_period = periods[-1][0] if periods else None
    acks = {
        (a.unit_id, a.indicator_code): a
        for a in GapAcknowledgement.objects.filter(run=run).select_related("acknowledged_by")
    }
    gaps: list[Gap] = []
    for unit_id, (unit_code, unit_name, rc_id, missing) in units.items():
        category, names = leaves[rc_id]
        codes = set(missing)
        by_code = {}
        for indicator_id, row in pending_by_unit.get(unit_id, []):
            code = code_of.get(indicator_id, "")
            if code in names:
                by_code[code] = (row, indicator_id)
                codes.add(code)
        for code in sorted(codes, key=list(names).index if names else None):
            gap = Gap(
                unit_id,
                unit_code,
                unit_name,
                category,
                code,
                names.get(code, code),
                GapKind.MISSING,
                period_id=latest_period,
            )
            if code in by_code:
                (entry_id, period_id, status), _indicator = by_code[code]
                gap.kind = GapKind.PENDING
                gap.entry_id, gap.entry_status = entry_id, str(labels.get(status, status))
                gap.period_name, gap.period_id = period_names.get(period_id, ""), period_id
            else:
                wanted = required.get(id_of.get(code, -1))
                if wanted is not None:
                    gap.period_id, gap.period_name = wanted, period_names.get(wanted, "")
            gap.acknowledged = acks.get((unit_id, code))
            gaps.append(gap)
    return gaps


def _in_review(
    scheme: Scheme,
    rank: dict[int, int],
    required: dict[int, int],
    units: dict[int, tuple[str, str, int, list[str]]],
) -> dict[tuple[int, int], tuple[int, int, str]]:
    """(indicator id, unit id) -> (entry id, period id, status) of the newest entry in
    review that is newer than the unit's counting entry (or is the required period's)."""
    rows = list(
        Entry.objects.filter(period__scheme=scheme, status__in=IN_REVIEW, unit_id__in=list(units))
        .order_by()
        .values_list("id", "indicator_id", "unit_id", "period_id", "status")
    )
    if not rows:
        return {}
    counted: dict[tuple[int, int], int] = {}
    for indicator_id, unit_id, period_id in (
        Entry.objects.scoring_inputs()
        .filter(
            period__scheme=scheme,
            indicator_id__in={r[1] for r in rows},
            unit_id__in={r[2] for r in rows},
        )
        .order_by()
        .values_list("indicator_id", "unit_id", "period_id")
    ):
        key = (indicator_id, unit_id)
        if indicator_id in required and period_id != required[indicator_id]:
            continue
        counted[key] = max(counted.get(key, -1), rank[period_id])
    newest: dict[tuple[int, int], tuple[int, int, str]] = {}
    for entry_id, indicator_id, unit_id, period_id, status in rows:
        key = (indicator_id, unit_id)
        if indicator_id in required:
            if period_id != required[indicator_id]:
                continue
        elif rank[period_id] <= counted.get(key, -1):
            continue
        if key in counted and indicator_id in required:
            continue  # the required period's figure counts already
        if key not in newest or rank[period_id] > rank[newest[key][1]]:
            newest[key] = (entry_id, period_id, status)
    return newest
