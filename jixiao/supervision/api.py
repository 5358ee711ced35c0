"""API of supervision tasks (/api/v1/supervision/), scoped exactly like the pages
(`supervision.access`): list with the page's filters, one task with the caller's
possible actions, and one transition of the table (the same action as the page)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import User
from jixiao.collection.api import RefusalSerializer
from jixiao.core.api import HasRole
from jixiao.core.concurrency import EditConflict
from jixiao.core.values import REASON_MAX_LENGTH, strict_int
from jixiao.core.workflow import TransitionRefused
from jixiao.supervision import actions
from jixiao.supervision.access import ROLES, access_task, tasks_visible_to
from jixiao.supervision.models import SourceKind, SupervisionTask, TaskResult, TaskState
from jixiao.supervision.workflow import Act, available_actions


class TaskSerializer(serializers.ModelSerializer):
    lead_unit = serializers.CharField(source="lead_unit.code")
    lead_unit_name = serializers.CharField(source="lead_unit.name")
    state_label = serializers.CharField(source="get_state_display")
    source_kind_label = serializers.CharField(source="get_source_kind_display")

    class Meta:
        model = SupervisionTask
        fields = [
            "id",
            "year",
            "title",
            "source_kind",
            "source_kind_label",
            "source_type",
            "source_id",
            "source_text",
            "lead_unit",
            "lead_unit_name",
            "deadline",
            "level",
            "state",
            "state_label",
            "result",
            "version",
        ]


class TaskDetailSerializer(TaskSerializer):
    problem = serializers.CharField()
    measures = serializers.CharField()
    actions = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "problem", "measures", "actions"]

    def get_actions(self, task: SupervisionTask) -> list[str]:
        return available_actions(self.context["request"].user, task)


class TaskTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Act.choices)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )
    result = serializers.ChoiceField(
        choices=TaskResult.choices, required=False, allow_blank=True, default=""
    )


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Year"),
    OpenApiParameter("state", OpenApiTypes.STR, enum=TaskState.values),
    OpenApiParameter("source_kind", OpenApiTypes.STR, enum=SourceKind.values),
    OpenApiParameter("unit", OpenApiTypes.INT, description="Lead unit (organization) id"),
]


@extend_schema(parameters=FILTERS)
class TaskList(generics.ListAPIView):
    """Tasks the caller may see, by deadline."""

    serializer_class = TaskSerializer
    permission_classes = [HasRole.of(*ROLES)]

    def get_queryset(self) -> QuerySet[SupervisionTask]:
        params = self.request.query_params
        qs = tasks_visible_to(_user(self.request)).select_related("lead_unit")
        for name, field in (("year", "year"), ("unit", "lead_unit_id")):
            raw = params.get(name)
            if raw:
                number = strict_int(raw)
                if number is None:
                    raise ValidationError({name: _("请填写整数编号。")})
                qs = qs.filter(**{field: number})
        for name, choices in (("state", TaskState.values), ("source_kind", SourceKind.values)):
            raw = params.get(name)
            if raw:
                if raw not in choices:
                    raise ValidationError({name: _("取值不正确。")})
                qs = qs.filter(**{name: raw})
        return qs.order_by("deadline", "pk")


class TaskDetail(generics.RetrieveAPIView):
    """One task with the actions the caller may try on it."""

    serializer_class = TaskDetailSerializer
    permission_classes = [HasRole.of(*ROLES)]

    def get_queryset(self) -> QuerySet[SupervisionTask]:
        return tasks_visible_to(_user(self.request)).select_related("lead_unit")


class TaskTransition(APIView):
    """Run one step of the task table (assign, accept, report, request_close, verify,
    close, return, suspend, escalate, reopen); `version` is the task's as read."""

    permission_classes = [HasRole.of(*ROLES)]

    @extend_schema(
        request=TaskTransitionSerializer,
        responses={
            200: TaskDetailSerializer,
            400: OpenApiResponse(RefusalSerializer, description="Refused (Chinese message)"),
            404: OpenApiResponse(RefusalSerializer, description="Not in the caller's scope"),
            409: OpenApiResponse(RefusalSerializer, description="Changed since read"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        access_task(user, pk)
        form = TaskTransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(form.validated_data)
        try:
            with transaction.atomic():
                task = access_task(user, pk)
                if task.version != data["version"]:
                    raise EditConflict(task)
                task = actions.transition(
                    user, task, data["action"], reason=data["reason"], result=data["result"]
                )
        except EditConflict as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        except TransitionRefused as error:
            return Response(
                {"detail": "；".join(error.messages), "messages": error.messages},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(TaskDetailSerializer(task, context={"request": request}).data)


urlpatterns = [
    path("tasks/", TaskList.as_view(), name="api_task_list"),
    path("tasks/<int:pk>/", TaskDetail.as_view(), name="api_task_detail"),
    path("tasks/<int:pk>/transition/", TaskTransition.as_view(), name="api_task_transition"),
]
