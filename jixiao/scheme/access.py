"""Who may see which scheme and indicator. Lookups go through here and return 404 for
what the user may not see, so that not even existence leaks.

The performance office sees and edits everything; departments and assessed units read
published (and closed) schemes only: a unit the indicators that apply to it, a
department the indicators it owns. Nobody else has access (views 403 by role).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jixiao.accounts.roles import Role
from jixiao.org.models import UnitEnrollment
from jixiao.scheme.models import Indicator, Scheme, SchemeStatus
from jixiao.scheme.tree import NodeData, with_ancestors

EDITORS = (Role.OFFICE,)
READERS = (Role.OFFICE, Role.DEPARTMENT, Role.UNIT)


def visible_schemes(user: Any) -> QuerySet[Scheme]:
    schemes = Scheme.objects.select_related("year")
    if user.role == Role.OFFICE:
        return schemes
    if user.role in (Role.DEPARTMENT, Role.UNIT):
        return schemes.filter(status__in=[SchemeStatus.PUBLISHED, SchemeStatus.CLOSED])
    return schemes.none()


def access_scheme(user: Any, pk: int) -> Scheme:
    scheme = visible_schemes(user).filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


def access_indicator(scheme: Scheme, pk: int) -> Indicator:
    """An indicator of this scheme (office only; callers check the role)."""
    indicator = Indicator.objects.filter(scheme=scheme, pk=pk).select_related("parent").first()
    if indicator is None:
        raise Http404
    return indicator


def unit_category_code(user: Any, scheme: Scheme) -> str | None:
    return (
        UnitEnrollment.objects.filter(year_id=scheme.year_id, unit_id=user.organization_id)
        .values_list("category__code", flat=True)
        .first()
    )


def nodes_for_reader(user: Any, scheme: Scheme, nodes: list[NodeData]) -> list[NodeData]:
    """What a department or unit may read of the tree (with ancestors for context)."""
    if user.role == Role.OFFICE:
        return nodes
    org_code = user.organization.code if user.organization_id else None
    if user.role == Role.DEPARTMENT:
        return with_ancestors(nodes, {n.code for n in nodes if n.owner_code == org_code})
    if user.role == Role.UNIT:
        category = unit_category_code(user, scheme)
        if category is None:
            return []
        mine = {
            n.code
            for n in nodes
            if category in n.points and (not n.unit_codes or org_code in n.unit_codes)
        }
        return with_ancestors(nodes, mine)
    return []
