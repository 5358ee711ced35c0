"""Writes to schemes and indicator trees. Each action is one transaction with its audit
rows; views, imports, the API and the demo all go through here.

A scheme is editable while it is a draft, or while a revision of the published scheme
is open (then every change is logged with the revision's number and reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record, record_many, snapshot
from jixiao.core.concurrency import EditConflict, save_versioned
from jixiao.org.models import AssessmentYear, Organization, UnitCategory
from jixiao.scheme import hooks
from jixiao.scheme.diff import diff_trees
from jixiao.scheme.loading import (
    load_nodes,
    node_from_dict,
    node_from_indicator,
    node_to_dict,
    open_revision,
    settings_snapshot,
    validate_scheme,
)
from jixiao.scheme.models import (
    Indicator,
    IndicatorPoints,
    RevisionStatus,
    Scheme,
    SchemeRevision,
    SchemeStatus,
)
from jixiao.scheme.tree import MAX_LEVEL, NodeData, display_order, normalize_sort_orders

INDICATOR_FIELDS = (
    "code",
    "name",
    "level",
    "kind",
    "is_qualitative",
    "description",
    "standard",
    "owner_id",
    "period",
    "must_report",
    "method",
    "params",
    "bonus_cap",
    "penalty_cap",
)


class SchemeActionError(Exception):
    """A write refused for a business reason; the message is for the user (Chinese)."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


# -- helpers --------------------------------------------------------------------------


def is_editable(scheme: Scheme) -> bool:
    return scheme.status == SchemeStatus.DRAFT or open_revision(scheme) is not None


def ensure_editable(scheme: Scheme) -> SchemeRevision | None:
    """The open revision (None for a draft); raises if the scheme is locked."""
    if scheme.status == SchemeStatus.DRAFT:
        return None
    revision = open_revision(scheme)
    if revision is None:
        raise SchemeActionError(
            _("方案已发布并锁定；如需调整，请先发起修订并说明原因。")
            if scheme.status == SchemeStatus.PUBLISHED
            else _("方案已关闭，不能再修改。")
        )
    return revision


def _reason(revision: SchemeRevision | None, reason: str = "") -> str:
    if revision is None:
        return reason
    prefix = _("方案修订第 %(n)d 次：%(r)s") % {"n": revision.number, "r": revision.reason}
    return f"{prefix}；{reason}" if reason else prefix


def indicator_snapshot(indicator: Indicator) -> dict[str, Any]:
    data = snapshot(indicator, INDICATOR_FIELDS)
    data["parent"] = indicator.parent.code if indicator.parent_id else None  # type: ignore[union-attr]
    data["points"] = {
        p.category.code: str(p.points) for p in indicator.points.select_related("category")
    }
    data["units"] = sorted(indicator.units.values_list("code", flat=True))
    return data


def _renumber(scheme: Scheme, parent_id: int | None) -> None:
    """Siblings get sort orders 0, 1, 2… in their current order."""
    siblings = Indicator.objects.filter(scheme=scheme, parent_id=parent_id).order_by(
        "sort_order", "code"
    )
    for index, sibling in enumerate(siblings):
        if sibling.sort_order != index:
            Indicator.objects.filter(pk=sibling.pk).update(sort_order=index)


def _subtree(indicator: Indicator) -> list[Indicator]:
    result = [indicator]
    frontier = [indicator.pk]
    while frontier:
        kids = list(Indicator.objects.filter(parent_id__in=frontier))
        result.extend(kids)
        frontier = [k.pk for k in kids]
    return result


def _height(indicator: Indicator) -> int:
    nodes = _subtree(indicator)
    return max(n.level for n in nodes) - indicator.level + 1


def _categories(year: AssessmentYear) -> dict[str, UnitCategory]:
    return {c.code: c for c in UnitCategory.objects.filter(year=year)}


def _set_points(
    indicator: Indicator, points: dict[str, Decimal], categories: dict[str, UnitCategory]
) -> None:
    current = {p.category.code: p for p in indicator.points.select_related("category")}
    for code, row in current.items():
        if code not in points:
            row.delete()
    for code, value in points.items():
        existing = current.get(code)
        if existing is None:
            IndicatorPoints.objects.create(
                indicator=indicator, category=categories[code], points=value
            )
        elif existing.points != value:
            existing.points = value
            existing.save(update_fields=["points"])


# -- schemes ----------------------------------------------------------------------------


@transaction.atomic
def create_scheme(year: AssessmentYear, name: str, copy_from: Scheme | None = None) -> Scheme:
    if Scheme.objects.filter(year=year).exists():
        raise SchemeActionError(_("%(y)s 已有考核方案。") % {"y": year.name})
    scheme = Scheme.objects.create(
        year=year,
        name=name,
        based_on=copy_from,
        heavy_deduction_share=copy_from.heavy_deduction_share
        if copy_from
        else Scheme._meta.get_field("heavy_deduction_share").default,
    )
    record(AuditAction.CREATE, scheme, after=settings_snapshot(scheme) | {"year": year.year})
    if copy_from is not None:
        nodes = load_nodes(copy_from)
        missing = sorted({c for n in nodes for c in n.points} - set(_categories(year)))
        if missing:
            raise SchemeActionError(
                _("%(y)s 缺少上年方案使用的考核类别：%(c)s。请先在“考核年度与类别”中设置。")
                % {"y": year.name, "c": "、".join(missing)}
            )
        replace_tree(
            scheme,
            nodes,
            reason=_("复制自 %(s)s") % {"s": copy_from.name},
            action=AuditAction.CREATE,
        )
        hooks.announce_copied(scheme, copy_from)
    return scheme


@transaction.atomic
def update_settings(
    scheme: Scheme, expected_version: int, name: str, heavy_deduction_share: Decimal
) -> None:
    revision = ensure_editable(scheme)
    before = settings_snapshot(Scheme.objects.get(pk=scheme.pk))
    scheme.name = name
    scheme.heavy_deduction_share = heavy_deduction_share
    save_versioned(scheme, expected_version, ["name", "heavy_deduction_share"])
    record(
        AuditAction.UPDATE,
        scheme,
        before=before,
        after=settings_snapshot(scheme),
        reason=_reason(revision),
    )


@transaction.atomic
def publish_scheme(scheme: Scheme, expected_version: int, accept_warnings: bool) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise SchemeActionError(_("只有草稿状态的方案可以发布。"))
    report = validate_scheme(scheme)
    if report.errors:
        raise SchemeActionError(
            _("方案还有 %(n)d 处错误，不能发布。") % {"n": len(report.errors)},
            [i.message for i in report.errors],
        )
    if report.warnings and not accept_warnings:
        raise SchemeActionError(
            _("请确认已知悉全部 %(n)d 条提示后再发布。") % {"n": len(report.warnings)}
        )
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    save_versioned(scheme, expected_version, ["status", "published_at"])
    record(
        AuditAction.TRANSITION,
        scheme,
        before={"status": SchemeStatus.DRAFT},
        after={
            "status": SchemeStatus.PUBLISHED,
            "accepted_warnings": [i.message for i in report.warnings],
        },
    )


@transaction.atomic
def close_scheme(scheme: Scheme, expected_version: int) -> None:
    if scheme.status != SchemeStatus.PUBLISHED:
        raise SchemeActionError(_("只有已发布的方案可以关闭。"))
    if open_revision(scheme) is not None:
        raise SchemeActionError(_("方案正在修订，请先提交或放弃修订。"))
    scheme.status = SchemeStatus.CLOSED
    save_versioned(scheme, expected_version, ["status"])
    record(
        AuditAction.TRANSITION,
        scheme,
        before={"status": SchemeStatus.PUBLISHED},
        after={"status": SchemeStatus.CLOSED},
    )


# -- revisions of a published scheme ---------------------------------------------------


@transaction.atomic
def start_revision(scheme: Scheme, reason: str, user: Any) -> SchemeRevision:
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    if scheme.status != SchemeStatus.PUBLISHED:
        raise SchemeActionError(_("只有已发布的方案需要通过修订来调整。"))
    if not reason.strip():
        raise SchemeActionError(_("请填写修订原因。"))
    if open_revision(scheme) is not None:
        raise SchemeActionError(_("已有一次修订正在进行。"))
    last = SchemeRevision.objects.filter(scheme=scheme).order_by("-number").first()
    revision = SchemeRevision.objects.create(
        scheme=scheme,
        number=(last.number if last else 0) + 1,
        reason=reason.strip(),
        status=RevisionStatus.OPEN,
        before={
            "settings": settings_snapshot(scheme),
            "indicators": [node_to_dict(n) for n in load_nodes(scheme)],
        },
        created_by=user,
    )
    record(
        AuditAction.TRANSITION,
        scheme,
        after={"revision": revision.number, "status": RevisionStatus.OPEN},
        reason=revision.reason,
    )
    return revision


def _snapshot_nodes(revision: SchemeRevision) -> list[NodeData]:
    return normalize_sort_orders(
        [
            node_from_dict(d, sort_order=i)
            for i, d in enumerate(revision.before.get("indicators", []))
        ]
    )


def revision_diff(revision: SchemeRevision) -> Any:
    return diff_trees(_snapshot_nodes(revision), load_nodes(revision.scheme))


@transaction.atomic
def apply_revision(revision: SchemeRevision) -> SchemeRevision:
    if revision.status != RevisionStatus.OPEN:
        raise SchemeActionError(_("该修订已生效。"))
    scheme = revision.scheme
    report = validate_scheme(scheme)
    if report.errors:
        raise SchemeActionError(
            _("修订后的方案还有 %(n)d 处错误，不能生效。") % {"n": len(report.errors)},
            [i.message for i in report.errors],
        )
    before_nodes = _snapshot_nodes(revision)
    after_nodes = load_nodes(scheme)
    diff = diff_trees(before_nodes, after_nodes)
    reordered = [n.code for n in before_nodes] != [n.code for n in after_nodes]
    settings_before = revision.before.get("settings", {})
    settings_after = settings_snapshot(scheme)
    if diff.is_empty and not reordered and settings_before == settings_after:
        raise SchemeActionError(_("本次修订没有任何改动；如无需调整，请放弃修订。"))
    summary = diff.summary()
    summary["reordered"] = reordered
    if settings_before != settings_after:
        summary["settings"] = {"before": settings_before, "after": settings_after}
    revision.summary = summary
    revision.status = RevisionStatus.APPLIED
    revision.applied_at = timezone.now()
    revision.save(update_fields=["summary", "status", "applied_at"])
    record(
        AuditAction.TRANSITION,
        scheme,
        before={"revision": revision.number, "status": RevisionStatus.OPEN},
        after={"revision": revision.number, "status": RevisionStatus.APPLIED, **summary},
        reason=revision.reason,
    )
    return revision


@transaction.atomic
def cancel_revision(revision: SchemeRevision) -> None:
    """Abandon an open revision: the tree and settings go back to how they were."""
    if revision.status != RevisionStatus.OPEN:
        raise SchemeActionError(_("该修订已生效，不能放弃。"))
    scheme = revision.scheme
    replace_tree(
        scheme,
        _snapshot_nodes(revision),
        reason=_("放弃修订，恢复原方案"),
        action=AuditAction.UPDATE,
    )
    settings = revision.before.get("settings", {})
    if settings and settings != settings_snapshot(scheme):
        scheme.name = settings["name"]
        scheme.heavy_deduction_share = Decimal(settings["heavy_deduction_share"])
        scheme.version += 1
        scheme.save(update_fields=["name", "heavy_deduction_share", "version"])
    record(
        AuditAction.TRANSITION,
        scheme,
        before={"revision": revision.number, "status": RevisionStatus.OPEN},
        after={"revision": revision.number, "status": "cancelled"},
        reason=revision.reason,
    )
    revision.delete()


@transaction.atomic
def revise_draft(
    scheme: Scheme,
    nodes: Sequence[NodeData],
    *,
    reason: str,
    user: Any,
    origin: dict[str, Any] | None = None,
) -> SchemeRevision:
    """Replace a draft's tree with `nodes` as one recorded revision (applied at once,
    with its reason, the tree before, what changed and where it came from, `origin`,
    e.g. a what-if scenario). Only a draft: a published scheme changes through
    `start_revision`."""
    scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
    if scheme.status != SchemeStatus.DRAFT:
        raise SchemeActionError(_("方案已发布，不能再整体替换；如需调整，请发起修订并说明原因。"))
    reason = reason.strip()
    if not reason:
        raise SchemeActionError(_("请填写修订原因。"))
    before_nodes = load_nodes(scheme)
    last = SchemeRevision.objects.filter(scheme=scheme).order_by("-number").first()
    number = (last.number if last else 0) + 1
    replace_tree(
        scheme,
        nodes,
        reason=_("第 %(n)d 次修订：%(r)s") % {"n": number, "r": reason},
        action=AuditAction.UPDATE,
    )
    after_nodes = load_nodes(scheme)
    diff = diff_trees(before_nodes, after_nodes)
    if diff.is_empty:
        raise SchemeActionError(_("方案没有任何改动，无需修订。"))
    summary = diff.summary()
    summary["reordered"] = [n.code for n in before_nodes] != [n.code for n in after_nodes]
    if origin:
        summary["origin"] = dict(origin)
    revision = SchemeRevision.objects.create(
        scheme=scheme,
        number=number,
        reason=reason,
        summary=summary,
        status=RevisionStatus.APPLIED,
        before={
            "settings": settings_snapshot(scheme),
            "indicators": [node_to_dict(n) for n in before_nodes],
        },
        applied_at=timezone.now(),
        created_by=user,
    )
    record(
        AuditAction.TRANSITION,
        scheme,
        after={"revision": number, "status": RevisionStatus.APPLIED, **summary},
        reason=reason,
    )
    return revision


# -- the whole tree at once (imports, copies, abandoning a revision) -------------------


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@transaction.atomic
def replace_tree(
    scheme: Scheme,
    nodes: Sequence[NodeData],
    reason: str = "",
    action: str = AuditAction.IMPORT,
) -> SyncResult:
    """Make the scheme's tree equal to `nodes`, matching indicators by code (so rows that
    stay keep their identity). Codes of owners, units and categories must exist; callers
    check that first and report row-level errors."""
    revision = ensure_editable(scheme)
    reason = _reason(revision, reason)

    nodes = normalize_sort_orders(nodes)
    wanted = {n.code: n for n in nodes}
    categories = _categories(scheme.year)
    codes = {n.owner_code for n in nodes if n.owner_code} | {u for n in nodes for u in n.unit_codes}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
    existing = {
        i.code: i
        for i in Indicator.objects.filter(scheme=scheme)
        .select_related("parent", "owner")
        .prefetch_related("points__category", "units")
    }
    result = SyncResult()
    events = []

    saved: dict[str, Indicator] = {}
    for node in display_order(nodes):
        indicator = existing.get(node.code)
        old = node_from_indicator(indicator) if indicator is not None else None
        if old == node:
            assert indicator is not None
            saved[node.code] = indicator
            result.unchanged += 1
            continue
        if indicator is None:
            indicator = Indicator(scheme=scheme, code=node.code)
        indicator.parent = saved[node.parent_code] if node.parent_code else None
        indicator.level = node.level
        indicator.name = node.name
        indicator.kind = node.kind
        indicator.is_qualitative = node.is_qualitative
        indicator.description = node.description
        indicator.standard = node.standard
        indicator.owner = orgs[node.owner_code] if node.owner_code else None
        indicator.period = node.period
        indicator.must_report = node.must_report
        indicator.method = node.method
        indicator.params = dict(node.params)
        indicator.bonus_cap = node.bonus_cap
        indicator.penalty_cap = node.penalty_cap
        indicator.sort_order = node.sort_order
        if old is None:
            indicator.save()
            result.created += 1
        else:
            indicator.version += 1
            indicator.save()
            result.updated += 1
        _set_points(indicator, dict(node.points), categories)
        indicator.units.set([orgs[u] for u in node.unit_codes])
        saved[node.code] = indicator
        events.append(
            build_event(
                action if old is None else AuditAction.UPDATE,
                indicator,
                before=node_to_dict(old) if old is not None else None,
                after=node_to_dict(node),
                reason=reason,
            )
        )
    # Deleted last: survivors have been re-parented by now, so no cascade reaches them.
    doomed = [i for code, i in existing.items() if code not in wanted]
    for indicator in sorted(doomed, key=lambda i: -i.level):
        events.append(
            build_event(
                AuditAction.DELETE,
                indicator,
                before=node_to_dict(node_from_indicator(indicator)),
                reason=reason,
            )
        )
    try:
        Indicator.objects.filter(pk__in=[i.pk for i in doomed]).delete()
    except ProtectedError as error:
        raise SchemeActionError(
            _("指标已有采集数据或加扣分记录，不能删除：%(c)s")
            % {
                "c": "、".join(
                    sorted({str(getattr(o, "indicator", o)) for o in error.protected_objects})[:10]
                )
            }
        ) from error
    result.deleted = len(doomed)

    record_many(events)
    record(
        action,
        scheme,
        after={
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
            "unchanged": result.unchanged,
        },
        reason=reason,
    )
    return result


# -- single indicators (the tree editor) -------------------------------------------------


@dataclass
class IndicatorInput:
    """What the leaf form edits (everything but parent, level and order)."""

    code: str
    name: str
    kind: str
    is_qualitative: bool
    description: str
    standard: str
    owner: Organization | None
    period: str
    method: str
    params: dict[str, Any]
    bonus_cap: Decimal | None
    penalty_cap: Decimal | None
    points: dict[str, Decimal]
    units: list[Organization]
    must_report: bool = False


def _apply_input(indicator: Indicator, data: IndicatorInput) -> None:
    indicator.code = data.code
    indicator.name = data.name
    indicator.kind = data.kind
    indicator.is_qualitative = data.is_qualitative
    indicator.description = data.description
    indicator.standard = data.standard
    indicator.owner = data.owner
    indicator.period = data.period
    indicator.must_report = data.must_report
    indicator.method = data.method
    indicator.params = data.params
    indicator.bonus_cap = data.bonus_cap
    indicator.penalty_cap = data.penalty_cap


@transaction.atomic
def create_indicator(
    scheme: Scheme,
    data: IndicatorInput,
    parent: Indicator | None,
    after: Indicator | None = None,
) -> Indicator:
    """A new node as the last child of `parent`, or right after its sibling `after`."""
    revision = ensure_editable(scheme)
    level = parent.level + 1 if parent else 1
    if level > MAX_LEVEL:
        raise SchemeActionError(_("指标最多三级，不能在三级指标下再添加下级。"))
    if Indicator.objects.filter(scheme=scheme, code=data.code).exists():
        raise SchemeActionError(_("指标编码“%(c)s”已存在。") % {"c": data.code})
    siblings = Indicator.objects.filter(scheme=scheme, parent=parent)
    if after is not None:
        order = after.sort_order + 1
        siblings.filter(sort_order__gte=order).update(sort_order=F("sort_order") + 1)
    else:
        order = siblings.count()
    indicator = Indicator(scheme=scheme, parent=parent, level=level, sort_order=order)
    _apply_input(indicator, data)
    indicator.save()
    _set_points(indicator, data.points, _categories(scheme.year))
    indicator.units.set(data.units)
    _renumber(scheme, parent.pk if parent else None)
    record(
        AuditAction.CREATE, indicator, after=indicator_snapshot(indicator), reason=_reason(revision)
    )
    return indicator


@transaction.atomic
def update_indicator(indicator: Indicator, expected_version: int, data: IndicatorInput) -> None:
    revision = ensure_editable(indicator.scheme)
    if (
        data.code != indicator.code
        and Indicator.objects.filter(scheme=indicator.scheme, code=data.code)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        raise SchemeActionError(_("指标编码“%(c)s”已存在。") % {"c": data.code})
    before = indicator_snapshot(Indicator.objects.get(pk=indicator.pk))
    _apply_input(indicator, data)
    save_versioned(indicator, expected_version, [*INDICATOR_FIELDS])
    _set_points(indicator, data.points, _categories(indicator.scheme.year))
    indicator.units.set(data.units)
    after = indicator_snapshot(indicator)
    changed = [k for k in after if before.get(k) != after[k]]
    record(
        AuditAction.UPDATE,
        indicator,
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
        reason=_reason(revision),
    )


@transaction.atomic
def set_points(
    indicator: Indicator, expected_version: int, category: UnitCategory, points: Decimal | None
) -> None:
    """Inline edit of one category's points; blank (None) means "does not apply"."""
    revision = ensure_editable(indicator.scheme)
    row = IndicatorPoints.objects.filter(indicator=indicator, category=category).first()
    before = str(row.points) if row else None
    save_versioned(indicator, expected_version, [])
    if points is None:
        if row:
            row.delete()
    elif row is None:
        IndicatorPoints.objects.create(indicator=indicator, category=category, points=points)
    else:
        row.points = points
        row.save(update_fields=["points"])
    record(
        AuditAction.UPDATE,
        indicator,
        before={f"points.{category.code}": before},
        after={f"points.{category.code}": str(points) if points is not None else None},
        reason=_reason(revision),
    )


@transaction.atomic
def move_indicator(
    indicator: Indicator, expected_version: int, new_parent: Indicator | None
) -> None:
    """Change the parent (the subtree comes along and changes level)."""
    revision = ensure_editable(indicator.scheme)
    subtree = _subtree(indicator)
    if new_parent is not None and new_parent.pk in {n.pk for n in subtree}:
        raise SchemeActionError(_("不能把指标移动到它自己或它的下级之下。"))
    new_level = new_parent.level + 1 if new_parent else 1
    if new_level + _height(indicator) - 1 > MAX_LEVEL:
        raise SchemeActionError(_("移动后将超过三级指标，不能移动到这里。"))
    old_parent_id = indicator.parent_id
    old_parent = indicator.parent.code if indicator.parent else None
    shift = new_level - indicator.level
    indicator.parent = new_parent
    indicator.level = new_level
    indicator.sort_order = Indicator.objects.filter(
        scheme=indicator.scheme, parent=new_parent
    ).count()
    save_versioned(indicator, expected_version, ["parent_id", "level", "sort_order"])
    for node in subtree[1:]:
        Indicator.objects.filter(pk=node.pk).update(
            level=node.level + shift, version=F("version") + 1
        )
    _renumber(indicator.scheme, old_parent_id)
    record(
        AuditAction.UPDATE,
        indicator,
        before={"parent": old_parent},
        after={"parent": new_parent.code if new_parent else None},
        reason=_reason(revision),
    )


@transaction.atomic
def shift_indicator(indicator: Indicator, direction: int) -> None:
    """Move up (-1) or down (+1) among its siblings."""
    revision = ensure_editable(indicator.scheme)
    _renumber(indicator.scheme, indicator.parent_id)
    siblings = list(
        Indicator.objects.filter(scheme=indicator.scheme, parent_id=indicator.parent_id).order_by(
            "sort_order", "code"
        )
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == indicator.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    a, b = siblings[index], siblings[other]
    Indicator.objects.filter(pk=a.pk).update(sort_order=other)
    Indicator.objects.filter(pk=b.pk).update(sort_order=index)
    record(
        AuditAction.UPDATE,
        indicator,
        before={"sort_order": index},
        after={"sort_order": other},
        reason=_reason(revision),
    )


@transaction.atomic
def delete_indicator(indicator: Indicator, expected_version: int) -> int:
    """Remove a node and everything below it; returns how many indicators went."""
    revision = ensure_editable(indicator.scheme)
    current = Indicator.objects.filter(pk=indicator.pk).values_list("version", flat=True).first()
    if current != expected_version:
        raise EditConflict(indicator)
    subtree = _subtree(indicator)
    events = [
        build_event(
            AuditAction.DELETE, node, before=indicator_snapshot(node), reason=_reason(revision)
        )
        for node in reversed(subtree)
    ]
    parent_id = indicator.parent_id
    try:
        Indicator.objects.filter(pk__in=[n.pk for n in subtree]).delete()
    except ProtectedError as error:
        raise SchemeActionError(
            _("该指标（或其下级）已有采集数据或加扣分记录，不能删除。")
        ) from error
    record_many(events)
    _renumber(indicator.scheme, parent_id)
    return len(subtree)
