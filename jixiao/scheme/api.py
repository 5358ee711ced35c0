"""Read API of schemes and indicator trees, scoped like the pages: the office reads all,
departments and units only published (or closed) schemes, and of the tree only the
indicators they own (departments) or that apply to them (units), with their ancestors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.core.api import HasRole
from jixiao.scheme.access import READERS, access_scheme, nodes_for_reader, visible_schemes
from jixiao.scheme.loading import load_nodes, node_from_dict, node_to_dict, open_revision
from jixiao.scheme.models import Scheme, SchemeRevision
from jixiao.scheme.tree import normalize_sort_orders


class SchemeSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year")

    class Meta:
        model = Scheme
        fields = ["id", "year", "name", "status", "published_at", "heavy_deduction_share"]


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeRevision
        fields = ["number", "reason", "summary", "applied_at"]


class SchemeList(generics.ListAPIView):
    serializer_class = SchemeSerializer
    permission_classes = [HasRole.of(*READERS)]

    def get_queryset(self) -> QuerySet[Scheme]:
        return visible_schemes(self.request.user)


class SchemeDetail(generics.RetrieveAPIView):
    serializer_class = SchemeSerializer
    permission_classes = [HasRole.of(*READERS)]

    def get_queryset(self) -> QuerySet[Scheme]:
        return visible_schemes(self.request.user)


class IndicatorTree(APIView):
    """The indicator tree in the JSON interchange shape (docs/scheme.md), in display
    order, limited to what the caller may read."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(
        responses=inline_serializer(
            "IndicatorTree",
            {
                "scheme": SchemeSerializer(),
                "indicators": serializers.ListField(
                    child=serializers.DictField(),
                    help_text="Indicators as in the jixiao-scheme v1 interchange format.",
                ),
            },
        )
    )
    def get(self, request: Request, pk: int) -> Response:
        scheme = access_scheme(request.user, pk)
        revision = open_revision(scheme)
        if revision is not None and request.user.role != "office":  # type: ignore[union-attr]
            nodes = normalize_sort_orders(
                [node_from_dict(d, i) for i, d in enumerate(revision.before["indicators"])]
            )
        else:
            nodes = load_nodes(scheme)
        visible = nodes_for_reader(request.user, scheme, nodes)
        return Response(
            {
                "scheme": SchemeSerializer(scheme).data,
                "indicators": [node_to_dict(n) for n in visible],
            }
        )


class RevisionList(generics.ListAPIView):
    serializer_class = RevisionSerializer
    permission_classes = [HasRole.of(*READERS)]

    def get_queryset(self) -> QuerySet[SchemeRevision]:
        scheme = access_scheme(self.request.user, self.kwargs["pk"])
        return SchemeRevision.objects.applied().filter(scheme=scheme)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


urlpatterns = [
    path("schemes/", SchemeList.as_view(), name="api_scheme_list"),
    path("schemes/<int:pk>/", SchemeDetail.as_view(), name="api_scheme_detail"),
    path("schemes/<int:pk>/indicators/", IndicatorTree.as_view(), name="api_indicator_tree"),
    path("schemes/<int:pk>/revisions/", RevisionList.as_view(), name="api_revision_list"),
]
