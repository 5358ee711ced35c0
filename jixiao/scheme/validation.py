"""Validation of an indicator tree: a pure function over plain data.

Blocking errors (错误) must be fixed before a scheme is published or a workbook is
imported; warnings (提示) are things the office may knowingly accept, such as a
qualitative indicator below the 60% quantitative share that Taixing asks for "in
principle" (原则上).

Indicators for some units only (个性指标, `units`): a restriction also holds for the
indicator's descendants (`effective_units`). When a child applies to fewer units than its
parent, "children add up to their parent" is checked unit by unit over the children that
apply to that unit (and likewise level-1 totals against the scale), so every unit of a
category is scored on the same scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from django.utils.translation import gettext as _

from jixiao.core import figures
from jixiao.scoring.engine import CategoryTree, Node, validate_tree
from jixiao.scoring.engine.methods import METHODS

from .tree import KINDS, MAX_LEVEL, PERIODS, NodeData, children_map, dec_str

QUANTITATIVE_SHARE = Decimal("0.6")  # Taixing: 定量分值不低于60%
POINT_DIGITS = 4


class Emit(Protocol):
    def __call__(self, rule: Rule, message: str, code: str | None = None) -> None: ...


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Rule(StrEnum):
    DUPLICATE_CODE = "duplicate_code"
    STRUCTURE = "structure"
    DEPTH = "depth"
    POINTS = "points"
    CHILDREN_SUM = "children_sum"
    SCALE_TOTAL = "scale_total"
    OWNER = "owner"
    METHOD = "method"
    PARAMS = "params"
    BONUS = "bonus"
    QUALITATIVE = "qualitative"
    NO_UNITS = "no_units"
    ENGINE = "engine"


@dataclass(frozen=True)
class Issue:
    severity: Severity
    rule: Rule
    message: str
    code: str | None = None  # the indicator it is about, if any

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class Context:
    """What the tree is checked against: the year's categories (code -> scale), the
    units enrolled in each, and the organizations that may own indicators."""

    scales: Mapping[str, Decimal]
    units_by_category: Mapping[str, frozenset[str]] = field(default_factory=dict)
    departments: frozenset[str] | None = None
    category_names: Mapping[str, str] = field(default_factory=dict)

    def category_label(self, code: str) -> str:
        name = self.category_names.get(code)
        return f"{name}（{code}）" if name else code


@dataclass
class Report:
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_code(self) -> dict[str, list[Issue]]:
        result: dict[str, list[Issue]] = {}
        for issue in self.issues:
            if issue.code:
                result.setdefault(issue.code, []).append(issue)
        return result

    def error_codes(self) -> set[str]:
        return {i.code for i in self.errors if i.code}


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def validate(nodes: Sequence[NodeData], ctx: Context) -> Report:
    issues: list[Issue] = []

    def error(rule: Rule, message: str, code: str | None = None) -> None:
        issues.append(Issue(Severity.ERROR, rule, message, code))

    def warn(rule: Rule, message: str, code: str | None = None) -> None:
        issues.append(Issue(Severity.WARNING, rule, message, code))

    by_code: dict[str, NodeData] = {}
    for node in nodes:
        if node.code in by_code:
            error(Rule.DUPLICATE_CODE, _("指标编码“%(c)s”重复") % {"c": node.code}, node.code)
        else:
            by_code[node.code] = node
    kids = children_map(list(by_code.values()))
    effective = effective_units(list(by_code.values()))

    for node in by_code.values():
        where = f"{node.code} {node.name}"
        parent = by_code.get(node.parent_code) if node.parent_code else None
        _check_structure(node, parent, where, error)
        _check_points(node, parent, ctx, where, error)
        children = kids.get(node.code, [])
        if node.is_bonus:
            _check_bonus(node, parent, children, where, error)
        elif children:
            if node.method:
                error(Rule.METHOD, _("%(w)s：非末级指标不设计分方法") % {"w": where}, node.code)
            _check_sums(node, children, ctx, effective, where, error)
        else:
            _check_leaf(node, ctx, where, error)
        _check_owner(node, children, ctx, where, error)
        _check_qualitative(node, parent, children, where, warn)
        _check_units(node, ctx, where, warn)
        _check_inherited_units(node, parent, effective, where, warn)

    for category, scale in ctx.scales.items():
        top = [n for n in kids.get(None, []) if category in n.points and not n.is_bonus]
        if any(effective[n.code] is not None for n in top):
            _check_unit_totals(category, scale, top, ctx, effective, error)
            continue
        total = sum((n.points[category] for n in top), Decimal(0))
        if total != scale:
            error(
                Rule.SCALE_TOTAL,
                _("类别%(c)s的一级指标分值合计 %(t)s，应等于满分 %(s)s")
                % {"c": ctx.category_label(category), "t": dec_str(total), "s": dec_str(scale)},
            )

    if not any(i.is_error for i in issues):
        issues.extend(_engine_check(list(by_code.values()), ctx))
    return Report(issues)


def _check_structure(node: NodeData, parent: NodeData | None, where: str, error: Emit) -> None:
    if node.kind not in KINDS:
        error(
            Rule.STRUCTURE,
            _("%(w)s：指标类型“%(k)s”无效") % {"w": where, "k": node.kind},
            node.code,
        )
    if node.period not in PERIODS:
        error(
            Rule.STRUCTURE,
            _("%(w)s：数据周期“%(p)s”无效") % {"w": where, "p": node.period},
            node.code,
        )
    if node.level > MAX_LEVEL or node.level < 1:
        error(
            Rule.DEPTH,
            _("%(w)s：指标最多三级（当前为第 %(l)d 级）") % {"w": where, "l": node.level},
            node.code,
        )
    if node.parent_code is None:
        if node.level != 1:
            error(
                Rule.STRUCTURE, _("%(w)s：没有上级指标时必须是一级指标") % {"w": where}, node.code
            )
    elif parent is None:
        error(
            Rule.STRUCTURE,
            _("%(w)s：上级指标“%(p)s”不存在") % {"w": where, "p": node.parent_code},
            node.code,
        )
    elif node.level != parent.level + 1:
        error(Rule.STRUCTURE, _("%(w)s：层级必须比上级指标多一级") % {"w": where}, node.code)
    if not node.name.strip():
        error(Rule.STRUCTURE, _("%(w)s：指标名称不能为空") % {"w": where}, node.code)


def _check_points(
    node: NodeData, parent: NodeData | None, ctx: Context, where: str, error: Emit
) -> None:
    for category, points in node.points.items():
        if category not in ctx.scales:
            error(
                Rule.POINTS,
                _("%(w)s：类别“%(c)s”不存在") % {"w": where, "c": category},
                node.code,
            )
            continue
        if points < 0 or decimal_places(points) > POINT_DIGITS:
            error(
                Rule.POINTS,
                _("%(w)s：%(c)s分值不能为负，且最多 4 位小数")
                % {"w": where, "c": ctx.category_label(category)},
                node.code,
            )
        if parent is not None and category not in parent.points:
            error(
                Rule.CHILDREN_SUM,
                _("%(w)s：在%(c)s有分值，但上级指标“%(p)s”在该类别没有分值")
                % {"w": where, "c": ctx.category_label(category), "p": parent.code},
                node.code,
            )


Units = frozenset[str] | None  # None = every unit of the indicator's categories


def effective_units(nodes: Sequence[NodeData]) -> dict[str, Units]:
    """Each indicator's units intersected with its ancestors' (None = not restricted): an
    indicator applies to a unit only if it and every ancestor do."""
    by_code = {n.code: n for n in nodes}
    result: dict[str, Units] = {}

    def visit(node: NodeData, seen: frozenset[str]) -> Units:
        if node.code in result:
            return result[node.code]
        parent = by_code.get(node.parent_code) if node.parent_code else None
        inherited = (
            visit(parent, seen | {node.code})
            if parent is not None and parent.code not in seen
            else None
        )
        own = frozenset(node.unit_codes) if node.unit_codes else None
        value = own if inherited is None else inherited if own is None else inherited & own
        result[node.code] = value
        return value

    for node in nodes:
        visit(node, frozenset())
    return result


def _applies(effective: Mapping[str, Units], code: str, unit: str) -> bool:
    units = effective.get(code)
    return units is None or unit in units


def _unit_list(units: Sequence[str]) -> str:
    if len(units) > 5:
        return _("单位 %(u)s 等 %(n)d 个单位") % {"u": "、".join(units[:5]), "n": len(units)}
    return _("单位 %(u)s") % {"u": "、".join(units)}


def _per_unit_totals(
    ctx: Context,
    category: str,
    parent_code: str | None,
    members: list[NodeData],
    expected: Decimal,
    effective: Mapping[str, Units],
) -> dict[Decimal, list[str]]:
    """Units of the category (to which the parent applies) whose applicable members do not
    add up to `expected`, grouped by the total they get."""
    wrong: dict[Decimal, list[str]] = {}
    for unit in sorted(ctx.units_by_category.get(category, frozenset())):
        if parent_code is not None and not _applies(effective, parent_code, unit):
            continue
        total = sum(
            (m.points[category] for m in members if _applies(effective, m.code, unit)),
            Decimal(0),
        )
        if total != expected:
            wrong.setdefault(total, []).append(unit)
    return wrong


def _check_unit_totals(
    category: str,
    scale: Decimal,
    top: list[NodeData],
    ctx: Context,
    effective: Mapping[str, Units],
    error: Emit,
) -> None:
    for total, units in _per_unit_totals(ctx, category, None, top, scale, effective).items():
        error(
            Rule.SCALE_TOTAL,
            _("类别%(c)s中适用于%(u)s 的一级指标分值合计 %(t)s，应等于满分 %(s)s")
            % {
                "c": ctx.category_label(category),
                "u": _unit_list(units),
                "t": dec_str(total),
                "s": dec_str(scale),
            },
        )


def _check_sums(
    node: NodeData,
    children: list[NodeData],
    ctx: Context,
    effective: Mapping[str, Units],
    where: str,
    error: Emit,
) -> None:
    for category, points in node.points.items():
        scored = [c for c in children if not c.is_bonus and category in c.points]
        if any(effective[c.code] != effective[node.code] for c in scored):
            # Some child is another unit's own indicator: add up unit by unit.
            wrong = _per_unit_totals(ctx, category, node.code, scored, points, effective)
            for total, units in wrong.items():
                error(
                    Rule.CHILDREN_SUM,
                    _(
                        "%(w)s：%(c)s中适用于%(u)s 的下级指标分值合计 %(t)s，"
                        "与本指标分值 %(p)s 不一致"
                    )
                    % {
                        "w": where,
                        "c": ctx.category_label(category),
                        "u": _unit_list(units),
                        "t": dec_str(total),
                        "p": dec_str(points),
                    },
                    node.code,
                )
            continue
        total = sum((c.points[category] for c in scored), Decimal(0))
        if total != points:
            error(
                Rule.CHILDREN_SUM,
                _("%(w)s：%(c)s下级指标分值合计 %(t)s，与本指标分值 %(p)s 不一致")
                % {
                    "w": where,
                    "c": ctx.category_label(category),
                    "t": dec_str(total),
                    "p": dec_str(points),
                },
                node.code,
            )


def _check_leaf(node: NodeData, ctx: Context, where: str, error: Emit) -> None:
    if not node.method:
        error(Rule.METHOD, _("%(w)s：末级指标必须设置计分方法") % {"w": where}, node.code)
        return
    spec = METHODS.get(node.method)
    if spec is None:
        error(
            Rule.METHOD,
            _("%(w)s：计分方法“%(m)s”不存在") % {"w": where, "m": node.method},
            node.code,
        )
        return
    seen: set[str] = set()
    amounts: list[Decimal | None] = [*node.points.values()] or [None]
    for points in amounts:
        for message in spec.validate_params(node.params, points):
            if message not in seen:
                seen.add(message)
                error(Rule.PARAMS, f"{where}：{message}", node.code)


def _check_owner(
    node: NodeData, children: list[NodeData], ctx: Context, where: str, error: Emit
) -> None:
    if children:
        return
    if not node.owner_code:
        error(Rule.OWNER, _("%(w)s：末级指标必须指定数据采集单位") % {"w": where}, node.code)
    elif ctx.departments is not None and node.owner_code not in ctx.departments:
        error(
            Rule.OWNER,
            _("%(w)s：“%(o)s”不是启用的数据采集单位") % {"w": where, "o": node.owner_code},
            node.code,
        )


def _check_bonus(
    node: NodeData,
    parent: NodeData | None,
    children: list[NodeData],
    where: str,
    error: Emit,
) -> None:
    if node.method:
        error(
            Rule.BONUS,
            _("%(w)s：加扣分指标按加扣分事项计分，不设计分方法") % {"w": where},
            node.code,
        )
    if any(not c.is_bonus for c in children):
        error(Rule.BONUS, _("%(w)s：加扣分指标下只能设加扣分指标") % {"w": where}, node.code)
    outermost = parent is None or not parent.is_bonus
    for label, cap in ((_("加分上限"), node.bonus_cap), (_("扣分上限"), node.penalty_cap)):
        if cap is None:
            if outermost:
                error(Rule.BONUS, _("%(w)s：必须设置%(l)s") % {"w": where, "l": label}, node.code)
        elif cap < 0 or decimal_places(cap) > POINT_DIGITS:
            error(
                Rule.BONUS,
                _("%(w)s：%(l)s不能为负，且最多 4 位小数") % {"w": where, "l": label},
                node.code,
            )


def _check_qualitative(
    node: NodeData,
    parent: NodeData | None,
    children: list[NodeData],
    where: str,
    warn: Emit,
) -> None:
    if not node.is_qualitative or node.is_bonus:
        return
    if not children:
        if parent is None or not parent.is_qualitative:
            warn(
                Rule.QUALITATIVE,
                _("%(w)s：定性指标原则上应定量与定性相结合，定量分值不低于60%%；请细化为下级指标")
                % {"w": where},
                node.code,
            )
        return
    for category, points in node.points.items():
        if points <= 0:
            continue
        quantitative = sum(
            (
                c.points.get(category, Decimal(0))
                for c in children
                if not c.is_qualitative and not c.is_bonus
            ),
            Decimal(0),
        )
        share = quantitative / points
        if share < QUANTITATIVE_SHARE:
            warn(
                Rule.QUALITATIVE,
                _("%(w)s：定量分值占 %(s)s%%，低于 60%%（%(c)s）")
                % {"w": where, "s": dec_str(figures.percent(share, places=1)), "c": category},
                node.code,
            )


def _check_units(node: NodeData, ctx: Context, where: str, warn: Emit) -> None:
    if not node.points:
        warn(
            Rule.NO_UNITS,
            _("%(w)s：没有设置任何类别的分值，不适用于任何单位") % {"w": where},
            node.code,
        )
        return
    enrolled = set().union(*(ctx.units_by_category.get(c, frozenset()) for c in node.points))
    if node.unit_codes:
        outside = [u for u in node.unit_codes if u not in enrolled]
        if len(outside) == len(node.unit_codes):
            warn(
                Rule.NO_UNITS,
                _("%(w)s：指定的适用单位都不在其适用类别中，不适用于任何单位") % {"w": where},
                node.code,
            )
        elif outside:
            warn(
                Rule.NO_UNITS,
                _("%(w)s：适用单位 %(u)s 不在其适用类别中") % {"w": where, "u": "、".join(outside)},
                node.code,
            )
    elif not enrolled:
        warn(
            Rule.NO_UNITS,
            _("%(w)s：适用类别中还没有考核对象，不适用于任何单位") % {"w": where},
            node.code,
        )


def _check_inherited_units(
    node: NodeData,
    parent: NodeData | None,
    effective: Mapping[str, Units],
    where: str,
    warn: Emit,
) -> None:
    if parent is None or not node.unit_codes:
        return
    allowed = effective.get(parent.code)
    if allowed is None:
        return
    outside = [u for u in node.unit_codes if u not in allowed]
    if outside:
        warn(
            Rule.NO_UNITS,
            _("%(w)s：适用单位 %(u)s 不在上级指标“%(p)s”的适用单位中，本指标对其不适用")
            % {"w": where, "u": "、".join(outside), "p": parent.code},
            node.code,
        )


def _engine_check(nodes: list[NodeData], ctx: Context) -> list[Issue]:
    """The scoring engine's own check of each category tree: what passes here must also
    be scorable there."""
    issues = []
    for category, scale in ctx.scales.items():
        tree = CategoryTree(
            category_code=category,
            scale=scale,
            nodes=tuple(
                Node(
                    code=n.code,
                    parent_code=n.parent_code,
                    level=n.level,
                    name=n.name,
                    kind=n.kind,
                    points=n.points[category],
                    method=n.method or None,
                    params=dict(n.params),
                    bonus_cap=n.bonus_cap,
                    penalty_cap=n.penalty_cap,
                    sort_order=n.sort_order,
                    units=frozenset(n.unit_codes) if n.unit_codes else None,
                )
                for n in nodes
                if category in n.points
            ),
        )
        units = ctx.units_by_category.get(category, frozenset())
        for message in validate_tree(tree, units):
            issues.append(
                Issue(Severity.ERROR, Rule.ENGINE, f"{ctx.category_label(category)}：{message}")
            )
    return issues
