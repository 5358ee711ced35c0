from __future__ import annotations

from dataclasses import dataclass

import pytest

from jixiao.accounts.models import User
from jixiao.observers.models import Observation, ObservationPoint
from jixiao.observers.tests.factories import a_note, a_point_at, observing


@dataclass
class Field:
    point: ObservationPoint  # at the unit persona's street
    other_point: ObservationPoint  # at the other unit's street
    submitted: Observation  # about the unit, submitted
    draft: Observation  # about the unit, a draft
    elsewhere: Observation  # about the other unit, submitted


@pytest.fixture
def field(observer: User, unit: User, other_unit: User) -> Field:
    point = a_point_at(unit.organization)
    other_point = a_point_at(other_unit.organization, "综治中心")
    observing(observer, unit.organization)
    observing(observer, other_unit.organization, other_point)
    return Field(
        point,
        other_point,
        a_note(observer, unit.organization, point, text="窗口八分钟办结，导办主动。"),
        a_note(observer, unit.organization, point, submitted=False, text="草稿：待补充照片"),
        a_note(
            observer,
            other_unit.organization,
            other_point,
            rating=2,
            text="调解室无人值守，回访记录缺失。",
        ),
    )
