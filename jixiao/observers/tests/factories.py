"""Test data of the observers app: factories, and builders that read as sentences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from jixiao.accounts.models import User
from jixiao.observers import actions
from jixiao.observers.models import Assignment, Observation, ObservationPoint, Rating
from jixiao.org.models import Organization


class ObservationPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObservationPoint

    name = factory.Sequence(lambda n: f"观测点{n}")
    address = "人民路 1 号"
    focus = "窗口服务"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    observed_on = dt.date(2026, 10, 10)
    rating = Rating.SATISFIED
    text = "窗口服务规范，等候时间短。"


def a_point_at(unit: Organization, name: str = "便民服务中心") -> ObservationPoint:
    return ObservationPointFactory.create(unit=unit, name=name)


def observing(observer: User, unit: Organization, point: ObservationPoint | None = None) -> None:
    """The observer is assigned to the unit (all its points) or to one point."""
    AssignmentFactory.create(observer=observer, unit=unit, point=point)


def a_note(
    observer: User,
    unit: Organization,
    point: ObservationPoint | None = None,
    *,
    submitted: bool = True,
    **kwargs: Any,
) -> Observation:
    """A note filed through the actions (the observer must be assigned)."""
    values: dict[str, Any] = {
        "observed_on": dt.date(2026, 10, 10),
        "rating": Rating.SATISFIED,
        "text": "窗口服务规范，等候时间短。",
    }
    values.update(kwargs)
    note = actions.save_observation(observer, None, unit=unit, point=point, **values)
    if submitted:
        actions.submit_observation(observer, note, note.version)
    return note
