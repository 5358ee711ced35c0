"""What the tree editor and the read-only pages render: rows with sums and issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme import hooks
from jixiao.scheme.loading import (
    context_for,
    indicators_for_tree,
    node_from_indicator,
    open_revision,
)
from jixiao.scheme.models import DataPeriod, IndicatorKind, Scheme, SchemeRevision, SchemeStatus
from jixiao.scheme.tree import NodeData, children_map, dec_str, display_order
from jixiao.scheme.validation import Issue, Report, validate
from jixiao.scoring.engine.methods import METHODS
from jixiao.scoring.labels import method_label

KIND_LABELS = {value: str(label) for value, label in IndicatorKind.choices}
PERIOD_LABELS = {value: str(label) for value, label in DataPeriod.choices}


@dataclass
class Cell:
    category: UnitCategory
    points: Decimal | None
    children_sum: Decimal | None  # shown when it differs from points

    @property
    def text(self) -> str:
        return dec_str(self.points) if self.points is not None else ""


@dataclass
class Row:
    node: NodeData
    pk: int | None
    version: int
    has_children: bool
    cells: list[Cell]
    issues: list[Issue] = field(default_factory=list)
    owner_name: str = ""
    first: bool = False
    last: bool = False
    notes: list[str] = field(default_factory=list)  # from other apps (scheme/hooks.py)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.node.kind, self.node.kind)

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS.get(self.node.period, self.node.period)

    @property
    def method_label(self) -> str:
        return method_label(self.node.method) if self.node.method in METHODS else self.node.method

    @property
    def has_error(self) -> bool:
        return any(i.is_error for i in self.issues)

    @property
    def issue_text(self) -> str:
        return "\n".join(i.message for i in self.issues)


@dataclass
class Total:
    category: UnitCategory
    total: Decimal

    @property
    def ok(self) -> bool:
        return self.total == self.category.scale


@dataclass
class TreeView:
    scheme: Scheme
    rows: list[Row]
    categories: list[UnitCategory]
    totals: list[Total]
    report: Report
    revision: SchemeRevision | None

    @property
    def editable(self) -> bool:
        return self.scheme.status == SchemeStatus.DRAFT or self.revision is not None

    @property
    def general_issues(self) -> list[Issue]:
        return [i for i in self.report.issues if not i.code]


def owner_names(codes: set[str]) -> dict[str, str]:
    return {org.code: org.display_name for org in Organization.objects.filter(code__in=codes)}


def build_rows(
    nodes: list[NodeData],
    categories: list[UnitCategory],
    report: Report | None = None,
    ids: dict[str, tuple[int, int]] | None = None,
    notes: dict[str, list[str]] | None = None,
) -> list[Row]:
    kids = children_map(nodes)
    notes = notes or {}
    issues = report.by_code() if report else {}
    names = owner_names({n.owner_code for n in nodes if n.owner_code})
    ids = ids or {}
    rows = []
    for node in display_order(nodes):
        children = kids.get(node.code, [])
        cells = []
        for category in categories:
            points = node.points.get(category.code)
            children_sum = None
            if children and points is not None and not node.is_bonus:
                total = sum(
                    (
                        c.points[category.code]
                        for c in children
                        if not c.is_bonus and category.code in c.points
                    ),
                    Decimal(0),
                )
                children_sum = total if total != points else None
            cells.append(Cell(category, points, children_sum))
        pk, version = ids.get(node.code, (None, 0))
        siblings = kids.get(node.parent_code, [])
        ordered = sorted(siblings, key=lambda n: (n.sort_order, n.code))
        rows.append(
            Row(
                node=node,
                pk=pk,
                version=version,
                has_children=bool(children),
                cells=cells,
                issues=issues.get(node.code, []),
                owner_name=names.get(node.owner_code or "", node.owner_code or ""),
                first=bool(ordered) and ordered[0].code == node.code,
                last=bool(ordered) and ordered[-1].code == node.code,
                notes=notes.get(node.code, []),
            )
        )
    return rows


def tree_view(scheme: Scheme) -> TreeView:
    indicators = indicators_for_tree(scheme)
    nodes = display_order(node_from_indicator(i) for i in indicators)
    ids = {i.code: (i.pk, i.version) for i in indicators}
    ctx = context_for(scheme.year)
    report = validate(nodes, ctx)
    categories = list(UnitCategory.objects.filter(year=scheme.year))
    totals = [
        Total(
            c,
            sum(
                (
                    n.points[c.code]
                    for n in nodes
                    if n.parent_code is None and not n.is_bonus and c.code in n.points
                ),
                Decimal(0),
            ),
        )
        for c in categories
    ]
    return TreeView(
        scheme=scheme,
        rows=build_rows(nodes, categories, report, ids, hooks.notes(scheme)),
        categories=categories,
        totals=totals,
        report=report,
        revision=open_revision(scheme),
    )


def summary_counts(report: Report) -> dict[str, Any]:
    return {"errors": len(report.errors), "warnings": len(report.warnings)}
