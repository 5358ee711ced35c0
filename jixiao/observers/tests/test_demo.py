"""The demo observers are made through the actions, as their pages would."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts import demo as accounts_demo
from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.core.testing import login, page_text
from jixiao.observers import demo
from jixiao.observers.models import Observation, ObservationStatus
from jixiao.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_two_observers_leave_notes_and_rebuilding_adds_nothing() -> None:
    org_demo.build()
    accounts_demo.build()
    demo.build_demo(None)
    statuses = list(Observation.objects.values_list("status", flat=True))
    assert len(statuses) == len(demo.NOTES)
    assert statuses.count(ObservationStatus.DRAFT) == 1
    assert statuses.count(ObservationStatus.RETURNED) == 1
    assert set(Observation.objects.values_list("observer__username", flat=True)) == {
        "observer",
        "observer2",
    }
    assert AuditEvent.objects.filter(object_type="observers.observation").count() >= len(demo.NOTES)
    demo.build_demo(None)
    assert Observation.objects.count() == len(demo.NOTES)
    donghu = page_text(
        login(Client(), User.objects.get(username="donghu")).get(reverse("observers:index"))
    )
    assert "午间不打烊" in donghu
    assert "夜间施工噪声" not in donghu  # returned: not the unit's to read
