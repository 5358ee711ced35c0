"""The forced-distribution mark travels to next year's scheme.

A department penalised for breaking the distribution is listed “下年度降低权重或取消评分资格”.
When the office copies last year's scheme (scheme/hooks.py `scheme_copied`, inside the
copy's transaction), each of last year's breaches becomes a `DistributionMark` on the new
scheme, with its audit row; the scheme's pages show it beside the indicator concerned
(`indicator_notes`). Breaches recorded after the copy are carried by `carry_marks` again
(the office's 带入新方案 on the breaches page); a breach is carried once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.audit.records import record_create
from jixiao.evaluation.models import DistributionBreach, DistributionMark
from jixiao.scheme.models import Scheme


@transaction.atomic
def carry_marks(scheme: Scheme, copied_from: Scheme) -> int:
    """Mark `scheme` with every breach of `copied_from` not yet carried; returns how many."""
    carried = set(
        DistributionMark.objects.filter(scheme=scheme).values_list("breach_id", flat=True)
    )
    made = 0
    for breach in DistributionBreach.objects.filter(scheme=copied_from).select_related("indicator"):
        if breach.pk in carried:
            continue
        mark = DistributionMark.objects.create(
            scheme=scheme,
            breach=breach,
            indicator_code=breach.indicator.code,
            department_id=breach.department_id,
        )
        record_create(mark, reason=_("复制上年度方案时带入强制分布违规标记"))
        made += 1
    return made


def on_scheme_copied(scheme: Scheme, copied_from: Scheme) -> None:
    carry_marks(scheme, copied_from)


def mark_text(mark: DistributionMark) -> str:
    breach = mark.breach
    return _(
        "%(y)s%(d)s在“%(i)s”（%(c)s）的定性评分不符合强制分布要求：下年度降低权重或取消评分资格"
    ) % {
        "y": breach.scheme.year.name,
        "d": mark.department.name,
        "i": breach.indicator.name,
        "c": breach.category.name,
    }


def marks_of(scheme: Scheme) -> list[DistributionMark]:
    return list(
        DistributionMark.objects.filter(scheme=scheme).select_related(
            "department", "breach__scheme__year", "breach__indicator", "breach__category"
        )
    )


def scheme_notes(scheme: Scheme, organization_id: int | None) -> dict[str, list[str]]:
    """For the scheme's pages, by indicator code: every carried mark for the office, a
    department's own marks for that department, nothing for others."""
    notes: dict[str, list[str]] = {}
    for mark in marks_of(scheme):
        if organization_id is not None and mark.department_id != organization_id:
            continue
        notes.setdefault(mark.indicator_code, []).append(mark_text(mark))
    return notes
