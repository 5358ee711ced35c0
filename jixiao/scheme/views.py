"""Scheme pages: list, create / copy, the editor page, settings, validation and publishing,
revisions, the diff against last year, and the Excel / JSON round-trips."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import XLSX_CONTENT_TYPE, SpreadsheetError, workbook_response_bytes
from jixiao.core.permissions import role_required
from jixiao.core.values import int_param, strict_int
from jixiao.org.models import AssessmentYear, UnitCategory
from jixiao.scheme import actions, excel_io, hooks, jsonio
from jixiao.scheme.access import READERS, access_scheme, nodes_for_reader, unit_category_code
from jixiao.scheme.audit_labels import origin_text
from jixiao.scheme.diff import Changed, diff_trees
from jixiao.scheme.diff_text import FieldChange, Names, describe, points_text, summary_fields
from jixiao.scheme.editing import build_rows, tree_view
from jixiao.scheme.forms import ImportForm, ReasonForm, SchemeCreateForm, SchemeSettingsForm
from jixiao.scheme.interchange import ImportError_, import_nodes
from jixiao.scheme.loading import load_nodes, node_from_dict, open_revision, validate_scheme
from jixiao.scheme.models import Scheme, SchemeRevision, SchemeStatus
from jixiao.scheme.tree import NodeData, normalize_sort_orders, to_decimal

OFFICE = Role.OFFICE


def published_revisions(scheme: Scheme) -> QuerySet[SchemeRevision]:
    """Revisions of the scheme as published: a draft's own revisions (e.g. from a what-if
    scenario, `actions.revise_draft`) are the office's drafting history, not notices."""
    revisions = SchemeRevision.objects.applied().filter(scheme=scheme)
    if scheme.published_at is None:
        return revisions.none()
    return revisions.filter(applied_at__gte=scheme.published_at)


def draft_origin(scheme: Scheme) -> str:
    """Where the draft's newest revision with an origin came from, in words ("" if none)."""
    for revision in SchemeRevision.objects.applied().filter(scheme=scheme)[:20]:
        origin = (revision.summary or {}).get("origin")
        if origin:
            return origin_text(origin)
    return ""


def previous_scheme(scheme: Scheme) -> Scheme | None:
    return (
        Scheme.objects.filter(year__year__lt=scheme.year.year)
        .select_related("year")
        .order_by("-year__year")
        .first()
    )


@role_required(*READERS)
def scheme_list(request: HttpRequest) -> HttpResponse:
    if request.user.role != OFFICE:  # type: ignore[union-attr]
        return published(request)
    schemes = Scheme.objects.select_related("year", "based_on__year")
    rows = [(s, validate_scheme(s) if s.status == SchemeStatus.DRAFT else None) for s in schemes]
    return render(
        request,
        "scheme/scheme_list.html",
        {"rows": rows, "can_create": AssessmentYear.objects.filter(scheme__isnull=True).exists()},
    )


@role_required(*READERS)
def published(request: HttpRequest) -> HttpResponse:
    """Departments and units land on the current year's published scheme."""
    year = AssessmentYear.current()
    scheme = (
        Scheme.objects.filter(
            year=year, status__in=[SchemeStatus.PUBLISHED, SchemeStatus.CLOSED]
        ).first()
        if year
        else None
    )
    scheme = (
        scheme
        or Scheme.objects.filter(status__in=[SchemeStatus.PUBLISHED, SchemeStatus.CLOSED]).first()
    )
    if scheme is None:
        return render(request, "scheme/none_published.html", {})
    return redirect("scheme:scheme_detail", pk=scheme.pk)


@role_required(OFFICE)
def scheme_create(request: HttpRequest) -> HttpResponse:
    form = SchemeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = actions.create_scheme(
                form.cleaned_data["year"], form.cleaned_data["name"], form.cleaned_data["copy_from"]
            )
        except actions.SchemeActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已创建方案：%(n)s") % {"n": scheme.name})
            return redirect("scheme:scheme_detail", pk=scheme.pk)
    return render(request, "scheme/scheme_create.html", {"form": form})


@role_required(*READERS)
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    if request.user.role == OFFICE:  # type: ignore[union-attr]
        return render(
            request,
            "scheme/editor.html",
            {
                "view": tree_view(scheme),
                "previous": previous_scheme(scheme),
                "revision_form": ReasonForm(),
                "origin": draft_origin(scheme),
            },
        )
    return _reader_page(request, scheme)


def _reader_page(request: HttpRequest, scheme: Scheme) -> HttpResponse:
    user = request.user
    revision = open_revision(scheme)
    # While the office is revising, readers keep seeing the tree as published.
    nodes = (
        normalize_sort_orders(
            [node_from_dict(d, i) for i, d in enumerate(revision.before.get("indicators", []))]
        )
        if revision
        else load_nodes(scheme)
    )
    visible = nodes_for_reader(user, scheme, nodes)
    categories = list(UnitCategory.objects.filter(year=scheme.year))
    category_code = None
    if user.role == Role.UNIT:  # type: ignore[union-attr]
        category_code = unit_category_code(user, scheme)
        categories = [c for c in categories if c.code == category_code]
    org_code = user.organization.code if user.organization_id else ""  # type: ignore[union-attr]
    return render(
        request,
        "scheme/read.html",
        {
            "scheme": scheme,
            "rows": build_rows(
                visible,
                categories,
                notes=hooks.notes(scheme, user.organization_id or 0),  # type: ignore[union-attr]
            ),
            "categories": categories,
            "org_code": org_code,
            "owned": sum(1 for n in visible if n.owner_code == org_code),
            "is_unit": user.role == Role.UNIT,  # type: ignore[union-attr]
            "revisions": published_revisions(scheme)[:5],
        },
    )


@role_required(OFFICE)
def scheme_settings(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    form = SchemeSettingsForm(request.POST or None, instance=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_settings(
                scheme,
                form.cleaned_data["version"],
                form.cleaned_data["name"],
                form.cleaned_data["heavy_deduction_share"],
            )
        except (actions.SchemeActionError, EditConflict) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("scheme:scheme_detail", pk=pk)
    return render(request, "scheme/settings.html", {"scheme": scheme, "form": form})


@role_required(OFFICE)
def scheme_validate(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    report = validate_scheme(scheme)
    return render(request, "scheme/validate.html", {"scheme": scheme, "report": report})


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    try:
        version = strict_int(request.POST.get("version", "0")) or 0
        if action == "publish":
            actions.publish_scheme(scheme, version, request.POST.get("accept_warnings") == "on")
            messages.success(request, _("方案已发布并锁定。"))
        else:
            actions.close_scheme(scheme, version)
            messages.success(request, _("方案已关闭。"))
    except actions.SchemeActionError as error:
        messages.error(request, str(error))
        for line in error.errors[:20]:
            messages.error(request, line)
        if action == "publish":
            return redirect("scheme:scheme_validate", pk=pk)
    except (EditConflict, ValueError) as error:
        messages.error(request, str(error))
    return redirect("scheme:scheme_detail", pk=pk)


@require_POST
@role_required(OFFICE)
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "publish")


@require_POST
@role_required(OFFICE)
def scheme_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "close")


@require_POST
@role_required(OFFICE)
def revision_start(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写修订原因。"))
        return redirect("scheme:scheme_detail", pk=pk)
    try:
        revision = actions.start_revision(scheme, form.cleaned_data["reason"], request.user)
    except actions.SchemeActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已发起第 %(n)d 次修订。修改完成后请“提交修订”。") % {"n": revision.number},
        )
    return redirect("scheme:scheme_detail", pk=pk)


def _open_revision_or_404(scheme: Scheme) -> SchemeRevision:
    revision = open_revision(scheme)
    if revision is None:
        raise Http404
    return revision


@require_POST
@role_required(OFFICE)
def revision_apply(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    revision = _open_revision_or_404(scheme)
    try:
        actions.apply_revision(revision)
    except actions.SchemeActionError as error:
        messages.error(request, str(error))
        for line in error.errors[:20]:
            messages.error(request, line)
        return redirect("scheme:scheme_detail", pk=pk)
    messages.success(
        request, _("第 %(n)d 次修订已生效，并已向各单位公开。") % {"n": revision.number}
    )
    return redirect("scheme:revision_list", pk=pk)


@require_POST
@role_required(OFFICE)
def revision_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    revision = _open_revision_or_404(scheme)
    try:
        actions.cancel_revision(revision)
    except actions.SchemeActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已放弃修订，方案恢复为修订前的内容。"))
    return redirect("scheme:scheme_detail", pk=pk)


@role_required(*READERS)
def revision_list(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    office = request.user.role == OFFICE  # type: ignore[union-attr]
    shown = SchemeRevision.objects.applied().filter(scheme=scheme) if office else None
    revisions = list(
        (shown if shown is not None else published_revisions(scheme)).select_related("created_by")
    )
    for r in revisions:  # field names stored on the summary, as labels
        for item in (r.summary or {}).get("changed", []):
            item["fields_text"] = summary_fields(item.get("fields", []))
        origin = (r.summary or {}).get("origin")
        r.origin_text = origin_text(origin) if origin else ""  # type: ignore[attr-defined]
    pending = open_revision(scheme) if office else None
    pending_diff = actions.revision_diff(pending) if pending else None
    return render(
        request,
        "scheme/revisions.html",
        {
            "scheme": scheme,
            "revisions": revisions,
            "pending": pending,
            "pending_diff": pending_diff,
        },
    )


@role_required(OFFICE)
def scheme_diff(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    base = previous_scheme(scheme)
    if (base_id := int_param(request.GET, "base")) is not None:
        base = Scheme.objects.filter(pk=base_id).select_related("year").first() or base
    old_nodes, new_nodes = (load_nodes(base) if base else []), load_nodes(scheme)
    diff = diff_trees(old_nodes, new_nodes) if base else None
    changed: list[tuple[Changed, list[FieldChange]]] = []
    added: list[tuple[NodeData, str]] = []
    removed: list[tuple[NodeData, str]] = []
    if diff is not None and base is not None:
        names = Names.for_trees(old_nodes, new_nodes, [scheme.year_id, base.year_id])
        changed = [(c, describe(c, names)) for c in diff.changed]
        added = [(n, points_text(n.points, names)) for n in diff.added]
        removed = [(n, points_text(n.points, names)) for n in diff.removed]
    return render(
        request,
        "scheme/diff.html",
        {
            "scheme": scheme,
            "base": base,
            "diff": diff,
            "changed": changed,
            "added": added,
            "removed": removed,
            "others": Scheme.objects.exclude(pk=scheme.pk).select_related("year"),
        },
    )


def _download(scheme: Scheme, content: bytes, content_type: str, ext: str) -> HttpResponse:
    record(AuditAction.EXPORT, scheme, after={"format": ext})
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="scheme-{scheme.year.year}-{stamp}.{ext}"'
    )
    return response


@role_required(OFFICE)
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    data = workbook_response_bytes(excel_io.export_workbook(scheme))
    return _download(scheme, data, XLSX_CONTENT_TYPE, "xlsx")


@role_required(OFFICE)
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    return _download(scheme, jsonio.export_bytes(scheme), "application/json", "json")


def _looks_like_json(upload: object) -> bool:
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".json"):
        return True
    head = upload.read(64)  # type: ignore[attr-defined]
    upload.seek(0)  # type: ignore[attr-defined]
    return head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{")


@role_required(OFFICE)
def scheme_import(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access_scheme(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[ImportError_] = []
    editable = actions.is_editable(scheme)
    if request.method == "POST" and form.is_valid():
        if not editable:
            form.add_error(None, _("方案已锁定，只能导入到草稿方案（或修订中的方案）。"))
        else:
            errors = _do_import(request, scheme, form)
            if not errors and not form.errors:
                return redirect("scheme:scheme_detail", pk=pk)
    return render(
        request,
        "scheme/import.html",
        {"scheme": scheme, "form": form, "errors": errors, "editable": editable},
    )


def _do_import(request: HttpRequest, scheme: Scheme, form: ImportForm) -> list[ImportError_]:
    upload = form.cleaned_data["file"]
    reason = form.cleaned_data["reason"] or _("导入指标体系")
    share = None
    if _looks_like_json(upload):
        doc, nodes, where, errors = jsonio.parse_document(upload)
        if not errors and doc is not None:
            errors = jsonio.check_categories(doc, scheme)
            if doc.get("heavy_deduction_share") is not None:
                share = to_decimal(doc["heavy_deduction_share"])
    else:
        try:
            nodes, where, row_errors = excel_io.parse_workbook(upload)
        except SpreadsheetError as error:
            form.add_error("file", str(error))
            return []
        errors = [
            ImportError_(
                _("第 %(r)d 行") % {"r": e.row},
                f"「{e.column}」{e.message}" if e.column else e.message,
                e.row,
            )
            for e in row_errors
        ]
    if errors:
        return errors
    try:
        outcome = import_nodes(scheme, nodes, where, reason, heavy_deduction_share=share)
    except actions.SchemeActionError as error:
        return [ImportError_("", str(error))]
    if outcome.errors:
        return outcome.errors
    result = outcome.result
    assert result is not None
    messages.success(
        request,
        _("导入完成：新增 %(c)d 个、修改 %(u)d 个、删除 %(d)d 个、未变 %(n)d 个指标。")
        % {"c": result.created, "u": result.updated, "d": result.deleted, "n": result.unchanged},
    )
    return []
