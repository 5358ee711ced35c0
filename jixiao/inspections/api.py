"""Read API of the inspection plan registry, scoped exactly like the pages (scope.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from jixiao.accounts.roles import Role
from jixiao.core.api import HasRole
from jixiao.inspections.models import Inspection, Violation
from jixiao.inspections.scope import OVERSEERS, inspections_visible_to
from jixiao.org.models import Organization

READERS = (*OVERSEERS, Role.DEPARTMENT, Role.UNIT)


class InspectionSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    units: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "year",
            "department",
            "department_name",
            "name",
            "content",
            "target_kind",
            "category",
            "units",
            "start",
            "end",
            "status",
            "registered_on",
            "working_days_ahead",
            "is_late",
        ]


class ViolationSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    department = serializers.CharField(source="department.code")

    class Meta:
        model = Violation
        fields = [
            "id",
            "year",
            "department",
            "kind",
            "inspection",
            "name",
            "start",
            "registered_on",
            "working_days_ahead",
            "note",
        ]


class VisibleInspections:
    request: Any

    def get_queryset(self) -> QuerySet[Inspection]:
        return inspections_visible_to(self.request.user).prefetch_related("units").order_by("pk")


class InspectionList(VisibleInspections, generics.ListAPIView):
    serializer_class = InspectionSerializer
    permission_classes = [HasRole.of(*READERS)]


class InspectionDetail(VisibleInspections, generics.RetrieveAPIView):
    serializer_class = InspectionSerializer
    permission_classes = [HasRole.of(*READERS)]


class ViolationList(generics.ListAPIView):
    serializer_class = ViolationSerializer
    permission_classes = [HasRole.of(*OVERSEERS)]

    def get_queryset(self) -> QuerySet[Violation]:
        return Violation.objects.select_related("year", "department").order_by("pk")


urlpatterns = [
    path("inspections/", InspectionList.as_view(), name="api_inspection_list"),
    path("inspections/<int:pk>/", InspectionDetail.as_view(), name="api_inspection_detail"),
    path("violations/", ViolationList.as_view(), name="api_inspection_violations"),
]
