"""A run's categories as the engine sees them (compiled tree, input, result, rules, last
year), rebuilt from the run's own snapshot through `scoring.actions.explain_state` and
kept in a small per-process cache checked by the run category's digest, so a what-if
re-rank reads no snapshot twice. Reads only: nothing here writes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jixiao.scoring.actions import explain_state
from jixiao.scoring.engine import CategoryData, CategoryResult, CompiledTree, LastYear
from jixiao.scoring.models import RunCategory, ScoreRun
from jixiao.scoring.snapshot import last_year_from_layout

#: Units held in the cache (a 10,000-unit province fits twice).
CACHE_UNITS = 20_000


@dataclass(frozen=True, eq=False)
class CategoryState:
    rc_id: int
    category_id: int
    code: str
    name: str
    digest: str
    compiled: CompiledTree
    data: CategoryData
    result: CategoryResult
    rules: Mapping[str, Any]
    last_year: Mapping[str, LastYear]
    unit_names: Mapping[str, str]

    @property
    def size(self) -> int:
        return len(self.result.unit_codes)

    @cached_property
    def baseline(self) -> Mapping[str, Any]:
        """The run's own standings (unit code -> `Standing`), computed once per state."""
        from jixiao.analysis.scenarios import RULE_DEFAULTS, standings

        return standings(self.result, self.last_year, {**RULE_DEFAULTS, **self.rules})


_CACHE: OrderedDict[int, CategoryState] = OrderedDict()
_LOCK = threading.Lock()


def _remember(state: CategoryState) -> None:
    with _LOCK:
        _CACHE[state.rc_id] = state
        _CACHE.move_to_end(state.rc_id)
        held = sum(s.size for s in _CACHE.values())
        while len(_CACHE) > 1 and held > CACHE_UNITS:
            _, dropped = _CACHE.popitem(last=False)
            held -= dropped.size


def run_states(run: ScoreRun, category_code: str | None = None) -> list[CategoryState]:
    """Every category of the run (or just one), in the run's category order."""
    rows = RunCategory.objects.filter(run=run).order_by("category__sort_order", "category__code")
    if category_code is not None:
        rows = rows.filter(category__code=category_code)
    heads = list(
        rows.values_list("pk", "digest", "category_id", "category__code", "category__name")
    )
    states: list[CategoryState] = []
    missing = []
    for pk, digest, *_ in heads:
        with _LOCK:
            cached = _CACHE.get(pk)
        if cached is None or cached.digest != digest:
            missing.append(pk)
    loaded = {rc.pk: rc for rc in RunCategory.objects.filter(pk__in=missing)}
    names = _unit_names(run) if missing else {}
    for pk, digest, category_id, code, name in heads:
        if pk in loaded:
            rc = loaded[pk]
            compiled, data, result = explain_state(rc)
            state = CategoryState(
                pk,
                category_id,
                code,
                name,
                digest,
                compiled,
                data,
                result,
                dict(rc.rules),
                last_year_from_layout(rc.layout),
                {u: names.get(u, u) for u in result.unit_codes},
            )
            _remember(state)
        else:
            with _LOCK:
                state = _CACHE[pk]
        states.append(state)
    return states


def _unit_names(run: ScoreRun) -> dict[str, str]:
    from jixiao.scoring.models import UnitResult

    return dict(UnitResult.objects.filter(run=run).values_list("unit__code", "unit__name"))
