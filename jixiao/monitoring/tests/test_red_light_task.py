"""A red light becomes supervision work in one click: the unit's lights page offers
转督查督办 to the performance office (never to the unit), and the form arrives prefilled
with what the light says, linked back to the light."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login, page_text
from jixiao.monitoring import actions
from jixiao.monitoring.tests.conftest import Monitored

pytestmark = pytest.mark.django_db


def test_a_red_light_opens_a_prefilled_supervision_task(
    monitored: Monitored, unit: User, office: User
) -> None:
    actions.enter_progress(unit, monitored.target, 1, D(1))  # far behind: red
    page_url = reverse("monitoring:unit_lights", args=[2026]) + f"?unit={monitored.world.unit.pk}"
    form_url = (
        reverse("supervision:task_new")
        + f"?source_type=target_light&source_id={monitored.target.pk}"
    )
    seen_by_office = login(Client(), office).get(page_url).content.decode()
    assert form_url.replace("&", "&amp;") in seen_by_office
    assert (
        form_url.replace("&", "&amp;") not in login(Client(), unit).get(page_url).content.decode()
    )
    form = login(Client(), office).get(form_url)
    initial = form.context["form"].initial
    assert initial["lead_unit"] == monitored.world.unit.pk
    assert "亮红灯" in initial["title"]
    assert "落后" in initial["problem"]
    assert "转督查督办" in page_text(login(Client(), office).get(page_url))
