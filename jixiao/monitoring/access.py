"""Who sees which target, node, light and report: 404 for anything out of scope.

The office (and the leaders, read-only) see everything; a data department the targets
and nodes of the indicators it owns; an assessed unit only its own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.values import strict_int
from jixiao.monitoring.models import ProjectNode, Target
from jixiao.org.models import AssessmentYear
from jixiao.scheme.models import Scheme

READERS = (Role.OFFICE, Role.LEADER)


def targets_visible_to(user: User) -> QuerySet[Target]:
    qs = Target.objects.select_related("indicator", "unit", "scheme__year")
    if user.role in READERS:
        return qs
    if user.role == Role.DEPARTMENT:
        return qs.filter(indicator__owner_id=user.organization_id)
    if user.role == Role.UNIT:
        return qs.filter(unit_id=user.organization_id)
    return qs.none()


def nodes_visible_to(user: User) -> QuerySet[ProjectNode]:
    qs = ProjectNode.objects.select_related("indicator", "unit", "scheme__year")
    if user.role in READERS:
        return qs
    if user.role == Role.DEPARTMENT:
        return qs.filter(indicator__owner_id=user.organization_id)
    if user.role == Role.UNIT:
        return qs.filter(unit_id=user.organization_id)
    return qs.none()


def access_target(user: User, pk: object) -> Target:
    ident = strict_int(pk)
    target = targets_visible_to(user).filter(pk=ident).first() if ident else None
    if target is None:
        raise Http404
    return target


def access_node(user: User, pk: object) -> ProjectNode:
    ident = strict_int(pk)
    node = nodes_visible_to(user).filter(pk=ident).first() if ident else None
    if node is None:
        raise Http404
    return node


def scheme_of_year(year: object) -> Scheme:
    """The scheme of a year given in a URL (strict digits); 404 without one."""
    number = strict_int(year)
    scheme = (
        Scheme.objects.select_related("year").filter(year__year=number).first()
        if number is not None
        else None
    )
    if scheme is None:
        raise Http404
    return scheme


def month_of(value: object) -> int:
    month = strict_int(value)
    if month is None or not 1 <= month <= 12:
        raise Http404
    return month


def current_year() -> AssessmentYear | None:
    return AssessmentYear.current()
