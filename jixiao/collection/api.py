"""Collection API (/api/v1/collection/), scoped exactly like the pages.

- `periods/`: collection periods (office: all; departments and units: opened ones).
- `entries/`: entries the caller may see (office: all; a department — its leader
  included — the entries of its own indicators; an assessed unit its own entries once
  published), filtered by period, indicator, unit, department and status.
- `entries/<id>/`: one entry with the actions the caller may try, its recheck requests
  and evidence.
- `periods/<id>/values/`: a data department (a person or its service token) saves draft
  values through the grid's own action (`actions.save_rows`: the same parsing, checks,
  deadline, versions and audit rows), all or nothing like an import: a refused row or a
  conflict saves nothing and lists every row's Chinese messages. Then `transition/` with
  `submit` sends them for review, as the grid's submit button does.
- `entries/<id>/transition/`: one workflow action through the same transition table,
  guards, audit rows and notifications as the entry page. The entry's `version` is
  required: if the entry changed since the caller read it the answer is 409.

Other roles get 403; entries and periods out of the caller's scope are 404.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.collection import actions, leaf
from jixiao.collection.evidence import EvidenceRejected
from jixiao.collection.models import (
    CollectionPeriod,
    Entry,
    EntryStatus,
    EvidenceFile,
    PeriodStatus,
    RecheckOutcome,
    RecheckRequest,
    RecheckStatus,
)
from jixiao.collection.scope import (
    access_entry,
    access_period,
    entries_visible_to,
    periods_visible_to,
)
from jixiao.collection.structure import department_slots
from jixiao.collection.workflow import Act, TransitionRefused, available_actions
from jixiao.core.api import HasRole
from jixiao.core.concurrency import EditConflict
from jixiao.core.values import REASON_MAX_LENGTH, strict_int

API_ROLES = (Role.OFFICE, Role.DEPARTMENT, Role.UNIT)
ENTRY_RELATED = ("period", "indicator", "unit", "department")


def _status_field(choices: type[models.TextChoices], what: str) -> serializers.Field:
    """A read-only status documented inline (several models have a `status` enum)."""

    @extend_schema_field(
        {"type": "string", "enum": list(choices.values), "description": f"{what} status"},
        component_name=f"{what}Status",
    )
    class StatusField(serializers.CharField):
        pass

    return StatusField(read_only=True)


class PeriodSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="scheme.year.year", read_only=True)
    status = _status_field(PeriodStatus, "Period")

    class Meta:
        model = CollectionPeriod
        fields = [
            "id",
            "year",
            "code",
            "name",
            "kind",
            "starts_on",
            "ends_on",
            "deadline",
            "recheck_days",
            "status",
            "version",
        ]


class EntrySerializer(serializers.ModelSerializer):
    period_code = serializers.CharField(source="period.code", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    status = _status_field(EntryStatus, "Entry")
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Entry
        fields = [
            "id",
            "period",
            "period_code",
            "indicator",
            "indicator_code",
            "indicator_name",
            "unit",
            "unit_code",
            "unit_name",
            "department",
            "department_code",
            "value",
            "reference",
            "grade",
            "score",
            "reason",
            "status",
            "status_label",
            "review_comment",
            "submitted_at",
            "published_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class RecheckSerializer(serializers.ModelSerializer):
    status = _status_field(RecheckStatus, "Recheck")
    # "" until the department answers: part of the documented enum.
    outcome = serializers.ChoiceField(
        choices=[("", "未答复"), *RecheckOutcome.choices], read_only=True
    )

    class Meta:
        model = RecheckRequest
        fields = [
            "id",
            "reason",
            "filed_at",
            "status",
            "outcome",
            "answer",
            "before",
            "after",
            "answered_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, obj: EvidenceFile) -> str:
        return reverse("collection:evidence_download", args=[obj.pk])


class EntryDetailSerializer(EntrySerializer):
    actions = serializers.SerializerMethodField(
        help_text="Workflow actions the caller may try on this entry (guards decide the rest)."
    )
    rechecks = RecheckSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "actions", "rechecks", "evidence"]
        read_only_fields = fields

    def get_actions(self, obj: Entry) -> list[str]:
        return available_actions(self.context["request"].user, obj)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Act.choices)
    version = serializers.IntegerField(
        min_value=1,
        help_text="The entry's version as last read; a changed entry answers 409.",
        error_messages={"required": "请提供数据版本（version），以免覆盖他人的修改。"},
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Reason of a return or recheck request; the answer text of a recheck answer.",
    )
    outcome = serializers.ChoiceField(
        choices=RecheckOutcome.choices, required=False, allow_blank=True, default=""
    )
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    grade = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    new_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    messages = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="One message per refusal."
    )


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    number = strict_int(raw)
    if number is None:
        raise ValidationError({name: _("请填写整数编号。")})
    return number


class PeriodList(generics.ListAPIView):
    """Collection periods the caller may see (the office also sees unopened ones)."""

    serializer_class = PeriodSerializer
    permission_classes = [HasRole.of(*API_ROLES)]

    def get_queryset(self) -> QuerySet[CollectionPeriod]:
        return periods_visible_to(_user(self.request)).order_by("-starts_on", "code")


ENTRY_FILTERS = [
    OpenApiParameter("period", OpenApiTypes.INT, description="Collection period id"),
    OpenApiParameter("indicator", OpenApiTypes.INT, description="Indicator id"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="Assessed unit (organization) id"),
    OpenApiParameter("department", OpenApiTypes.INT, description="Data department id"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=EntryStatus.values),
]


@extend_schema(parameters=ENTRY_FILTERS)
class EntryList(generics.ListAPIView):
    """Entries the caller may see, in period, indicator and unit order."""

    serializer_class = EntrySerializer
    permission_classes = [HasRole.of(*API_ROLES)]

    def get_queryset(self) -> QuerySet[Entry]:
        request = self.request
        qs = entries_visible_to(_user(request)).select_related(*ENTRY_RELATED)
        for name in ("period", "indicator", "unit", "department"):
            value = _int_param(request, name)
            if value is not None:
                qs = qs.filter(**{f"{name}_id": value})
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in EntryStatus.values:
                raise ValidationError({"status": _("未知的状态。")})
            qs = qs.filter(status=wanted)
        return qs.order_by("period__starts_on", "indicator__sort_order", "indicator__code", "unit")


class EntryDetail(generics.RetrieveAPIView):
    """One entry with the caller's possible actions, its recheck requests and evidence."""

    serializer_class = EntryDetailSerializer
    permission_classes = [HasRole.of(*API_ROLES)]

    def get_queryset(self) -> QuerySet[Entry]:
        return (
            entries_visible_to(_user(self.request))
            .select_related(*ENTRY_RELATED)
            .prefetch_related("rechecks", "evidence")
        )


class EntryTransitionView(APIView):
    """Run one workflow action (submit, approve, return, confirm, publish, request_recheck,
    answer_recheck, confirm_recheck, finalize) on one entry."""

    permission_classes = [HasRole.of(*API_ROLES)]

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: EntryDetailSerializer,
            400: OpenApiResponse(RefusalSerializer, description="Refused (Chinese message)"),
            404: OpenApiResponse(RefusalSerializer, description="Not in the caller's scope"),
            409: OpenApiResponse(RefusalSerializer, description="Changed since read"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        access_entry(user, pk)  # 404 before anything else when out of scope
        form = TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(form.validated_data)
        try:
            with transaction.atomic():
                entry = access_entry(user, pk, for_update=True)
                if entry.version != data["version"]:
                    raise EditConflict(entry)
                actions.perform(
                    user,
                    entry,
                    data["action"],
                    reason=data["reason"],
                    outcome=data["outcome"],
                    raw={k: data.get(k) or "" for k in ("value", "reference", "grade")},
                    new_reason=data["new_reason"],
                )
        except EditConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        except (TransitionRefused, EvidenceRejected) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            return Response(
                {"detail": "；".join(str(m) for m in messages), "messages": messages},
                status=status.HTTP_400_BAD_REQUEST,
            )
        shown = (
            entries_visible_to(user)
            .select_related(*ENTRY_RELATED)
            .prefetch_related("rechecks", "evidence")
            .filter(pk=pk)
            .first()
        )
        if shown is None:  # not expected: every actor still sees the entry it moved
            entry.refresh_from_db()
            shown = entry
        return Response(EntryDetailSerializer(shown, context={"request": request}).data)


VALUE_COLUMNS = ("value", "reference", "grade")
MAX_ROWS = 1000


class ValueRowSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Assessed unit id")
    value = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    grade = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The entry's version as last read; omit (null) for a cell never saved.",
    )


class ValuesSerializer(serializers.Serializer):
    rows = serializers.ListField(child=ValueRowSerializer(), allow_empty=False, max_length=MAX_ROWS)


class ValuesResultSerializer(serializers.Serializer):
    saved = EntrySerializer(many=True)
    unchanged = serializers.IntegerField()


class RowRefusalSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    unit = serializers.IntegerField()
    messages = serializers.ListField(child=serializers.CharField())


class ValuesRefusalSerializer(RefusalSerializer):
    rows = RowRefusalSerializer(many=True, required=False)


class EntryValuesView(APIView):
    """Save draft values of the caller's own indicators in one period (departments)."""

    permission_classes = [HasRole.of(Role.DEPARTMENT)]

    @extend_schema(
        request=ValuesSerializer,
        responses={
            200: ValuesResultSerializer,
            400: OpenApiResponse(ValuesRefusalSerializer, description="Refused; nothing saved"),
            404: OpenApiResponse(RefusalSerializer, description="Not in the caller's scope"),
            409: OpenApiResponse(ValuesRefusalSerializer, description="Changed since read"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        period = access_period(user, pk)
        form = ValuesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        slots = {s.key: s for s in department_slots(period, user.organization)}
        inputs = []
        for row in form.validated_data["rows"]:
            slot = slots.get((row["indicator"], row["unit"]))
            if slot is None:  # another department's indicator, or no such cell: 404
                raise NotFound(_("本单位在该周期没有这项指标和单位的填报任务。"))
            columns = {f.column for f in leaf.input_fields(slot.indicator)}
            inputs.append(
                actions.RowInput(
                    slot=slot,
                    raw={c: row[c] for c in VALUE_COLUMNS if c in columns},
                    reason=row["reason"],
                    expected_version=row["version"],
                )
            )
        try:
            with transaction.atomic():
                result = actions.save_rows(user, period, inputs)
                if result.errors or result.conflicts:
                    transaction.set_rollback(True)
        except TransitionRefused as error:
            return Response(
                {"detail": "；".join(error.messages), "messages": error.messages},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if result.errors or result.conflicts:
            rows: list[dict[str, Any]] = [
                {"indicator": i, "unit": u, "messages": [str(m) for m in ms]}
                for (i, u), ms in result.errors.items()
            ] + [
                {"indicator": i, "unit": u, "messages": [m]}
                for (i, u), m in result.conflicts.items()
            ]
            messages = [m for r in rows for m in r["messages"]]
            return Response(
                {
                    "detail": _("有 %(n)d 行未通过校验，全部未保存：") % {"n": len(rows)}
                    + "；".join(messages),
                    "messages": messages,
                    "rows": rows,
                },
                status=status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_409_CONFLICT,
            )
        saved = (
            Entry.objects.filter(pk__in=[e.pk for e in result.saved])
            .select_related(*ENTRY_RELATED)
            .order_by("indicator__sort_order", "indicator__code", "unit")
        )
        return Response(
            {
                "saved": EntrySerializer(saved, many=True).data,
                "unchanged": result.unchanged,
            }
        )


urlpatterns = [
    path("periods/", PeriodList.as_view(), name="api_period_list"),
    path("periods/<int:pk>/values/", EntryValuesView.as_view(), name="api_entry_values"),
    path("entries/", EntryList.as_view(), name="api_entry_list"),
    path("entries/<int:pk>/", EntryDetail.as_view(), name="api_entry_detail"),
    path(
        "entries/<int:pk>/transition/",
        EntryTransitionView.as_view(),
        name="api_entry_transition",
    ),
]
