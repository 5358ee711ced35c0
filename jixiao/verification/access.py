"""Who sees which spot check, item and correction: 404 for anything out of scope.

The office sees everything; an inspector the draws assigned to them or to the whole
察访核验组 (no one named); a data department only the items of its own entries that
carry a correction (to object to it); nobody else anything."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.verification.models import SpotCheck, SpotCheckItem


def checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.select_related("period", "inspector", "drawn_by")
    if user.role == Role.OFFICE:
        return qs
    if user.role == Role.INSPECTOR:
        return qs.filter(Q(inspector=user) | Q(inspector__isnull=True))
    return qs.none()


def items_visible_to(user: User) -> QuerySet[SpotCheckItem]:
    qs = SpotCheckItem.objects.select_related(
        "spot_check__period",
        "entry__indicator",
        "entry__unit",
        "entry__department",
        "checked_by",
    )
    if user.role in (Role.OFFICE, Role.INSPECTOR):
        return qs.filter(spot_check__in=checks_visible_to(user))
    if user.role == Role.DEPARTMENT:
        return qs.filter(entry__department_id=user.organization_id, correction__isnull=False)
    return qs.none()


def access_check(user: User, pk: int) -> SpotCheck:
    check = checks_visible_to(user).filter(pk=pk).first()
    if check is None:
        raise Http404
    return check


def access_item(user: User, pk: int) -> SpotCheckItem:
    item = items_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item
