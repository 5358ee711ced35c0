"""Who sees which inspection, and the unit-weeks where registered inspections meet.

The office and the 督查室 see every registration; a department its own; a unit the
registered (submitted or approved) inspections that will visit it, named or through its
category; nobody else anything. Out of scope is 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.inspections import merging
from jixiao.inspections.models import Inspection, TargetKind
from jixiao.org.models import AssessmentYear, Organization, UnitEnrollment

OVERSEERS = (Role.OFFICE, Role.SUPERVISION)


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    qs = Inspection.objects.select_related("department", "category", "year")
    if user.role in OVERSEERS:
        return qs
    if user.role == Role.DEPARTMENT:
        return qs.filter(department_id=user.organization_id)
    if user.role == Role.UNIT:
        categories = UnitEnrollment.objects.filter(unit_id=user.organization_id).values(
            "category_id"
        )
        return (
            qs.registered()
            .filter(
                Q(units=user.organization_id)
                | Q(target_kind=TargetKind.CATEGORY, category_id__in=categories)
            )
            .distinct()
        )
    return qs.none()


def access_inspection(user: User, pk: int) -> Inspection:
    found = inspections_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class MergeFlag:
    unit: Organization
    clash: merging.Clash
    inspections: list[Inspection]


def merge_flags(
    year: AssessmentYear,
    *,
    department_id: int | None = None,
    unit_id: int | None = None,
) -> list[MergeFlag]:
    """Registered inspections of the year meeting at one unit in one ISO week; with
    `department_id`, only clashes that involve that department's inspections; with
    `unit_id`, only that unit's. A fixed number of queries whatever the size."""
    registered = list(
        Inspection.objects.filter(year=year).registered().select_related("department")
    )
    by_id = {i.pk: i for i in registered}
    direct = Inspection.units.through.objects.filter(inspection_id__in=by_id).values_list(
        "inspection_id", "organization_id"
    )
    visits = [(i, u, by_id[i].start, by_id[i].end) for i, u in direct]
    category_ids = {i.category_id for i in registered if i.target_kind == TargetKind.CATEGORY}
    members: dict[int, list[int]] = {}
    for category_id, unit in UnitEnrollment.objects.filter(
        category_id__in=category_ids
    ).values_list("category_id", "unit_id"):
        members.setdefault(category_id, []).append(unit)
    for inspection in registered:
        if inspection.target_kind == TargetKind.CATEGORY and inspection.category_id:
            for unit in members.get(inspection.category_id, []):
                visits.append((inspection.pk, unit, inspection.start, inspection.end))
    if unit_id is not None:
        visits = [v for v in visits if v[1] == unit_id]
    found = merging.clashes(visits)
    if department_id is not None:
        found = [
            c
            for c in found
            if any(by_id[i].department_id == department_id for i in c.inspection_ids)
        ]
    units = Organization.objects.in_bulk({c.unit_id for c in found})
    return [
        MergeFlag(units[c.unit_id], c, [by_id[i] for i in c.inspection_ids])
        for c in found
        if c.unit_id in units
    ]
