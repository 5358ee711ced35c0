"""Read API of observations, scoped like the pages: the office all, an observer their
own, a unit the submitted ones about itself, leaders the submitted ones."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.api import HasRole
from jixiao.observers.access import observations_visible_to
from jixiao.observers.models import Observation

API_ROLES = (Role.OFFICE, Role.OBSERVER, Role.UNIT, Role.LEADER)


class ObservationSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", help_text="被考核单位")
    point = serializers.SerializerMethodField(help_text="观测点（未指定时为空）")
    rating_label = serializers.CharField(source="get_rating_display", help_text="评价")
    status_label = serializers.CharField(source="get_status_display", help_text="状态")

    class Meta:
        model = Observation
        fields = [
            "id",
            "unit",
            "point",
            "observed_on",
            "rating",
            "rating_label",
            "text",
            "status",
            "status_label",
            "submitted_at",
        ]

    def get_point(self, obj: Observation) -> str:
        return obj.point.name if obj.point else ""


class ObservationList(generics.ListAPIView):
    serializer_class = ObservationSerializer
    permission_classes = [HasRole.of(*API_ROLES)]

    def get_queryset(self) -> QuerySet[Observation]:
        user: User = self.request.user  # type: ignore[assignment]
        return observations_visible_to(user).order_by("-observed_on", "-id")


class ObservationDetail(generics.RetrieveAPIView):
    serializer_class = ObservationSerializer
    permission_classes = [HasRole.of(*API_ROLES)]

    def get_queryset(self) -> QuerySet[Observation]:
        user: User = self.request.user  # type: ignore[assignment]
        return observations_visible_to(user)


urlpatterns = [
    path("observations/", ObservationList.as_view(), name="api_observation_list"),
    path("observations/<int:pk>/", ObservationDetail.as_view(), name="api_observation_detail"),
]
