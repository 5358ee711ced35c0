"""Progress is saved as a draft first, as in collection's grid: a draft counts nowhere (no
light, no report, no notice, not in the office's API) until the unit submits the month."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Notification
from jixiao.core.testing import login, page_text
from jixiao.monitoring import actions, status
from jixiao.monitoring.models import Progress
from jixiao.monitoring.tests.conftest import Monitored

pytestmark = pytest.mark.django_db


def _grid(client: Client, monitored: Monitored, value: str, intent: str = "") -> str:
    pk = monitored.target.pk
    data = {f"value-{pk}": value, f"narrative-{pk}": "项目开工"}
    row = Progress.objects.filter(target=monitored.target, month=10).first()
    if row is not None:
        data[f"version-{pk}"] = str(row.version)
    if intent:
        data["intent"] = intent
    url = reverse("monitoring:progress", args=[2026, 10])
    return page_text(client.post(url, data, follow=True))


def _light(monitored: Monitored) -> tuple[str, D | None]:
    found = {x.pk: x for x in status.year_lights(monitored.world.scheme, 10)}
    light = found[monitored.target.pk]
    return light.color, light.value


def test_a_draft_counts_nowhere_until_the_month_is_submitted(
    monitored: Monitored, unit: User, office: User
) -> None:
    client = login(Client(), unit)
    # Ctrl+S posts without a button: a draft.
    assert "已保存 1 项进度草稿" in _grid(client, monitored, "1000")
    assert Progress.objects.get().is_draft
    assert _light(monitored) == ("red", None)  # nothing reported yet
    office_api = login(Client(), office).get("/api/v1/monitoring/progress/").json()
    assert office_api["results"] == []
    own_api = client.get("/api/v1/monitoring/progress/").json()
    assert [r["submitted_at"] for r in own_api["results"]] == [None]

    assert "已提交 1 项进度" in _grid(client, monitored, "1000", "submit")
    assert not Progress.objects.get().is_draft
    assert _light(monitored) == ("green", D(1000))


def test_a_red_draft_notifies_nobody_and_submitting_it_does(
    monitored: Monitored, unit: User
) -> None:
    actions.enter_progress(unit, monitored.target, 10, D(100), submit=False)
    assert not Notification.objects.filter(recipient=unit).exists()
    actions.enter_progress(unit, monitored.target, 10, D(100), submit=True)
    assert Notification.objects.filter(recipient=unit).count() == 1


def test_saving_the_grid_again_unchanged_records_nothing(monitored: Monitored, unit: User) -> None:
    client = login(Client(), unit)
    _grid(client, monitored, "1000", "submit")
    events = AuditEvent.objects.count()
    version = Progress.objects.get().version
    assert "已提交" not in _grid(client, monitored, "1000", "submit")  # nothing changed
    assert AuditEvent.objects.count() == events
    assert Progress.objects.get().version == version
