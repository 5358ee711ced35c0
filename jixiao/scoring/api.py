"""Read API of results, scoped exactly like the pages (see jixiao.scoring.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from jixiao.accounts.roles import Role
from jixiao.core.api import HasRole
from jixiao.scoring.access import (
    RESULT_ROLES,
    access_run,
    can_see_cards,
    can_see_rankings,
    visible_runs,
)
from jixiao.scoring.models import CATEGORY_SNAPSHOT, ScoreRun, UnitResult


class RunSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")

    class Meta:
        model = ScoreRun
        fields = [
            "id",
            "year",
            "number",
            "status",
            "rankings_audience",
            "fingerprint",
            "unit_count",
            "created_at",
            "published_at",
        ]


class ResultSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    category = serializers.CharField(source="run_category.category.code")

    class Meta:
        model = UnitResult
        fields = [
            "unit",
            "unit_name",
            "category",
            "total",
            "rank",
            "units_in_category",
            "grade",
            "awards",
            "warnings",
            "subtotals",
            "last_total",
            "last_rank",
        ]


class RunList(generics.ListAPIView):
    serializer_class = RunSerializer
    permission_classes = [HasRole.of(*RESULT_ROLES)]

    def get_queryset(self) -> QuerySet[ScoreRun]:
        return visible_runs(self.request.user)


class RunResults(generics.ListAPIView):
    """A run's results: everything for the office and leaders, the unit's category when
    rankings are open to units, else only the unit's own row."""

    serializer_class = ResultSerializer
    permission_classes = [HasRole.of(Role.OFFICE, Role.LEADER, Role.UNIT)]

    def get_queryset(self) -> QuerySet[UnitResult]:
        user: Any = self.request.user
        # A run the caller may not see (unpublished, or no such run) is 404, not an empty
        # list: an empty list would tell that the run exists.
        run = access_run(user, self.kwargs["pk"])
        rows = (
            UnitResult.objects.select_related("unit", "run_category__category")
            .defer(*CATEGORY_SNAPSHOT)
            .order_by("run_category__category__sort_order", "position")
        )
        rows = rows.filter(run=run)
        if can_see_cards(user, run):
            return rows
        if can_see_rankings(user, run):
            own = rows.filter(unit_id=user.organization_id).values("run_category_id")[:1]
            return rows.filter(run_category_id__in=own)
        return rows.filter(unit_id=user.organization_id)


urlpatterns = [
    path("runs/", RunList.as_view(), name="api_run_list"),
    path("runs/<int:pk>/results/", RunResults.as_view(), name="api_run_results"),
]
