"""Checks shared by the Excel and JSON imports, and the import action itself.

An import is all-or-nothing: every reference (category, owner, unit, method) must
resolve, the tree must have no blocking validation error, and only then is the draft's
tree replaced (matched by indicator code).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.org.models import Organization
from jixiao.scheme.actions import SyncResult, replace_tree, update_settings
from jixiao.scheme.loading import context_for
from jixiao.scheme.models import Scheme
from jixiao.scheme.tree import NodeData
from jixiao.scheme.validation import validate
from jixiao.scoring.engine.methods import METHODS


@dataclass
class ImportError_:
    """One problem, located by row (Excel) or path (JSON)."""

    where: str
    message: str
    row: int = 0

    def __str__(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message


@dataclass
class ImportOutcome:
    errors: list[ImportError_] = field(default_factory=list)
    result: SyncResult | None = None


def check_references(
    nodes: Sequence[NodeData], scheme: Scheme, where: Mapping[str, tuple[str, int]]
) -> list[ImportError_]:
    """Every code must resolve; `where` maps an indicator code to (location, row)."""
    ctx = context_for(scheme.year)
    orgs = {
        code: (is_department, is_active)
        for code, is_department, is_active in Organization.objects.values_list(
            "code", "is_department", "is_active"
        )
    }
    errors: list[ImportError_] = []
    for node in nodes:
        loc, row = where.get(node.code, ("", 0))
        if node.owner_code:
            known = orgs.get(node.owner_code)
            if known is None:
                errors.append(
                    ImportError_(
                        loc, _("数据采集单位编码“%(c)s”不存在") % {"c": node.owner_code}, row
                    )
                )
            elif not (known[0] and known[1]):
                errors.append(
                    ImportError_(
                        loc,
                        _("“%(c)s”不是启用的数据采集单位") % {"c": node.owner_code},
                        row,
                    )
                )
        unknown_units = [u for u in node.unit_codes if u not in orgs]
        if unknown_units:
            errors.append(
                ImportError_(
                    loc, _("适用单位编码不存在：%(c)s") % {"c": "、".join(unknown_units)}, row
                )
            )
        unknown_categories = [c for c in node.points if c not in ctx.scales]
        if unknown_categories:
            errors.append(
                ImportError_(
                    loc,
                    _("%(y)s 没有考核类别：%(c)s")
                    % {"y": scheme.year.name, "c": "、".join(unknown_categories)},
                    row,
                )
            )
        if node.method and node.method not in METHODS:
            errors.append(ImportError_(loc, _("计分方法“%(m)s”不存在") % {"m": node.method}, row))
    if errors:
        return errors
    report = validate(nodes, ctx)
    for issue in report.errors:
        loc, row = where.get(issue.code or "", ("", 0))
        errors.append(ImportError_(loc, issue.message, row))
    return errors


@transaction.atomic
def import_nodes(
    scheme: Scheme,
    nodes: Sequence[NodeData],
    where: Mapping[str, tuple[str, int]],
    reason: str,
    heavy_deduction_share: Decimal | None = None,
) -> ImportOutcome:
    errors = check_references(nodes, scheme, where)
    if errors:
        return ImportOutcome(sorted(errors, key=lambda e: e.row))
    result = replace_tree(scheme, nodes, reason=reason)
    if heavy_deduction_share is not None and heavy_deduction_share != scheme.heavy_deduction_share:
        update_settings(scheme, scheme.version, scheme.name, heavy_deduction_share)
    return ImportOutcome(result=result)
