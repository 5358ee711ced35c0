"""The department workspace: my indicators × the units I assess × this period."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.collection import actions, grid_html, hooks, leaf, spreadsheet
from jixiao.collection.forms import UploadForm
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus, EvidenceFile
from jixiao.collection.scope import Slot, access_period
from jixiao.collection.structure import department_slots
from jixiao.collection.views.common import flash_errors, int_or_none, user_of
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.excel import XLSX_CONTENT_TYPE, workbook_response_bytes
from jixiao.core.permissions import role_required
from jixiao.scheme.models import Indicator


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


@dataclass
class Cell:
    field: leaf.InputField
    name: str
    text: str


@dataclass
class GridRow:
    slot: Slot
    entry: Entry | None
    cells: list[Cell]
    reason: str
    version: str
    editable: bool
    outcome: leaf.Outcome | None = None
    errors: list[str] = field(default_factory=list)
    conflict: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. implausible-entry flags
    evidence: int = 0

    @property
    def prefix(self) -> str:
        return f"u{self.slot.unit.pk}"

    @property
    def missing(self) -> bool:
        return self.entry is None or self.entry.status in actions.EDITABLE


@dataclass
class IndicatorTab:
    indicator: Indicator
    total: int
    entered: int
    submitted: int

    @property
    def missing(self) -> int:
        return self.total - self.submitted

    @property
    def blank(self) -> int:
        """Units with nothing entered at all: submitting the indicator leaves them out."""
        return self.total - self.entered


def _department_period(request: HttpRequest, pk: int) -> tuple[User, CollectionPeriod]:
    user = user_of(request)
    period = access_period(user, pk)
    return user, period


def _entry_counts(period: CollectionPeriod, user: User) -> list[tuple[int, str, int]]:
    """(indicator, status, entries) of the user's department in the period."""
    return list(
        Entry.objects.filter(period=period, department_id=user.organization_id)
        .order_by()  # the default ordering's seven joins would stay in the grouped query
        .values_list("indicator_id", "status")
        .annotate(n=Count("pk"))
    )


def _tabs(
    period: CollectionPeriod,
    slots: list[Slot],
    user: User,
    counts: list[tuple[int, str, int]] | None = None,
) -> list[IndicatorTab]:
    totals: Counter[int] = Counter(s.indicator.pk for s in slots)
    entered: Counter[int] = Counter()
    submitted: Counter[int] = Counter()
    for indicator_id, status, n in counts if counts is not None else _entry_counts(period, user):
        entered[indicator_id] += n
        if status not in actions.EDITABLE:
            submitted[indicator_id] += n
    seen: dict[int, Indicator] = {}
    for s in slots:
        seen.setdefault(s.indicator.pk, s.indicator)
    return [IndicatorTab(ind, totals[pk], entered[pk], submitted[pk]) for pk, ind in seen.items()]


def _blank_units(user: User, period: CollectionPeriod, indicator_id: int | None) -> int:
    slots = [
        s
        for s in department_slots(period, user.organization)
        if indicator_id is None or s.indicator.pk == indicator_id
    ]
    return sum(t.blank for t in _tabs(period, slots, user))


def _rows(
    period: CollectionPeriod,
    slots: list[Slot],
    user: User,
    window_open: bool,
    posted: dict[str, str] | None = None,
) -> list[GridRow]:
    entries = {
        (e.indicator_id, e.unit_id): e
        for e in Entry.objects.filter(
            period=period,
            department_id=user.organization_id,
            indicator_id__in={s.indicator.pk for s in slots},
        ).order_by()  # keyed by slot: the default ordering would join six tables
    }
    evidence = dict(
        EvidenceFile.objects.filter(entry__in=[e.pk for e in entries.values()])
        .values_list("entry_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    share = period.scheme.heavy_deduction_share
    for slot in slots:
        entry = entries.get(slot.key)
        prefix = f"u{slot.unit.pk}"
        cells = []
        for f in leaf.input_fields(slot.indicator):
            stored = fmt(getattr(entry, f.column)) if entry else ""
            text = posted.get(f"{prefix}.{f.column}", stored) if posted is not None else stored
            cells.append(Cell(f, f"{prefix}.{f.column}", text))
        reason = entry.reason if entry else ""
        if posted is not None:
            reason = posted.get(f"{prefix}.reason", reason)
        editable = (entry is None or entry.status in actions.EDITABLE) and (
            window_open or (entry is not None and entry.status == EntryStatus.RETURNED)
        )
        row = GridRow(
            slot=slot,
            entry=entry,
            cells=cells,
            reason=reason,
            version=(posted or {}).get(f"{prefix}.version", str(entry.version) if entry else ""),
            editable=editable,
            evidence=evidence.get(entry.pk, 0) if entry else 0,
        )
        if any(c.text for c in cells):
            row.outcome = leaf.evaluate(
                slot.indicator,
                slot.points,
                slot.staffing,
                {c.field.column: c.text for c in cells},
                heavy_share=share,
                reason=reason,
            )
        rows.append(row)
    return rows


def _live_counter(indicator: Indicator, own: list[Slot]) -> dict[str, Any] | None:
    """A live counter for the grid (evaluation's forced distribution), per category."""
    categories = {s.category_id: (s.category_name, s.points) for s in own}
    counter = hooks.grid_counter(indicator, categories)
    if counter is None:
        return None
    return {
        "config": json.dumps(counter, ensure_ascii=False),
        "groups": counter["groups"],
        "policy": counter["policy"],
    }


@role_required(Role.DEPARTMENT)
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    user, period = _department_period(request, pk)
    slots = department_slots(period, user.organization)
    indicators = list({s.indicator.pk: s.indicator for s in slots}.values())
    selected_id = int_or_none(request.GET.get("indicator")) or (
        indicators[0].pk if indicators else None
    )
    chosen = next((i for i in indicators if i.pk == selected_id), None)
    if chosen is None and selected_id is not None and indicators:
        raise Http404
    own = [s for s in slots if chosen and s.indicator.pk == chosen.pk]
    window_open = period.accepts_entries_from(user.organization_id)
    posted: dict[str, str] | None = None
    errors: dict[tuple[int, int], list[str]] = {}
    conflicts: dict[tuple[int, int], str] = {}
    if request.method == "POST":
        posted = {k: str(v) for k, v in request.POST.items()}
        inputs = []
        for slot in own:
            prefix = f"u{slot.unit.pk}"
            keys = [f"{prefix}.{f.column}" for f in leaf.input_fields(slot.indicator)]
            if not any(k in posted for k in keys):
                continue  # read-only row: nothing was posted for it
            inputs.append(
                actions.RowInput(
                    slot=slot,
                    raw={k.split(".", 1)[1]: posted.get(k, "") for k in keys},
                    reason=posted.get(f"{prefix}.reason", ""),
                    expected_version=int_or_none(posted.get(f"{prefix}.version")),
                )
            )
        try:
            result = actions.save_rows(user, period, inputs)
        except TransitionRefused as error:
            flash_errors(request, error.messages)
        else:
            errors, conflicts = result.errors, result.conflicts
            if not errors and not conflicts:
                messages.success(
                    request,
                    _("已保存 %(n)d 条草稿（%(u)d 条未变化）。")
                    % {"n": len(result.saved), "u": result.unchanged},
                )
                return redirect(
                    reverse("collection:workspace", args=[pk])
                    + (f"?indicator={selected_id}" if selected_id else "")
                )
            if result.saved:
                messages.info(request, _("已保存 %(n)d 条。") % {"n": len(result.saved)})
            messages.error(
                request,
                _("有 %(n)d 行未保存，请按提示修改（您填写的内容仍保留在页面上）。")
                % {"n": len(errors) + len(conflicts)},
            )
            # Saved rows show what is now stored; failed rows keep what was typed.
            saved_keys = {(e.indicator_id, e.unit_id) for e in result.saved}
            for key in saved_keys:
                prefix = f"u{key[1]}"
                for name in [k for k in posted if k.startswith(prefix + ".")]:
                    posted.pop(name)
    # Counted after any save, so the page shows the counts as they now are.
    counts = _entry_counts(period, user)
    tabs = _tabs(period, slots, user, counts)
    selected = next((t for t in tabs if chosen and t.indicator.pk == chosen.pk), None)
    rows = _rows(period, own, user, window_open, posted)
    notes = hooks.notes([r.entry.pk for r in rows if r.entry is not None])
    for row in rows:
        row.notes = notes.get(row.entry.pk, []) if row.entry is not None else []
        row.errors = errors.get(row.slot.key, [])
        row.conflict = conflicts.get(row.slot.key, "")
        if row.conflict:
            # Keep the user's input; show the version now stored next to it.
            row.version = str(row.entry.version) if row.entry else ""
    exception = (
        period.exceptions.filter(department_id=user.organization_id, until__gte=timezone.now())
        .order_by("-until")
        .first()
    )
    return render(
        request,
        "collection/workspace.html",
        {
            "period": period,
            "tabs": tabs,
            "selected": selected,
            "rows": rows,
            "rows_html": grid_html.rows_html(rows, period.pk, selected.indicator.pk)
            if selected
            else "",
            "window_open": window_open,
            "exception": exception,
            "method": leaf.method_of(selected.indicator) if selected else None,
            "status": _status_totals(counts),
            "counter": _live_counter(selected.indicator, own) if selected else None,
        },
        status=200 if not (errors or conflicts) else 422,
    )


def _status_totals(counts: list[tuple[int, str, int]]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for _indicator, status, n in counts:
        totals[status] += n
    return totals


@role_required(Role.DEPARTMENT)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The score as the user types (htmx): the engine's single-leaf computation."""
    user, period = _department_period(request, pk)
    indicator_id = int_or_none(request.GET.get("indicator"))
    unit_id = int_or_none(request.GET.get("unit"))
    slot = next(
        (
            s
            for s in department_slots(period, user.organization)
            if s.indicator.pk == indicator_id and s.unit.pk == unit_id
        ),
        None,
    )
    if slot is None:
        raise Http404
    prefix = f"u{slot.unit.pk}"
    raw = {
        f.column: request.GET.get(f"{prefix}.{f.column}", "")
        for f in leaf.input_fields(slot.indicator)
    }
    outcome = leaf.evaluate(
        slot.indicator,
        slot.points,
        slot.staffing,
        raw,
        heavy_share=period.scheme.heavy_deduction_share,
        reason=request.GET.get(f"{prefix}.reason", ""),
    )
    return HttpResponse(grid_html.score_html(outcome, slot.points, blank=not any(raw.values())))


@require_POST
@role_required(Role.DEPARTMENT)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    user, period = _department_period(request, pk)
    indicator_id = int_or_none(request.POST.get("indicator"))
    try:
        n = actions.submit_period(user, period, indicator_id)
    except TransitionRefused as error:
        flash_errors(request, error.messages[:10])
        if len(error.messages) > 10:
            messages.error(
                request, _("……共 %(n)d 个问题，未提交任何数据。") % {"n": len(error.messages)}
            )
    else:
        messages.success(request, _("已提交 %(n)d 条数据，等待绩效办初审。") % {"n": n})
        blank = _blank_units(user, period, indicator_id)
        if blank:
            messages.warning(
                request,
                _("还有 %(n)d 个单位没有填报（空白），不在本次提交之列，请补报后再提交。")
                % {"n": blank},
            )
    url = reverse("collection:workspace", args=[pk])
    return redirect(url + (f"?indicator={indicator_id}" if indicator_id else ""))


@role_required(Role.DEPARTMENT)
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    user, period = _department_period(request, pk)
    workbook = spreadsheet.build_template(period, user.organization)
    record(
        AuditAction.EXPORT,
        period,
        after={"department": user.organization.code, "what": "collection_template"},
    )
    response = HttpResponse(workbook_response_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    filename = f"{period.code}-{user.organization.code}-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.DEPARTMENT)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    user, period = _department_period(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = spreadsheet.import_workbook(user, period, form.cleaned_data["file"])
        except TransitionRefused as error:
            flash_errors(request, error.messages)
        else:
            if report.ok:
                messages.success(
                    request,
                    _("导入完成：新增 %(c)d 条，修改 %(u)d 条，未变化 %(s)d 条。")
                    % {"c": report.created, "u": report.updated, "s": report.unchanged},
                )
                return redirect("collection:workspace", pk=pk)
    return render(
        request,
        "collection/upload.html",
        {"period": period, "form": form, "report": report},
        status=422 if report is not None and not report.ok else 200,
    )
