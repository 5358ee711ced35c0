"""Read API of the organization directory, scoped to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from jixiao.accounts.roles import Role
from jixiao.org.models import Organization, UnitEnrollment


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "is_department",
            "is_assessed_unit",
            "is_active",
        ]


class EnrollmentSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")
    unit = serializers.CharField(source="unit.code")
    category = serializers.CharField(source="category.code")

    class Meta:
        model = UnitEnrollment
        fields = ["id", "year", "unit", "category", "staffing"]


def visible_organizations(user: object) -> QuerySet[Organization]:
    """Office and system admin see the directory; everyone else sees only their own unit."""
    if getattr(user, "role", None) in (Role.OFFICE, Role.SYSTEM_ADMIN):
        return Organization.objects.all()
    return Organization.objects.filter(pk=getattr(user, "organization_id", 0) or 0)


class OrganizationList(generics.ListAPIView):
    serializer_class = OrganizationSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        return visible_organizations(self.request.user)


class OrganizationDetail(generics.RetrieveAPIView):
    serializer_class = OrganizationSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        return visible_organizations(self.request.user)


class EnrollmentList(generics.ListAPIView):
    serializer_class = EnrollmentSerializer

    def get_queryset(self) -> QuerySet[UnitEnrollment]:
        units = visible_organizations(self.request.user)
        return UnitEnrollment.objects.filter(unit__in=units).select_related(
            "year", "unit", "category"
        )


urlpatterns = [
    path("organizations/", OrganizationList.as_view(), name="api_organization_list"),
    path("organizations/<int:pk>/", OrganizationDetail.as_view(), name="api_organization_detail"),
    path("enrollments/", EnrollmentList.as_view(), name="api_enrollment_list"),
]
