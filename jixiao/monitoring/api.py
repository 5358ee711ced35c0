"""Read API of monitoring, scoped exactly like the pages (see jixiao.monitoring.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from jixiao.accounts.roles import Role
from jixiao.core.api import HasRole
from jixiao.monitoring.access import READERS, targets_visible_to
from jixiao.monitoring.models import MonthlyReport, Progress, Target

ROLES = (*READERS, Role.DEPARTMENT, Role.UNIT)
REPORT_KEYS: tuple[str, ...] = ("unit", "category_name", "rank", "score", "growth")
REPORT_KEYS += ("progress", "schedule", "contribution")


class TargetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="scheme.year.year")
    indicator = serializers.CharField(source="indicator.code")
    indicator_name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    milestones = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Target
        fields = [
            "id",
            "year",
            "indicator",
            "indicator_name",
            "unit",
            "unit_name",
            "annual",
            "breakdown",
            "milestones",
            "status",
        ]


class ProgressSerializer(serializers.ModelSerializer):
    target = serializers.IntegerField(source="target_id")

    class Meta:
        model = Progress
        fields = ["id", "target", "month", "value", "narrative", "updated_at", "submitted_at"]


class ReportSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    rows = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = ["id", "year", "month", "published_at", "rows"]

    def get_rows(self, report: MonthlyReport) -> list[dict[str, Any]]:
        return [{k: row.get(k) for k in REPORT_KEYS} for row in report.rows]


class TargetList(generics.ListAPIView):
    serializer_class = TargetSerializer
    permission_classes = [HasRole.of(*ROLES)]

    def get_queryset(self) -> QuerySet[Target]:
        return targets_visible_to(self.request.user).order_by("pk")  # type: ignore[arg-type]


class ProgressList(generics.ListAPIView):
    serializer_class = ProgressSerializer
    permission_classes = [HasRole.of(*ROLES)]

    def get_queryset(self) -> QuerySet[Progress]:
        user: Any = self.request.user
        targets = targets_visible_to(user)
        rows = Progress.objects.filter(target__in=targets.values("pk")).order_by("pk")
        # Drafts are the enterer's own business until reported.
        if user.role not in (Role.UNIT, Role.DEPARTMENT):
            rows = rows.submitted()
        return rows


class ReportList(generics.ListAPIView):
    """Published monthly reports (everyone with monitoring access sees the ranking)."""

    serializer_class = ReportSerializer
    permission_classes = [HasRole.of(Role.OFFICE, Role.LEADER, Role.UNIT)]

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        return MonthlyReport.objects.select_related("year").order_by("year__year", "month")


urlpatterns = [
    path("targets/", TargetList.as_view(), name="api_target_list"),
    path("progress/", ProgressList.as_view(), name="api_progress_list"),
    path("reports/", ReportList.as_view(), name="api_report_list"),
]
