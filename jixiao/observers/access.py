"""Who sees which observation point, assignment and observation: 404 for the rest.

The office sees everything; an observer their own observations and the points and units
they are assigned to; a unit only the submitted observations about itself (never a draft
or a returned one); leaders read the reports; nobody else anything."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.observers.models import (
    Assignment,
    Observation,
    ObservationPoint,
    ObservationQuerySet,
)
from jixiao.org.models import Organization

# Who may open a unit's quarterly report (the unit only its own).
REPORT_ROLES = (Role.OFFICE, Role.LEADER, Role.UNIT)


def observations_visible_to(user: User) -> ObservationQuerySet:
    qs: ObservationQuerySet = Observation.objects.select_related("unit", "point", "observer")
    if user.role == Role.OFFICE:
        return qs
    if user.role == Role.OBSERVER:
        return qs.filter(observer=user)
    if user.role == Role.UNIT:
        return qs.submitted().filter(unit_id=user.organization_id)
    if user.role == Role.LEADER:
        return qs.submitted()
    return qs.none()


def assignments_of(user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(observer=user).select_related("unit", "point")


def points_for_observer(user: User) -> QuerySet[ObservationPoint]:
    """The active points an observer may file about: named ones, or all of a unit's."""
    mine = assignments_of(user)
    return ObservationPoint.objects.filter(
        Q(pk__in=mine.exclude(point=None).values("point"))
        | Q(unit__in=mine.filter(point=None).values("unit")),
        is_active=True,
    ).select_related("unit")


def units_for_observer(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(
        pk__in=assignments_of(user).values("unit"), is_active=True
    ).order_by("code")


def access_observation(user: User, pk: int) -> Observation:
    observation = observations_visible_to(user).filter(pk=pk).first()
    if observation is None:
        raise Http404
    return observation


def access_report_unit(user: User, pk: int) -> Organization:
    """The unit whose report the user may read (a unit user: only its own)."""
    units = Organization.objects.filter(is_assessed_unit=True)
    if user.role == Role.UNIT:
        units = units.filter(pk=user.organization_id)
    elif user.role not in (Role.OFFICE, Role.LEADER):
        units = units.none()
    unit = units.filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit
