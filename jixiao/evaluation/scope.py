"""Who rates whom and on what: a reviewer's ballot layout, and who may see which round.

A ballot has one screen per category. Its rows are the units the reviewer's group rates
there (never the reviewer's own unit; with `exclude_collecting`, never a unit the
reviewer's department collects data for); its columns are the indicators (or their
sub-items) the group carries weight in and that apply to the category.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.evaluation.models import (
    GroupWeight,
    Reviewer,
    ReviewerGroup,
    Round,
    RoundIndicator,
    RoundStatus,
    SubItem,
)
from jixiao.org.models import Organization, UnitCategory, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorKind, IndicatorPoints


@dataclass(frozen=True)
class Column:
    round_indicator: RoundIndicator
    item: SubItem | None

    @property
    def key(self) -> str:
        return f"{self.round_indicator.pk}:{self.item.pk if self.item else 0}"

    @property
    def label(self) -> str:
        name = self.round_indicator.indicator.name
        return f"{name} · {self.item.name}" if self.item else name


@dataclass
class Screen:
    category: UnitCategory
    units: list[Organization]
    columns: list[Column]


@dataclass
class Layout:
    screens: list[Screen] = field(default_factory=list)

    @property
    def cells(self) -> set[tuple[str, int]]:
        return {(c.key, u.pk) for s in self.screens for c in s.columns for u in s.units}


def group_units(group: ReviewerGroup) -> list[UnitEnrollment]:
    """The enrollments a group rates: its categories, narrowed to its chosen units."""
    qs = UnitEnrollment.objects.filter(
        year_id=group.round.year_id, category__in=group.categories.all()
    ).select_related("unit", "category")
    chosen = list(group.units.values_list("pk", flat=True))
    if chosen:
        qs = qs.filter(unit_id__in=chosen)
    return list(qs.order_by("category__sort_order", "unit__sort_order", "unit__code"))


def collected_units(round_: Round, department: Organization) -> set[int]:
    """Units the department collects data for in the round's scheme (its own indicators)."""
    owned = Indicator.objects.filter(scheme_id=round_.scheme_id, owner=department).exclude(
        kind=IndicatorKind.EVALUATION
    )
    categories = set(
        IndicatorPoints.objects.filter(indicator__in=owned).values_list("category_id", flat=True)
    )
    return set(
        UnitEnrollment.objects.filter(
            year_id=round_.year_id, category_id__in=categories
        ).values_list("unit_id", flat=True)
    )


def _items_or_whole(ri: RoundIndicator) -> list[SubItem | None]:
    """The sub-items to score, or [None] for the indicator as a whole."""
    items: list[SubItem | None] = list(ri.items.all())
    return items or [None]


def layout_for(reviewer: Reviewer) -> Layout:
    round_ = reviewer.round
    group = reviewer.group
    excluded: set[int] = set()
    if reviewer.organization_id:
        excluded.add(reviewer.organization_id)
        if round_.exclude_collecting and reviewer.organization is not None:
            excluded |= collected_units(round_, reviewer.organization)
    weighted = set(
        GroupWeight.objects.filter(group=group, weight__gt=0).values_list(
            "round_indicator_id", flat=True
        )
    )
    round_indicators = [
        ri
        for ri in round_.indicators.select_related("indicator").prefetch_related("items")
        if ri.pk in weighted
    ]
    points = set(
        IndicatorPoints.objects.filter(
            indicator_id__in=[ri.indicator_id for ri in round_indicators]
        ).values_list("indicator_id", "category_id")
    )
    by_category: dict[int, Screen] = {}
    for enrollment in group_units(group):
        if enrollment.unit_id in excluded:
            continue
        screen = by_category.get(enrollment.category_id)
        if screen is None:
            columns = [
                Column(ri, item)
                for ri in round_indicators
                if (ri.indicator_id, enrollment.category_id) in points
                for item in _items_or_whole(ri)
            ]
            screen = by_category[enrollment.category_id] = Screen(enrollment.category, [], columns)
        screen.units.append(enrollment.unit)
    return Layout([s for s in by_category.values() if s.columns and s.units])


# Access -----------------------------------------------------------------------------


def rounds_visible_to(user: User) -> QuerySet[Round]:
    if user.has_role(Role.OFFICE, Role.LEADER):
        return Round.objects.all()
    return Round.objects.none()


def access_round(user: User, pk: int) -> Round:
    round_ = (
        rounds_visible_to(user).select_related("year", "scheme", "period").filter(pk=pk).first()
    )
    if round_ is None:
        raise Http404
    return round_


def access_own_reviewer(user: User, pk: int) -> Reviewer:
    """A reviewer account's own ballot in an open or finished round; 404 otherwise."""
    reviewer = (
        Reviewer.objects.filter(pk=pk, user=user)
        .exclude(round__status=RoundStatus.DRAFT)
        .select_related("round", "group", "organization")
        .first()
    )
    if reviewer is None:
        raise Http404
    return reviewer
