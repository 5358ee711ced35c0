"""The board's 观察员意见 column shows what observers submitted, never drafts, never who."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import page_text
from jixiao.monitoring.tests.conftest import Monitored
from jixiao.observers.tests.factories import a_note, a_point_at, observing

pytestmark = pytest.mark.django_db


def test_the_board_shows_submitted_observer_opinions_without_the_observers_name(
    monitored: Monitored, observer: User, office_client: Client
) -> None:
    unit = monitored.world.unit
    point = a_point_at(unit, "便民服务中心")
    observing(observer, unit)
    a_note(observer, unit, point, text="窗口八分钟办结，导办主动。")
    a_note(observer, unit, point, text="草稿：尚未核实。", submitted=False)
    board = page_text(office_client.get(reverse("monitoring:board", args=[2026]) + "?month=10"))
    assert "窗口八分钟办结，导办主动。" in board
    assert "便民服务中心" in board
    assert "草稿：尚未核实。" not in board
    assert observer.get_full_name() not in board
