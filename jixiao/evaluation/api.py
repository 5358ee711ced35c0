"""Evaluation API (/api/v1/evaluation/), scoped exactly like the pages.

- `rounds/`, `rounds/<id>/`: evaluation rounds with their groups, weights and indicators
  (office and leaders).
- `rounds/<id>/turnout/`: per reviewer group, reviewers and ballots cast.
- `rounds/<id>/results/`: aggregates only, per indicator and unit (and per group within
  it: weight, ballots counted, mean). Never a ballot, never a reviewer: nothing here
  joins a reviewer to a score (docs/evaluation.md, "Anonymity").
- `satisfaction/`: satisfaction indices per unit or per window over a year or a
  collection period (office, leaders; a unit its own windows).
- `ballots/`, `ballots/<id>/`, `ballots/<id>/draft/`, `ballots/<id>/submit/`: a 评议人
  account's own ballots, through the same actions as the ballot page. Writes carry the
  ballot's `version`: a ballot changed (or cast) since the caller read it answers 409.

Other roles get 403; rounds and ballots out of the caller's scope are 404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection.api import RefusalSerializer
from jixiao.collection.models import CollectionPeriod
from jixiao.core.api import HasRole
from jixiao.core.values import int_param
from jixiao.evaluation import actions, aggregate
from jixiao.evaluation.actions import AlreadyCast, BallotRefused, RoundError, cell_name
from jixiao.evaluation.models import (
    RatingStatus,
    Reviewer,
    Round,
    RoundStatus,
    ServiceWindow,
)
from jixiao.evaluation.results import ratings
from jixiao.evaluation.satisfaction import POINTS, ratings_visible_to
from jixiao.evaluation.scope import access_own_reviewer, access_round, layout_for, rounds_visible_to
from jixiao.org.models import AssessmentYear, Organization

ROUND_READERS = (Role.OFFICE, Role.LEADER)
SATISFACTION_READERS = (Role.OFFICE, Role.LEADER, Role.UNIT)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


# Rounds ------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": list(RoundStatus.values), "description": "Round status"},
    component_name="RoundStatus",
)
class RoundStatusField(serializers.CharField):
    pass


class RoundSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year", read_only=True)
    status = RoundStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    policy_label = serializers.CharField(source="get_policy_display", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "year",
            "name",
            "status",
            "status_label",
            "source",
            "source_label",
            "mode",
            "trim",
            "min_ballots",
            "policy",
            "policy_label",
            "published_at",
            "version",
        ]
        read_only_fields = fields


class WeightSerializer(serializers.Serializer):
    group = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)


class RoundIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weights = WeightSerializer(many=True)
    items = ItemSerializer(many=True)


class GroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())


class RoundDetailSerializer(RoundSerializer):
    groups = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "groups", "indicators"]
        read_only_fields = fields

    @extend_schema_field(GroupSerializer(many=True))
    def get_groups(self, obj: Round) -> list[dict[str, Any]]:
        return [
            {"name": g.name, "categories": [c.name for c in g.categories.all()]}
            for g in obj.groups.prefetch_related("categories")
        ]

    @extend_schema_field(RoundIndicatorSerializer(many=True))
    def get_indicators(self, obj: Round) -> list[dict[str, Any]]:
        rows = [
            {
                "code": ri.indicator.code,
                "name": ri.indicator.name,
                "weights": [{"group": w.group.name, "weight": w.weight} for w in ri.weights.all()],
                "items": [{"name": s.name, "weight": s.weight} for s in ri.items.all()],
            }
            for ri in obj.indicators.select_related("indicator").prefetch_related(
                "items", "weights__group"
            )
        ]
        return RoundIndicatorSerializer(rows, many=True).data  # type: ignore[return-value]


class RoundList(generics.ListAPIView):
    """Evaluation rounds, newest year first."""

    serializer_class = RoundSerializer
    permission_classes = [HasRole.of(*ROUND_READERS)]

    def get_queryset(self) -> QuerySet[Round]:
        return (
            rounds_visible_to(_user(self.request))
            .select_related("year")
            .order_by("-year__year", "pk")
        )


class RoundDetail(generics.RetrieveAPIView):
    """One round: its setup (groups, indicators, weights, sub-items)."""

    serializer_class = RoundDetailSerializer
    permission_classes = [HasRole.of(*ROUND_READERS)]

    def get_queryset(self) -> QuerySet[Round]:
        return rounds_visible_to(_user(self.request)).select_related("year")


class TurnoutSerializer(serializers.Serializer):
    group = serializers.CharField()
    reviewers = serializers.IntegerField(help_text="Reviewers (accounts and codes) invited.")
    cast = serializers.IntegerField(help_text="Ballots cast.")
    too_few = serializers.BooleanField(help_text="Fewer ballots than the round's minimum.")


class RoundTurnout(APIView):
    """Per reviewer group: how many were invited and how many ballots were cast."""

    permission_classes = [HasRole.of(*ROUND_READERS)]

    @extend_schema(responses=TurnoutSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        round_ = access_round(_user(request), pk)
        rows = [{**row, "group": row["group"].name} for row in actions.turnout(round_)]
        return Response(TurnoutSerializer(rows, many=True).data)


class RoundGroupResultSerializer(serializers.Serializer):
    group = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    ballots = serializers.IntegerField(help_text="Ballots of the group that rated the unit.")
    score = serializers.DecimalField(
        max_digits=8, decimal_places=4, help_text="The group's (trimmed) mean, 0–100."
    )


class RoundResultSerializer(serializers.Serializer):
    indicator_code = serializers.CharField()
    indicator_name = serializers.CharField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    rating = serializers.DecimalField(
        max_digits=8, decimal_places=4, allow_null=True, help_text="0–100; null when unrated."
    )
    groups = RoundGroupResultSerializer(many=True)
    explanation = serializers.CharField()


class RoundResults(APIView):
    """Aggregates per indicator and unit (a round in preparation has none). Only means,
    counts and weights: no ballot and no reviewer appears here."""

    permission_classes = [HasRole.of(*ROUND_READERS)]

    @extend_schema(responses=RoundResultSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        round_ = access_round(_user(request), pk)
        rows = [] if round_.status == RoundStatus.DRAFT else ratings(round_)
        data = [
            {
                "indicator_code": r.round_indicator.indicator.code,
                "indicator_name": r.round_indicator.indicator.name,
                "unit_code": r.unit.code,
                "unit_name": r.unit.name,
                "rating": r.rating.value,
                "groups": [
                    {
                        "group": g.name,
                        "weight": g.weight,
                        "ballots": g.ballots,
                        "score": aggregate.to_decimal(g.score),
                    }
                    for g in r.rating.groups
                ],
                "explanation": r.rating.formula(),
            }
            for r in rows
        ]
        return Response(RoundResultSerializer(data, many=True).data)


# Satisfaction indices ------------------------------------------------------------------


class IndexSerializer(serializers.Serializer):
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    window = serializers.CharField(
        help_text="The service window's name (by=window); empty for the unit's own code."
    )
    count = serializers.IntegerField(help_text="Ratings counted (quarantined ones are not).")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Ratings per choice, 5 = 非常满意 … 1."
    )
    index = serializers.DecimalField(max_digits=8, decimal_places=4)
    explanation = serializers.CharField()


SATISFACTION_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Assessment year (default: current)"),
    OpenApiParameter(
        "period", OpenApiTypes.INT, description="Collection period id (its dates, not the year)"
    ),
    OpenApiParameter("by", OpenApiTypes.STR, enum=["unit", "window"], description="Default unit"),
]


def _date_range(request: Request) -> tuple[date, date]:
    period_id = int_param(request.query_params, "period")
    if period_id is not None:
        period = CollectionPeriod.objects.filter(pk=period_id).first()
        if period is None:
            raise Http404
        return period.starts_on, period.ends_on
    year = int_param(request.query_params, "year")
    if year is None:
        current = AssessmentYear.current()
        year = current.year if current else date.today().year
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("请填写 2000 至 2100 之间的年度。")})
    return date(year, 1, 1), date(year, 12, 31)


class SatisfactionIndices(APIView):
    """Satisfaction indices (the default 100/80/60/40/20 points) per unit or per window,
    lowest first; a unit sees only its own windows."""

    permission_classes = [HasRole.of(*SATISFACTION_READERS)]

    @extend_schema(parameters=SATISFACTION_PARAMETERS, responses=IndexSerializer(many=True))
    def get(self, request: Request) -> Response:
        by = request.query_params.get("by") or "unit"
        if by not in ("unit", "window"):
            raise ValidationError({"by": _("请选择 unit 或 window。")})
        first, last = _date_range(request)
        field = "unit_id" if by == "unit" else "window_id"
        counts: dict[int, dict[int, int]] = defaultdict(dict)
        rows = (
            ratings_visible_to(_user(request))
            .filter(day__range=(first, last), status=RatingStatus.ACCEPTED)
            .values_list(field, "choice")
            .annotate(n=Count("pk"))
        )
        for key, choice, n in rows:
            counts[key][choice] = n
        data = []
        if by == "window":
            windows = ServiceWindow.objects.select_related("unit").in_bulk(list(counts))
            labels = {pk: (w.unit, w.name) for pk, w in windows.items()}
        else:
            units = Organization.objects.in_bulk(list(counts))
            labels = {pk: (u, "") for pk, u in units.items()}
        for key, by_choice in counts.items():
            unit, window = labels[key]
            rating = aggregate.satisfaction(by_choice, POINTS)
            data.append(
                {
                    "unit_code": unit.code,
                    "unit_name": unit.name,
                    "window": window,
                    "count": sum(by_choice.values()),
                    "counts": {str(c): n for c, n in sorted(by_choice.items(), reverse=True)},
                    "index": rating.value,
                    "explanation": rating.formula(),
                }
            )
        data.sort(key=lambda d: (d["index"], d["unit_code"], d["window"]))
        return Response(IndexSerializer(data, many=True).data)


# A reviewer's own ballots --------------------------------------------------------------


class MyBallotSerializer(serializers.ModelSerializer):
    round = serializers.CharField(source="round.name", read_only=True)
    round_status = RoundStatusField(source="round.status", read_only=True)
    group = serializers.CharField(source="group.name", read_only=True)
    cast = serializers.SerializerMethodField()

    class Meta:
        model = Reviewer
        fields = ["id", "round", "round_status", "group", "cast", "version"]
        read_only_fields = fields

    def get_cast(self, obj: Reviewer) -> bool:
        return obj.cast_at is not None


class CellSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The cell's name in `cells` of a draft or submit.")
    column = serializers.CharField()
    value = serializers.CharField(help_text="The draft's value; empty when not filled in.")


class RowSerializer(serializers.Serializer):
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    cells = CellSerializer(many=True)


class ScreenSerializer(serializers.Serializer):
    category = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = RowSerializer(many=True)


class BallotSerializer(MyBallotSerializer):
    mode = serializers.CharField(source="round.mode", read_only=True)
    grades = serializers.SerializerMethodField(help_text="Grade → points (grade mode).")
    screens = serializers.SerializerMethodField()

    class Meta(MyBallotSerializer.Meta):
        fields = [*MyBallotSerializer.Meta.fields, "mode", "grades", "screens"]
        read_only_fields = fields

    def get_grades(self, obj: Reviewer) -> dict[str, str]:
        return {k: str(v) for k, v in obj.round.grade_map.items()}

    @extend_schema_field(ScreenSerializer(many=True))
    def get_screens(self, obj: Reviewer) -> list[dict[str, Any]]:
        draft = obj.draft or {}
        return [
            {
                "category": s.category.name,
                "columns": [c.label for c in s.columns],
                "rows": [
                    {
                        "unit_code": u.code,
                        "unit_name": u.name,
                        "cells": [
                            {
                                "name": cell_name(c.key, u.pk),
                                "column": c.label,
                                "value": str(draft.get(cell_name(c.key, u.pk), "")),
                            }
                            for c in s.columns
                        ],
                    }
                    for u in s.units
                ],
            }
            for s in layout_for(obj).screens
        ]


class BallotWriteSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The ballot's version as last read; a changed or cast ballot answers 409.",
        error_messages={"required": "请提供数据版本（version），以免覆盖其他页面的修改。"},
    )
    cells = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=16),
        help_text="Cell name → score (0–100, as typed) or grade; names from the ballot's cells.",
    )


class WrittenSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    cast = serializers.BooleanField()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Forced-distribution problems accepted under the warn policy.",
    )


class MyBallots(generics.ListAPIView):
    """The caller's ballots (rounds open or finished)."""

    serializer_class = MyBallotSerializer
    permission_classes = [HasRole.of(Role.REVIEWER)]

    def get_queryset(self) -> QuerySet[Reviewer]:
        return (
            Reviewer.objects.filter(user=_user(self.request))
            .exclude(round__status=RoundStatus.DRAFT)
            .select_related("round", "group")
            .order_by("-round__year__year", "round__pk")
        )


class MyBallot(APIView):
    """One of the caller's ballots: its screens, the draft's values and its version."""

    permission_classes = [HasRole.of(Role.REVIEWER)]

    @extend_schema(responses=BallotSerializer)
    def get(self, request: Request, pk: int) -> Response:
        reviewer = access_own_reviewer(_user(request), pk)
        return Response(BallotSerializer(reviewer).data)


WRITE_RESPONSES = {
    200: WrittenSerializer,
    400: OpenApiResponse(RefusalSerializer, description="Refused (Chinese message)"),
    404: OpenApiResponse(RefusalSerializer, description="Not the caller's ballot"),
    409: OpenApiResponse(RefusalSerializer, description="Changed or cast since read"),
}


class _BallotWrite(APIView):
    permission_classes = [HasRole.of(Role.REVIEWER)]
    submit = False

    def _write(self, request: Request, pk: int) -> Response:
        user = _user(request)
        access_own_reviewer(user, pk)  # 404 before anything else when not the caller's
        form = BallotWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version, cells = form.validated_data["version"], form.validated_data["cells"]
        warnings: list[str] = []
        try:
            with transaction.atomic():
                locked = Reviewer.objects.select_for_update(of=("self",)).get(pk=pk)
                if locked.cast_at is not None:
                    raise AlreadyCast
                if locked.version != version:
                    return Response(
                        {"detail": _("这张评议票已在其他页面修改，请重新读取后再保存。")},
                        status=status.HTTP_409_CONFLICT,
                    )
                if self.submit:
                    warnings = actions.cast_ballot(locked, cells)
                else:
                    actions.save_draft(locked, cells)
        except AlreadyCast:
            return Response(
                {"detail": _("这张评议票已经提交，每张评议票只能提交一次。")},
                status=status.HTTP_409_CONFLICT,
            )
        except BallotRefused as refused:
            messages = [*refused.problems, *refused.errors.values()]
            return Response(
                {"detail": "；".join(refused.problems), "messages": messages},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except RoundError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        reviewer = Reviewer.objects.get(pk=pk)
        return Response(
            {
                "version": reviewer.version,
                "cast": reviewer.cast_at is not None,
                "warnings": warnings,
            }
        )


class SaveDraft(_BallotWrite):
    """Keep the values as a draft (the page's 保存草稿)."""

    @extend_schema(request=BallotWriteSerializer, responses=WRITE_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return self._write(request, pk)


class SubmitBallot(_BallotWrite):
    """Cast the ballot (the page's 提交): checked, stored anonymously, then locked."""

    submit = True

    @extend_schema(request=BallotWriteSerializer, responses=WRITE_RESPONSES)
    def post(self, request: Request, pk: int) -> Response:
        return self._write(request, pk)


urlpatterns = [
    path("rounds/", RoundList.as_view(), name="api_round_list"),
    path("rounds/<int:pk>/", RoundDetail.as_view(), name="api_round_detail"),
    path("rounds/<int:pk>/turnout/", RoundTurnout.as_view(), name="api_round_turnout"),
    path("rounds/<int:pk>/results/", RoundResults.as_view(), name="api_round_results"),
    path("satisfaction/", SatisfactionIndices.as_view(), name="api_satisfaction"),
    path("ballots/", MyBallots.as_view(), name="api_my_ballots"),
    path("ballots/<int:pk>/", MyBallot.as_view(), name="api_ballot"),
    path("ballots/<int:pk>/draft/", SaveDraft.as_view(), name="api_ballot_draft"),
    path("ballots/<int:pk>/submit/", SubmitBallot.as_view(), name="api_ballot_submit"),
]
