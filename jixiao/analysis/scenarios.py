"""Re-ranking a scenario: the run category's tree with the scenario's changes applied
(`engine.whatif.apply_changes`), scored by the pure engine on the run's own input, the
run's result rules with the scenario's overrides, and the side-by-side comparison. Reads
only; the real year is never touched."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from jixiao.analysis.loading import CategoryState
from jixiao.scoring.engine import (
    CategoryResult,
    CategoryTree,
    LastYear,
    ScoringError,
    compile_tree,
)
from jixiao.scoring.engine.whatif import (
    Move,
    Standing,
    apply_changes,
    compare,
    scale_inputs,
    score_changed,
)
from jixiao.scoring.outcomes import outcomes_for

#: Result rules a scenario may override, with how each is read from a form.
RULE_FIELDS: dict[str, str] = {
    "excellent_share": "share",
    "good_share": "share_or_none",
    "fourth_grade_count": "count",
    "fourth_grade_below": "number_or_none",
    "model_count": "count",
    "advance_count": "count",
    "warning_bottom": "count",
    "quota_rounding": "choice:floor,half_up",
    "tie_policy": "choice:exclude,include",
}
RULE_DEFAULTS = {"quota_rounding": "floor", "tie_policy": "exclude"}


def clean_rule(name: str, text: str) -> Any:
    """A rule value as stored, from what the office typed; ValueError (Chinese) if invalid."""
    kind = RULE_FIELDS[name]
    text = text.strip().rstrip("%")
    if kind.startswith("choice:"):
        if text not in kind[7:].split(","):
            raise ValueError(_("选项无效"))
        return text
    if not text:
        if kind.endswith("_or_none"):
            return None
        raise ValueError(_("不能为空"))
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(_("“%(v)s”不是数字") % {"v": text}) from error
    if kind == "count":
        if number != number.to_integral_value() or not 0 <= number <= 1000:
            raise ValueError(_("应为 0 至 1000 的整数"))
        return int(number)
    if kind.startswith("share"):
        if number > 1:
            number = number / 100  # written as a percentage
        if not 0 < number <= 1:
            raise ValueError(_("比例应大于 0 且不超过 100%"))
        return str(number.normalize())
    return str(number)


def standings(
    result: CategoryResult, last_year: Mapping[str, LastYear], rules: Mapping[str, Any]
) -> dict[str, Standing]:
    outcomes = outcomes_for(result.units, last_year, rules)
    return {
        u.unit_code: Standing(
            u.total,
            u.rank,
            outcomes[u.unit_code].grade,
            tuple(a[0] for a in outcomes[u.unit_code].awards),
            tuple(w[0] for w in outcomes[u.unit_code].warnings),
        )
        for u in result.units
    }


@dataclass
class CategoryOutcome:
    state: CategoryState
    changes: Mapping[str, Any]
    tree: CategoryTree | None = None
    result: CategoryResult | None = None
    rules: dict[str, Any] = field(default_factory=dict)
    moves: list[Move] = field(default_factory=list)
    problems: tuple[str, ...] = ()

    @property
    def changed(self) -> list[Move]:
        return [m for m in self.moves if m.changed]

    def count(self, what: str) -> int:
        if what == "rank":
            return sum(1 for m in self.moves if m.rank_change)
        return sum(1 for m in self.moves if getattr(m.before, what) != getattr(m.after, what))

    @property
    def count_rank(self) -> int:
        return self.count("rank")

    @property
    def count_grade(self) -> int:
        return self.count("grade")

    @property
    def count_awards(self) -> int:
        return self.count("awards")

    @property
    def count_warnings(self) -> int:
        return self.count("warnings")

    @property
    def points(self) -> dict[str, Decimal]:
        if self.tree is None:
            return {}
        return {n.code: n.points for n in self.tree.nodes}


def evaluate_category(state: CategoryState, changes: Mapping[str, Any]) -> CategoryOutcome:
    """The category re-ranked with `changes`; `problems` lists why it could not be."""
    outcome = CategoryOutcome(state, changes)
    rules = {**RULE_DEFAULTS, **state.rules, **(changes.get("rules") or {})}
    outcome.rules = rules
    tree_changes = {k: v for k, v in changes.items() if k != "rules" and v}
    try:
        if tree_changes:
            tree = apply_changes(state.compiled.tree, tree_changes)
            data = scale_inputs(state.data, state.compiled.tree, tree)
            result = score_changed(state.result, state.data, compile_tree(tree), data)
        else:
            tree, result = state.compiled.tree, state.result
    except ScoringError as error:
        outcome.problems = error.problems
        return outcome
    outcome.tree, outcome.result = tree, result
    before = state.baseline
    after = standings(result, state.last_year, rules)
    outcome.moves = compare(before, after, [u.unit_code for u in result.units])
    return outcome


def changes_from_form(
    state: CategoryState, data: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """One category's changes from the scenario form: `p:<node>` points, `d:<node>`
    dropped, `m:<node>` method, `a:<node>` parameters (JSON), `r:<rule>` rules. Only what
    differs from the run is kept."""
    import json

    problems: list[str] = []
    changes: dict[str, Any] = {"points": {}, "drop": [], "params": {}, "methods": {}, "rules": {}}
    for node in state.compiled.nodes:
        code = node.code
        if data.get(f"d:{code}"):
            changes["drop"].append(code)
            continue
        text = (data.get(f"p:{code}") or "").strip()
        if text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                problems.append(_("指标“%(c)s”的分值“%(v)s”不是数字") % {"c": code, "v": text})
            else:
                if value != node.points:
                    changes["points"][code] = str(value)
        method = (data.get(f"m:{code}") or "").strip()
        if method and method != node.method:
            changes["methods"][code] = method
        params = (data.get(f"a:{code}") or "").strip()
        if params:
            try:
                parsed = json.loads(params)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                problems.append(_("指标“%(c)s”的参数应为 JSON 对象") % {"c": code})
            elif parsed != dict(node.params):
                changes["params"][code] = parsed
    for name in RULE_FIELDS:
        key = f"r:{name}"
        if key not in data:
            continue
        try:
            value = clean_rule(name, data[key])
        except ValueError as error:
            problems.append(f"{name}：{error}")
            continue
        current = {**RULE_DEFAULTS, **state.rules}.get(name)
        if _differs(value, current):
            changes["rules"][name] = value
    return {k: v for k, v in changes.items() if v}, problems


def _differs(value: Any, current: Any) -> bool:
    if value is None or current is None:
        return value is not current
    try:
        return Decimal(str(value)) != Decimal(str(current))
    except InvalidOperation:
        return str(value) != str(current)
