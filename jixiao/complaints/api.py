"""Read API of the 群众反映 queue for the office and the 督查室 (phones masked)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import path
from rest_framework import generics, serializers

from jixiao.complaints.actions import TRIAGE_ROLES
from jixiao.complaints.models import Complaint
from jixiao.core.api import HasRole


class ComplaintSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    phone = serializers.CharField(source="masked_phone")
    merged_into = serializers.CharField(source="merged_into.receipt", allow_null=True, default=None)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "receipt",
            "unit",
            "window",
            "problem",
            "place_time",
            "phone",
            "status",
            "quarantine_reason",
            "decision_note",
            "merged_into",
            "created_at",
            "handled_at",
        ]


class AllComplaints:
    def get_queryset(self) -> QuerySet[Complaint]:
        return Complaint.objects.select_related("unit", "merged_into").order_by("pk")


class ComplaintList(AllComplaints, generics.ListAPIView):
    serializer_class = ComplaintSerializer
    permission_classes = [HasRole.of(*TRIAGE_ROLES)]


class ComplaintDetail(AllComplaints, generics.RetrieveAPIView):
    serializer_class = ComplaintSerializer
    permission_classes = [HasRole.of(*TRIAGE_ROLES)]


urlpatterns = [
    path("complaints/", ComplaintList.as_view(), name="api_complaint_list"),
    path("complaints/<int:pk>/", ComplaintDetail.as_view(), name="api_complaint_detail"),
]
