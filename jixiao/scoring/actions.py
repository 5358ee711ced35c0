"""Writes of the scoring app: compute a run, publish it, open its rankings, and
recompute incrementally after one entry changed. Each owns its transaction and writes
its audit record inside it."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection.models import INPUT_COLUMNS, Entry
from jixiao.core.values import text_problem
from jixiao.org.models import AssessmentYear
from jixiao.scheme.models import Scheme
from jixiao.scoring import loader, quarterly, records
from jixiao.scoring.engine import (
    CategoryData,
    CategoryResult,
    CompiledTree,
    LastYear,
    LeafInput,
    compile_tree,
    rescore,
    score_category,
    score_province,
)
from jixiao.scoring.models import (
    CategoryRules,
    GapAcknowledgement,
    RankingsAudience,
    RunCategory,
    RunStatus,
    ScoreRun,
    UnitResult,
)
from jixiao.scoring.notices import announce_published
from jixiao.scoring.outcomes import Outcome, outcomes_for, rules_json
from jixiao.scoring.rules import share_text
from jixiao.scoring.snapshot import dump_data, last_year_from_layout, load_data, tree_from_json
from jixiao.scoring.store import read_columns, result_rows, save_blobs, write_rows


class ResultActionError(Exception):
    """A results action cannot be done; the message is for the user (Chinese)."""


def _rules_by_category(year: AssessmentYear) -> dict[str, dict[str, Any]]:
    stored = {
        r.category.code: r
        for r in CategoryRules.objects.filter(category__year=year).select_related("category")
    }
    return {code: rules_json(stored.get(code)) for code in _category_codes(year)}


def _category_codes(year: AssessmentYear) -> list[str]:
    return list(year.categories.values_list("code", flat=True))


def compute_run(year: AssessmentYear, *, user: Any = None, note: str = "") -> ScoreRun:
    """Compute every unit's results for the year and store them as a new run (version).

    Raises ScoringError (Chinese problems) when the scheme or the data cannot be scored.
    """
    started = time.perf_counter()
    # The newest version before this computation read anything (see the guard below).
    seen = ScoreRun.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0
    quarterly_rules = quarterly.year_rules(year)
    weights = quarterly.weights_of(quarterly_rules) if quarterly_rules is not None else None
    inputs = loader.load_year(year, records=True)
    result = score_province(inputs.province)
    rules = _rules_by_category(year)
    # 季度积分: the stored totals and ranks are the accumulated ones; node scores and the
    # snapshot stay the year-end figures (what the explanation rebuilds).
    accumulated = (
        quarterly.accumulate(
            year,
            inputs.scheme.pk,
            weights,
            {code: r.units for code, r in result.categories.items()},
        )
        if weights is not None
        else None
    )
    units_by_code = {
        code: accumulated.units[code] if accumulated else r.units
        for code, r in result.categories.items()
    }
    snapshots: dict[str, tuple[bytes, dict[str, Any]]] = {}
    # What the run shows besides numbers (reasons, who, evidence), frozen with it.
    entry_records = records.category_entry_records(inputs.scheme.pk, year.pk, inputs.record_columns)
    for code in sorted(inputs.data):
        frozen = entry_records.get(code)
        blob, layout = dump_data(inputs.data[code], (frozen or records.empty_records()).arrays())
        events = [e.ref for e in inputs.data[code].events if e.ref is not None]
        layout["records"] = {"events": records.event_records(events)}
        layout["required_periods"] = {
            leaf: period
            for leaf, period in inputs.periods_by_code.items()
            if leaf in inputs.compiled[code].leaf_fields
        }
        layout["last_year"] = {
            unit: [str(ly.total), ly.rank, ly.units_in_category, ly.warned]
            for unit in inputs.data[code].unit_codes
            if (ly := inputs.last_year.get(unit)) is not None
        }
        if accumulated is not None:
            layout["quarters"] = accumulated.layout(code)
        snapshots[code] = (blob, layout)
    digests = {
        code: _digest(inputs.tree_json[code], rules.get(code, {}), layout, blob)
        for code, (blob, layout) in snapshots.items()
    }
    fingerprint = loader.fingerprint(digests[c] for c in sorted(digests))
    with transaction.atomic():
        # One computation per year at a time, across every app server and worker.
        AssessmentYear.objects.select_for_update(of=("self",)).get(pk=year.pk)
        newest = ScoreRun.objects.filter(year=year).order_by("-number").first()
        if (
            newest is not None
            and newest.number > seen
            and newest.status == RunStatus.COMPUTED
            and newest.fingerprint == fingerprint
        ):
            # Another process computed the same inputs while this one did (two clicks,
            # two servers): that version is the result; a second identical one is noise.
            return newest
        number = (newest.number if newest is not None else 0) + 1
        published = ScoreRun.objects.filter(year=year, status=RunStatus.PUBLISHED).first()
        run = ScoreRun.objects.create(
            year=year,
            number=number,
            compared_with=published,
            fingerprint=fingerprint,
            unit_count=len(inputs.unit_ids),
            missing_count=sum(len(u.missing) for c in result.categories.values() for u in c.units),
            note=note[:200],
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # PostgreSQL: the snapshots go in afterwards as binary parameters (fast).
        blobs_later = connection.vendor == "postgresql"
        run_categories = RunCategory.objects.bulk_create(
            [
                RunCategory(
                    run=run,
                    category=inputs.categories[code],
                    scale=inputs.trees[code].scale,
                    tree=inputs.tree_json[code],
                    node_codes=[n.code for n in inputs.compiled[code].nodes],
                    rules=rules.get(code, rules_json(None)),
                    layout=snapshots[code][1],
                    data=b"" if blobs_later else snapshots[code][0],
                    digest=digests[code],
                    unit_count=len(inputs.data[code].unit_codes),
                )
                for code in sorted(inputs.data)
            ]
        )
        if blobs_later:
            save_blobs(
                RunCategory,
                "data",
                {rc.pk: snapshots[rc.category.code][0] for rc in run_categories},
            )
        outcomes_by_code: dict[str, dict[str, Outcome]] = {}
        for rc in run_categories:
            code = rc.category.code
            category_result = result.categories[code]
            outcomes = outcomes_for(units_by_code[code], inputs.last_year, rc.rules)
            outcomes_by_code[code] = outcomes
            write_rows(
                result_rows(
                    run.pk,
                    rc.pk,
                    category_result,
                    inputs.unit_ids,
                    outcomes,
                    inputs.last_year,
                    units=units_by_code[code],
                )
            )
        after = {
            inputs.unit_ids[u.unit_code]: (u.total, u.rank)
            for units in units_by_code.values()
            for u in units
        }
        run.summary = {**summarize(published, run, after), "notes": inputs.notes}
        if weights is not None:
            # Read by recompute_entry (no incremental recompute) and the run page.
            run.summary["quarterly"] = [share_text(w) for w in weights]
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.save(update_fields=["summary", "duration_ms"])
        record(
            AuditAction.CREATE,
            run,
            after={
                "number": number,
                "fingerprint": run.fingerprint,
                "units": run.unit_count,
                "summary": run.summary,
            },
            reason=note,
        )
    if accumulated is not None:
        return run  # quarterly years are recomputed in full (see recompute_entry)
    # The new run is the working run: keep its categories for incremental recomputes.
    result_pks = dict(UnitResult.objects.filter(run=run).values_list("unit_id", "pk"))
    for rc in run_categories:
        code = rc.category.code
        layout = snapshots[code][1]
        _remember(
            (run.pk, rc.pk),
            _Cached(
                digests[code],
                inputs.compiled[code],
                inputs.data[code],
                result.categories[code],
                rc.rules,
                last_year_from_layout(layout),
                layout["required_periods"],
                [],
                {
                    unit: (result_pks[inputs.unit_ids[unit]], inputs.unit_ids[unit])
                    for unit in inputs.data[code].unit_codes
                },
                outcomes_by_code[code],
            ),
        )
    return run


def _digest(tree: Any, rules: Any, layout: dict[str, Any], blob: bytes) -> str:
    return loader.fingerprint([tree, rules, layout, blob])


def summarize(
    old: ScoreRun | None,
    new: ScoreRun,
    after: dict[int, tuple[Decimal, int]] | None = None,
) -> dict[str, int]:
    """How many units changed total or rank against the published run (`after`: the new
    run's unit id -> (total, rank) when the caller has them in memory)."""
    if old is None:
        return {}
    before = {
        unit: (total, rank)
        for unit, total, rank in UnitResult.objects.filter(run=old).values_list(
            "unit_id", "total", "rank"
        )
    }
    if after is None:
        after = {
            unit: (total, rank)
            for unit, total, rank in UnitResult.objects.filter(run=new).values_list(
                "unit_id", "total", "rank"
            )
        }
    common = set(before) & set(after)
    return {
        "changed": sum(1 for u in common if before[u][0] != after[u][0]),
        "moved": sum(1 for u in common if before[u][1] != after[u][1]),
        "added": len(set(after) - set(before)),
        "removed": len(set(before) - set(after)),
    }


def acknowledge_gaps(run: ScoreRun, *, user: Any, keys: list[str], reason: str) -> int:
    """The office has seen these gaps (`gaps.Gap.key`: "unit id:indicator code") of a
    computed run and records why it publishes anyway. Returns how many were recorded."""
    from jixiao.scoring.gaps import run_gaps

    reason = reason.strip()
    if not reason:
        raise ResultActionError("请填写原因（将显示在相关单位的成绩单上）")
    if not keys:
        raise ResultActionError("请勾选要确认的数据项")
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if locked.status != RunStatus.COMPUTED:
            raise ResultActionError("该版本已发布或已被取代，不能再确认缺报数据")
        current = {g.key: g for g in run_gaps(locked)}
        unknown = [k for k in keys if k not in current]
        if unknown:
            raise ResultActionError("所选数据项已不再缺报或待审定，请刷新页面后重试")
        for key in dict.fromkeys(keys):
            gap = current[key]
            ack = gap.acknowledged or GapAcknowledgement(
                run=locked, unit_id=gap.unit_id, indicator_code=gap.indicator_code
            )
            before = None if ack.pk is None else {"kind": ack.kind, "reason": ack.reason}
            ack.kind, ack.reason, ack.acknowledged_by = gap.kind, reason[:2000], user
            ack.save()
            record(
                AuditAction.CREATE if before is None else AuditAction.UPDATE,
                ack,
                before=before,
                after={
                    "run": locked.number,
                    "unit": gap.unit_code,
                    "indicator": gap.indicator_code,
                    "kind": gap.kind,
                    "reason": ack.reason,
                },
                reason=reason,
            )
    return len(set(keys))


def acknowledge_all_gaps(run: ScoreRun, *, user: Any, reason: str) -> int:
    """Acknowledge every open gap of a run with one reason (the demo district, benches
    and tests; the office ticks them one by one on the run page)."""
    from jixiao.scoring.gaps import run_gaps

    keys = [g.key for g in run_gaps(run) if g.acknowledged is None]
    return acknowledge_gaps(run, user=user, keys=keys, reason=reason) if keys else 0


def _check_gaps(run: ScoreRun) -> None:
    """Publishing needs every gap acknowledged; acknowledgements of gaps that have since
    closed (the data arrived and counts) are dropped, so no card shows a stale note."""
    from jixiao.scoring.gaps import run_gaps

    gaps = run_gaps(run)
    open_gaps = [g for g in gaps if g.acknowledged is None]
    if open_gaps:
        named = "；".join(
            f"{g.unit_name}·{g.indicator_code} {g.indicator_name}（{g.kind_label}）"
            for g in open_gaps[:5]
        )
        more = f"等 {len(open_gaps)} 项" if len(open_gaps) > 5 else ""
        raise ResultActionError(
            f"有未报送或未审定的数据尚未逐项确认：{named}{more}。请在本页逐项确认并填写原因后再发布。"
        )
    current = {(g.unit_id, g.indicator_code): g for g in gaps}
    for ack in GapAcknowledgement.objects.filter(run=run):
        gap = current.get((ack.unit_id, ack.indicator_code))
        if gap is None:
            record(AuditAction.DELETE, ack, before={"kind": ack.kind, "reason": ack.reason})
            ack.delete()
        elif gap.kind != ack.kind:
            record(AuditAction.UPDATE, ack, before={"kind": ack.kind}, after={"kind": gap.kind})
            ack.kind = gap.kind
            ack.save(update_fields=["kind"])


def _check_reason(reason: str) -> None:
    """The reason goes into the audit trail: the one text door's limits apply."""
    if problem := text_problem(reason):
        raise ResultActionError(f"原因{problem}")


def publish_run(run: ScoreRun, *, user: Any, audience: str, reason: str = "") -> ScoreRun:
    """Publish a computed run (绩效办): it becomes frozen; the previous one is superseded.
    Every gap (a unit without a counting figure) must have been acknowledged."""
    if audience not in RankingsAudience.values:
        raise ResultActionError("排名公布范围无效")
    _check_reason(reason)
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if locked.status != RunStatus.COMPUTED:
            raise ResultActionError("该版本已发布或已被取代，不能再次发布")
        newest = ScoreRun.objects.filter(year_id=locked.year_id).aggregate(n=Max("number"))["n"]
        if newest != locked.number:
            raise ResultActionError("只能发布最新计算的版本；请先查看最新版本")
        _check_gaps(locked)
        previous = (
            ScoreRun.objects.select_for_update(of=("self",))
            .filter(year_id=locked.year_id, status=RunStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            previous.status = RunStatus.SUPERSEDED
            previous.version += 1
            previous.save(update_fields=["status", "version", "updated_at"])
            record(
                AuditAction.TRANSITION,
                previous,
                before={"status": RunStatus.PUBLISHED},
                after={"status": RunStatus.SUPERSEDED, "superseded_by": locked.number},
                reason=reason,
            )
        locked.status = RunStatus.PUBLISHED
        locked.published_by = user
        locked.published_at = timezone.now()
        locked.rankings_audience = audience
        locked.version += 1
        locked.save()
        record(
            AuditAction.TRANSITION,
            locked,
            before={"status": RunStatus.COMPUTED},
            after={"status": RunStatus.PUBLISHED, "rankings_audience": audience},
            reason=reason,
        )
        announce_published(locked, actor=user, replaced=previous.number if previous else None)
    _forget(locked.pk)
    return locked


def set_rankings_audience(
    run: ScoreRun, *, audience: str, expected_version: int, reason: str = ""
) -> ScoreRun:
    """Choose who reads a published run's rankings (e.g. open them to the units)."""
    if audience not in RankingsAudience.values:
        raise ResultActionError("排名公布范围无效")
    _check_reason(reason)
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if locked.status != RunStatus.PUBLISHED:
            raise ResultActionError("只有已发布的版本才能设置排名公布范围")
        if locked.version != expected_version:
            raise ResultActionError("该版本已被他人修改，请刷新页面后重试")
        before = locked.rankings_audience
        locked.rankings_audience = audience
        locked.version += 1
        locked.save(update_fields=["rankings_audience", "version", "updated_at"])
        record(
            AuditAction.TRANSITION,
            locked,
            before={"rankings_audience": before},
            after={"rankings_audience": audience},
            reason=reason,
        )
    return locked


# Incremental recompute ---------------------------------------------------------------


@dataclass
class _Cached:
    """A working run's category as the engine sees it, valid while `digest` is the run
    category's stored digest (which covers tree, rules, snapshot and patches)."""

    digest: str
    compiled: CompiledTree
    data: CategoryData
    result: CategoryResult
    rules: dict[str, Any]
    last_year: dict[str, LastYear]
    #: 须按期报送 indicator code -> the period whose entry is required
    periods: dict[str, int]
    patches: list[list[Any]]
    #: unit code -> (UnitResult pk, unit id); read on first need
    result_ids: dict[str, tuple[int, int]] | None = None
    #: grades, awards and warnings of `result` (computed on first need)
    outcomes: dict[str, Outcome] | None = None

    @property
    def size(self) -> int:
        return len(self.data.unit_codes)


# Per-process cache of working-run categories, bounded by the units it holds (a province
# of 10,000 units fits): an incremental recompute then reads no snapshot. A full
# computation seeds it with what it has just computed.
_CACHE: OrderedDict[tuple[int, int], _Cached] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_UNITS: int = settings.SCORING_CACHE_UNITS


def _remember(key: tuple[int, int], state: _Cached) -> None:
    with _CACHE_LOCK:
        _CACHE[key] = state
        _CACHE.move_to_end(key)
        held = sum(c.size for c in _CACHE.values())
        while len(_CACHE) > 1 and held > CACHE_UNITS:
            _, dropped = _CACHE.popitem(last=False)
            held -= dropped.size


def _forget(run_id: int) -> None:
    with _CACHE_LOCK:
        for key in [k for k in _CACHE if k[0] == run_id]:
            del _CACHE[key]


def _category_state(run_id: int, rc_id: int, digest: str) -> _Cached:
    key = (run_id, rc_id)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.digest == digest:
            _CACHE.move_to_end(key)
            return cached
    tree, rules, layout, patches, blob = read_columns(
        RunCategory, ("tree", "rules", "layout", "patches", "data"), rc_id
    )
    compiled = compile_tree(tree_from_json(tree))
    data = apply_patches(compiled, load_data(blob, layout), patches)
    return _Cached(
        digest,
        compiled,
        data,
        score_category(compiled, data),
        rules,
        last_year_from_layout(layout),
        layout.get("required_periods", {}),
        patches,
    )


def _result_ids(rc_id: int, state: _Cached) -> dict[str, tuple[int, int]]:
    if state.result_ids is None:
        state.result_ids = {
            code: (pk, unit_id)
            for code, pk, unit_id in UnitResult.objects.filter(run_category_id=rc_id).values_list(
                "unit__code", "pk", "unit_id"
            )
        }
    return state.result_ids


def _cached_category_of(run_id: int, unit_code: str) -> int | None:
    """The run category holding the unit, if this process has it cached."""
    with _CACHE_LOCK:
        for (run, rc_id), state in _CACHE.items():
            if run == run_id and unit_code in state.data.rows:
                return rc_id
    return None


def _outcomes(state: _Cached) -> dict[str, Outcome]:
    if state.outcomes is None:
        state.outcomes = outcomes_for(state.result.units, state.last_year, state.rules)
    return state.outcomes


def apply_patches(
    compiled: CompiledTree, data: CategoryData, patches: list[list[Any]]
) -> CategoryData:
    # A patch is [unit, indicator, values or None, entry id, record (since format 3)].
    for unit_code, indicator_code, values, ref, *_record in patches:
        if values is None:
            data = data.without_input(unit_code, indicator_code)
        else:
            fields = compiled.leaf_fields[indicator_code]
            data = data.with_input(LeafInput(unit_code, indicator_code, values, ref), fields)
    return data


def recompute_entry(entry_id: int) -> ScoreRun | None:
    """Bring the year's working (computed, unpublished) run up to date after one entry
    changed, recomputing only its category's column and rewriting only the units whose
    results moved. Returns None when there is no working run to update (the office then
    computes a new version).

    With the category cached in this process (see `_CACHE`): the entry, its scheme's
    year, the run (locked), the run's category digests, the unit's counting entry and its
    record (a few small queries), the changed results, the category's patch and digest,
    the run's fingerprint, plus the audit row."""
    row = (
        Entry.objects.filter(pk=entry_id)
        .values_list(
            "unit_id", "unit__code", "indicator_id", "indicator__code", "period__scheme_id"
        )
        .first()
    )
    if row is None:
        return None
    unit_id, unit_code, indicator_id, indicator_code, scheme_id = row
    year_id = Scheme.objects.filter(pk=scheme_id).values_list("year_id", flat=True).get()
    with transaction.atomic():
        run = (
            ScoreRun.objects.select_for_update(of=("self",))
            .select_related("year")
            .filter(year_id=year_id)
            .order_by("-number")
            .first()
        )
        if run is None or run.status != RunStatus.COMPUTED:
            return None
        if run.summary.get("quarterly"):
            # 季度积分: the accumulated totals need every quarter rescored; the office
            # computes a new version (the run page says so).
            return None
        # Every category's digest, for the run's fingerprint.
        digests = list(
            RunCategory.objects.filter(run=run)
            .order_by("category__code")
            .values_list("pk", "digest")
        )
        rc_id = _cached_category_of(run.pk, unit_code)
        if rc_id is None:
            rc_id = (
                UnitResult.objects.filter(run=run, unit_id=unit_id)
                .values_list("run_category_id", flat=True)
                .first()
            )
        if rc_id is None:
            return None
        digest = dict(digests)[rc_id]
        state = _category_state(run.pk, rc_id, digest)
        fields = state.compiled.leaf_fields.get(indicator_code)
        if fields is None:
            return None
        # The unit's figure is its latest counting entry (the required period's for 须按期
        # 报送): after this change that may be this entry, an earlier one, or none.
        chosen = counting_entry(scheme_id, indicator_id, unit_id, state.periods.get(indicator_code))
        patch: list[Any]
        if chosen is not None:
            chosen_id, value, reference, grade = chosen
            columns = {"value": value, "reference": reference, "grade": grade or None}
            values = {f.name: columns[INPUT_COLUMNS.get(f.name, "value")] for f in fields}
            text = {k: None if v is None else str(v) for k, v in values.items()}
            # The entry's texts as they are now travel with its new figures.
            frozen = records.entry_records([chosen_id]).get(str(chosen_id))
            patch = [unit_code, indicator_code, text, chosen_id, frozen]
        else:
            patch = [unit_code, indicator_code, None, entry_id, None]
        data = apply_patches(state.compiled, state.data, [patch])
        result = rescore(state.result, data, [indicator_code])
        outcomes = _rewrite_category(run, rc_id, state, result)
        # The snapshot itself is not rewritten: the change is appended as a patch, which
        # every later load applies (a full computation writes a fresh snapshot).
        patches = [*state.patches, patch]
        new_digest = loader.fingerprint([digest, json.dumps(patch, ensure_ascii=False)])
        rc = RunCategory(pk=rc_id, run=run, patches=patches, digest=new_digest)
        rc.save(update_fields=["patches", "digest"])
        run.fingerprint = loader.fingerprint(new_digest if pk == rc_id else d for pk, d in digests)
        run.version += 1
        run.updated_at = timezone.now()
        # Status checked above under the row lock: a plain UPDATE (no frozen re-check).
        ScoreRun.objects.filter(pk=run.pk).update(
            fingerprint=run.fingerprint, version=run.version, updated_at=run.updated_at
        )
        record(
            AuditAction.UPDATE,
            run,
            after={"entry": entry_id, "unit": unit_code, "indicator": indicator_code},
            reason="采集数据变更，增量重算",
        )
        # Safe before commit: a rollback leaves the stored digest, which then no longer
        # matches this entry, so the next call reloads.
        _remember(
            (run.pk, rc_id),
            replace(
                state,
                digest=new_digest,
                data=data,
                result=result,
                patches=patches,
                outcomes=outcomes,
            ),
        )
    return run


def counting_entry(
    scheme_id: int, indicator_id: int, unit_id: int, required_period: int | None
) -> tuple[int, Any, Any, str] | None:
    """(id, value, reference, grade) of the unit's entry that counts for the indicator:
    the latest by period end (as `loader.latest_periods` orders them), or the required
    period's; None when there is none."""
    qs = Entry.objects.scoring_inputs().filter(
        period__scheme_id=scheme_id, indicator_id=indicator_id, unit_id=unit_id
    )
    if required_period is not None:
        qs = qs.filter(period_id=required_period)
    return (
        qs.order_by("-period__ends_on", "-period_id")
        .values_list("id", "value", "reference", "grade")
        .first()
    )


def _rewrite_category(
    run: ScoreRun, rc_id: int, state: _Cached, new: CategoryResult
) -> dict[str, Outcome]:
    """Rewrite the stored results of the units whose figures moved; returns the new
    outcomes (grades, awards, warnings) of the category."""
    old = state.result
    outcomes = outcomes_for(new.units, state.last_year, state.rules)
    old_outcomes = _outcomes(state)
    changed_rows = set()
    scores_changed = (old.scores != new.scores).any(axis=0)
    for unit in new.units:
        before = old.unit(unit.unit_code)
        row = new.rows[unit.unit_code]
        if (
            scores_changed[row]
            or before.total != unit.total
            or before.rank != unit.rank
            or before.position != unit.position
            or before.missing != unit.missing
            or outcomes[unit.unit_code] != old_outcomes[unit.unit_code]
        ):
            changed_rows.add(unit.unit_code)
    if not changed_rows:
        return outcomes
    targets = _result_ids(rc_id, state)
    unit_ids = {code: targets[code][1] for code in changed_rows if code in targets}
    pk_of = {unit_id: pk for pk, unit_id in targets.values()}
    rows = result_rows(run.pk, rc_id, new, unit_ids, outcomes, state.last_year, only=set(unit_ids))
    # By primary key: a plan that does not depend on the statistics of a brand-new run.
    params = [(*values[3:7], *values[8:14], pk_of[values[2]]) for values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(_UPDATE_RESULT, params)
    return outcomes


_UPDATE_RESULT = (
    "UPDATE scoring_unitresult SET total = %s, total_exact = %s, rank = %s, position = %s, "
    "grade = %s, awards = %s, warnings = %s, subtotals = %s, scores = %s, missing = %s "
    "WHERE id = %s"
)


def explain_state(rc: RunCategory) -> tuple[CompiledTree, CategoryData, CategoryResult]:
    """Rebuild a run category's engine result from its snapshot (for explanations)."""
    compiled = compile_tree(tree_from_json(rc.tree))
    data = apply_patches(compiled, load_data(rc.data, rc.layout), rc.patches)
    return compiled, data, score_category(compiled, data)


__all__ = [
    "ResultActionError",
    "acknowledge_all_gaps",
    "acknowledge_gaps",
    "compute_run",
    "explain_state",
    "publish_run",
    "recompute_entry",
    "set_rankings_audience",
    "summarize",
]
