"""Where a task came from, linked both ways (the loop 督考结合).

A finding of the assessment (a low score on a report card, a returned or rechecked
entry, a spot-check correction, last year's unfinished task) opens a prefilled task
form: `prefill(source_type, id, user)` reads the source (only what the user may see)
and gives the form's initial values with the source's description frozen into
`source_text`. The task page links back through `source_link`; the source's own page
lists its tasks through `tasks_of(source_type, id)`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.supervision.models import SourceKind, SourceType, SupervisionTask


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def source_link(task: SupervisionTask) -> str:
    """The page of the task's source ('' when it has none or the page is gone)."""
    if not task.source_type or task.source_id is None:
        return ""
    if task.source_type == SourceType.ENTRY:
        return _url("collection:entry_detail", task.source_id)
    if task.source_type == SourceType.TASK:
        return _url("supervision:task", task.source_id)
    if task.source_type == SourceType.COMPLAINT:
        return _url("complaints:detail", task.source_id)
    if task.source_type in (SourceType.TARGET_LIGHT, SourceType.NODE_LIGHT):
        return _light_page(task.source_type, task.source_id)
    if task.source_type == SourceType.CORRECTION:
        from jixiao.verification.models import Correction

        item_id = Correction.objects.filter(pk=task.source_id).values_list("item_id", flat=True)
        return _url("verification:item", item_id[0]) if item_id else ""
    if task.source_type == SourceType.REPORT_CARD:
        from jixiao.scoring.models import UnitResult

        row = UnitResult.objects.filter(pk=task.source_id).values_list("run_id", "unit_id")
        return _url("scoring:card", *row[0]) if row else ""
    return ""


def tasks_of(source_type: str, source_id: int) -> list[SupervisionTask]:
    return list(
        SupervisionTask.objects.from_source(source_type, source_id).select_related("lead_unit")
    )


def tasks_of_unit_year(unit_id: int, year: int) -> list[SupervisionTask]:
    return list(
        SupervisionTask.objects.filter(lead_unit_id=unit_id, year=year)
        .exclude(state="draft")
        .order_by("deadline", "pk")
    )


def prefill(source_type: str, source_id: int, user: User) -> dict[str, Any]:
    """Initial values of the task form for this finding; 404 if the user may not see it."""
    if source_type == SourceType.ENTRY:
        return _from_entry(source_id)
    if source_type == SourceType.CORRECTION:
        return _from_correction(source_id)
    if source_type == SourceType.REPORT_CARD:
        return _from_report_card(source_id)
    if source_type == SourceType.TASK:
        return _from_task(source_id)
    if source_type in (SourceType.TARGET_LIGHT, SourceType.NODE_LIGHT):
        return _from_light(source_type, source_id)
    raise Http404


def _from_entry(pk: int) -> dict[str, Any]:
    from jixiao.collection.models import Entry

    entry = (
        Entry.objects.select_related("indicator", "unit", "period__scheme__year")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    why = entry.review_comment or entry.reason or ""
    text = _("%(p)s“%(i)s”%(u)s：%(s)s") % {
        "p": entry.period.name,
        "i": entry.indicator.name,
        "u": entry.unit.name,
        "s": entry.get_status_display(),
    }
    return {
        "year": entry.period.scheme.year.year,
        "source_kind": SourceKind.ASSESSMENT,
        "source_type": SourceType.ENTRY,
        "source_id": entry.pk,
        "source_text": text[:500],
        "title": _("“%(i)s”整改") % {"i": entry.indicator.name},
        "problem": (text + ("\n" + why if why else ""))[:2000],
        "lead_unit": entry.unit_id,
    }


def _from_correction(pk: int) -> dict[str, Any]:
    from jixiao.verification.models import Correction

    c = (
        Correction.objects.select_related(
            "item__entry__indicator", "item__entry__unit", "item__entry__period__scheme__year"
        )
        .filter(pk=pk)
        .first()
    )
    if c is None:
        raise Http404
    entry = c.item.entry
    text = _("察访核验更正：%(i)s · %(u)s（%(s)s）") % {
        "i": entry.indicator.name,
        "u": entry.unit.name,
        "s": c.get_status_display(),
    }
    return {
        "year": entry.period.scheme.year.year,
        "source_kind": SourceKind.ASSESSMENT,
        "source_type": SourceType.CORRECTION,
        "source_id": c.pk,
        "source_text": text[:500],
        "title": _("“%(i)s”数据不实整改") % {"i": entry.indicator.name},
        "problem": (text + "\n" + c.reason)[:2000],
        "lead_unit": entry.unit_id,
    }


def _from_report_card(pk: int) -> dict[str, Any]:
    from jixiao.scoring.models import UnitResult

    r = UnitResult.objects.select_related("run", "unit").filter(pk=pk).first()
    if r is None:
        raise Http404
    text = _("%(run)s成绩单：%(u)s 总分 %(t)s") % {"run": r.run, "u": r.unit.name, "t": r.total}
    year = getattr(getattr(r.run, "year", None), "year", None)
    return {
        "year": year,
        "source_kind": SourceKind.ASSESSMENT,
        "source_type": SourceType.REPORT_CARD,
        "source_id": r.pk,
        "source_text": text[:500],
        "title": _("%(u)s考核失分项整改") % {"u": r.unit.name},
        "problem": text,
        "lead_unit": r.unit_id,
    }


def _from_task(pk: int) -> dict[str, Any]:
    t = SupervisionTask.objects.filter(pk=pk).first()
    if t is None:
        raise Http404
    return {
        "year": t.year + 1,
        "source_kind": t.source_kind,
        "source_type": SourceType.TASK,
        "source_id": t.pk,
        "source_text": (_("%(y)d年未完成整改事项：%(t)s") % {"y": t.year, "t": t.title})[:500],
        "title": t.title,
        "problem": t.problem,
        "measures": t.measures,
        "lead_unit": t.lead_unit_id,
        "level": t.level,
    }


def _light(source_type: str, pk: int) -> Any:
    """The red light of a monitored target or key-project node, as of this month (or
    December of a past year); None when there is no such object or it is not red."""
    from django.utils import timezone

    from jixiao.monitoring import lights, status
    from jixiao.monitoring.models import ProjectNode, Target

    model = Target if source_type == SourceType.TARGET_LIGHT else ProjectNode
    row = model.objects.select_related("scheme__year").filter(pk=pk).first()
    if row is None:
        return None
    today = timezone.localdate()
    year = row.scheme.year.year
    month = today.month if year == today.year else 12
    kind = "target" if source_type == SourceType.TARGET_LIGHT else "node"
    found = status.year_lights(row.scheme, month, unit_ids=[row.unit_id])
    light = next((x for x in found if x.kind == kind and x.pk == pk), None)
    return light if light is not None and light.color == lights.RED else None


def _light_page(source_type: str, pk: int) -> str:
    from jixiao.monitoring.models import ProjectNode, Target

    model = Target if source_type == SourceType.TARGET_LIGHT else ProjectNode
    row = model.objects.select_related("scheme__year").filter(pk=pk).first()
    if row is None:
        return ""
    return f"{_url('monitoring:unit_lights', row.scheme.year.year)}?unit={row.unit_id}"


def _from_light(source_type: str, pk: int) -> dict[str, Any]:
    from jixiao.monitoring.status import red_light_source

    light = _light(source_type, pk)
    if light is None:
        raise Http404
    said = red_light_source(light)
    return {
        "year": light.year,
        "source_kind": SourceKind.ASSESSMENT,
        "source_type": source_type,
        "source_id": pk,
        "source_text": str(said["description"])[:500],
        "title": str(said["title"])[:200],
        "problem": str(said["description"])[:2000],
        "lead_unit": light.unit_id,
    }
