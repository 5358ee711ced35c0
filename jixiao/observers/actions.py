"""Every write of the observers app: one transaction each, audit rows inside it.

Office: register a point, switch it off or on, assign and unassign observers. Observer:
save a draft (text through `clean_text`, photos through collection's evidence door),
submit it (locked from then on). Office: return a submitted one with a reason; the
observer edits it again and resubmits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record, record_create, record_update, snapshot
from jixiao.collection.evidence import EvidenceRejected, store_upload
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import save_versioned
from jixiao.core.values import clean_text
from jixiao.observers.models import (
    Assignment,
    Observation,
    ObservationPhoto,
    ObservationPoint,
    ObservationStatus,
    Rating,
)
from jixiao.org.models import Organization

POINT_FIELDS = ["name", "address", "focus", "is_active"]
OBSERVATION_FIELDS = ["unit_id", "point_id", "observed_on", "rating", "text"]
# The most photos one observation keeps (a site visit, not an archive).
MAX_PHOTOS = 9


def _text(value: Any, what: str, *, required: bool = True, max_length: int = 2000) -> str:
    try:
        text = clean_text(value, max_length=max_length)
    except ValueError as error:
        raise TransitionRefused(f"{what}：{error}") from error
    if required and not text:
        raise TransitionRefused(_("请填写%(what)s。") % {"what": what})
    return text


def _office_only(user: User) -> None:
    if user.role != Role.OFFICE:
        raise TransitionRefused(_("只有绩效办可以管理观测点和观察员。"))


# -- points and assignments (the office) ----------------------------------------------


def register_point(
    user: User, unit: Organization, *, name: str, address: str = "", focus: str = ""
) -> ObservationPoint:
    _office_only(user)
    if not unit.is_assessed_unit:
        raise TransitionRefused(_("观测点只能登记在被考核单位下。"))
    name = _text(name, _("观测点名称"), max_length=100)
    with transaction.atomic():
        if ObservationPoint.objects.filter(unit=unit, name=name).exists():
            raise TransitionRefused(_("这个单位已经有同名的观测点，请换一个名称。"))
        point = ObservationPoint.objects.create(
            unit=unit,
            name=name,
            address=_text(address, _("地址"), required=False, max_length=200),
            focus=_text(focus, _("观察内容"), required=False),
        )
        record_create(point)
    return point


def set_point_active(user: User, point: ObservationPoint, active: bool) -> ObservationPoint:
    _office_only(user)
    with transaction.atomic():
        before = snapshot(point, ["is_active"])
        point.is_active = active
        point.save(update_fields=["is_active"])
        record_update(point, before)
    return point


def assign_observer(
    user: User, observer: User, unit: Organization, point: ObservationPoint | None = None
) -> Assignment:
    _office_only(user)
    if observer.role != Role.OBSERVER or not observer.is_active:
        raise TransitionRefused(_("只能分配给在用的观察员账号。"))
    if not unit.is_assessed_unit:
        raise TransitionRefused(_("观察员只能分配到被考核单位。"))
    if point is not None and point.unit_id != unit.pk:
        raise TransitionRefused(_("观测点不属于这个单位。"))
    with transaction.atomic():
        if Assignment.objects.filter(observer=observer, unit=unit, point=point).exists():
            raise TransitionRefused(_("这位观察员已经有这项观察任务，不必重复分配。"))
        assignment = Assignment.objects.create(observer=observer, unit=unit, point=point)
        record(
            AuditAction.PERMISSION_CHANGE,
            assignment,
            after={
                "observer_name": observer.display_name,
                "unit_name": unit.name,
                "point_name": point.name if point else "",
            },
        )
    return assignment


def unassign_observer(user: User, assignment: Assignment) -> None:
    _office_only(user)
    with transaction.atomic():
        record(
            AuditAction.DELETE,
            assignment,
            before={
                "observer_name": assignment.observer.display_name,
                "unit_name": assignment.unit.name,
                "point_name": assignment.point.name if assignment.point else "",
            },
        )
        assignment.delete()


# -- observations (the observer) ------------------------------------------------------


def _check_assigned(user: User, unit: Organization, point: ObservationPoint | None) -> None:
    if user.role != Role.OBSERVER:
        raise TransitionRefused(_("只有观察员可以填写观察记录。"))
    mine = Assignment.objects.filter(observer=user, unit=unit)
    if point is not None:
        if point.unit_id != unit.pk:
            raise TransitionRefused(_("观测点不属于这个单位。"))
        if not point.is_active:
            raise TransitionRefused(_("这个观测点已停用。"))
        allowed = mine.filter(point=None).exists() or mine.filter(point=point).exists()
    else:
        allowed = mine.exists()
    if not allowed:
        raise TransitionRefused(_("您没有这个单位或观测点的观察任务。"))


def save_observation(
    user: User,
    observation: Observation | None,
    *,
    unit: Organization,
    point: ObservationPoint | None,
    observed_on: dt.date,
    rating: int,
    text: str,
    version: int | None = None,
    files: Sequence[Any] = (),
) -> Observation:
    """Create a draft, or change one (a draft or a returned one) the observer owns."""
    _check_assigned(user, unit, point)
    if rating not in Rating.values:
        raise TransitionRefused(_("请选择评价（满意、较满意、基本满意、不太满意、不满意）。"))
    if observed_on > timezone.localdate():
        raise TransitionRefused(_("观察日期不能晚于今天。"))
    text = _text(text, _("观察意见"))
    with transaction.atomic():
        if observation is None:
            observation = Observation.objects.create(
                observer=user,
                unit=unit,
                point=point,
                observed_on=observed_on,
                rating=rating,
                text=text,
            )
            record_create(observation)
        else:
            if observation.observer_id != user.pk:
                raise TransitionRefused(_("只能修改自己的观察记录。"))
            if not observation.is_editable:
                raise TransitionRefused(_("观察记录已提交，不能再修改。"))
            before = snapshot(observation, OBSERVATION_FIELDS)
            observation.unit, observation.point = unit, point
            observation.observed_on, observation.rating, observation.text = (
                observed_on,
                rating,
                text,
            )
            save_versioned(
                observation,
                observation.version if version is None else version,
                ["unit", "point", "observed_on", "rating", "text"],
            )
            record_update(observation, before)
        if observation.photos.count() + len(files) > MAX_PHOTOS:
            raise TransitionRefused(_("每条观察记录最多 %(n)d 张照片或材料。") % {"n": MAX_PHOTOS})
        try:
            for upload in files:
                _attach_photo(upload, user, observation)
        except EvidenceRejected as error:
            raise TransitionRefused(str(error)) from error
    return observation


def _attach_photo(upload: Any, user: User, observation: Observation) -> ObservationPhoto:
    """Through collection's evidence door: checked by content, written on commit, and
    the row removed again if the file cannot be written."""
    return store_upload(
        upload, user, ObservationPhoto, owner=str(observation), observation=observation
    )


def remove_photo(user: User, photo: ObservationPhoto) -> None:
    observation = photo.observation
    if observation.observer_id != user.pk or not observation.is_editable:
        raise TransitionRefused(_("只能在草稿中删除自己的照片。"))
    with transaction.atomic():
        record(AuditAction.DELETE, photo, before={"name": photo.original_name})
        photo.delete()


def submit_observation(user: User, observation: Observation, version: int) -> Observation:
    if observation.observer_id != user.pk:
        raise TransitionRefused(_("只能提交自己的观察记录。"))
    if not observation.is_editable:
        raise TransitionRefused(_("观察记录已提交。"))
    with transaction.atomic():
        before = snapshot(observation, ["status"])
        observation.status = ObservationStatus.SUBMITTED
        observation.submitted_at = timezone.now()
        save_versioned(observation, version, ["status", "submitted_at"])
        record(AuditAction.TRANSITION, observation, before=before, after={"status": "submitted"})
    return observation


def return_observation(user: User, observation: Observation, reason: str) -> Observation:
    _office_only(user)
    reason = _text(reason, _("退回理由"))
    if observation.status != ObservationStatus.SUBMITTED:
        raise TransitionRefused(_("只有已提交的观察记录可以退回。"))
    with transaction.atomic():
        observation.status = ObservationStatus.RETURNED
        observation.returned_reason, observation.returned_by = reason, user
        observation.returned_at = timezone.now()
        save_versioned(
            observation,
            observation.version,
            ["status", "returned_reason", "returned_by", "returned_at"],
        )
        record(
            AuditAction.TRANSITION,
            observation,
            before={"status": "submitted"},
            after={"status": "returned"},
            reason=reason,
        )
    return observation
