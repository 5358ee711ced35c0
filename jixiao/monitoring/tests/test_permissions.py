"""The permission matrix of the monitoring pages — and a refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import PERSONA_USERNAMES, login, page_text
from jixiao.monitoring import actions
from jixiao.monitoring.models import LightRule, MonthlyReport, PlanStatus, Progress
from jixiao.monitoring.tests.conftest import Monitored

pytestmark = pytest.mark.django_db
Y = 2026


def _expect(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {p: allowed.get(p, default) for p in PERSONA_USERNAMES}


READERS = {"office": 200, "leader": 200}
DEPTS = {"dept": 200, "dept_leader": 200, "other_dept": 200}
UNITS = {"unit": 200, "other_unit": 200}
GET_VIEWS: dict[str, tuple[Callable[[Monitored], str], dict[str, int]]] = {
    "index": (
        lambda m: reverse("monitoring:index"),
        _expect(
            {
                "office": 302,
                "leader": 302,
                "unit": 302,
                "other_unit": 302,
                "dept": 302,
                "dept_leader": 302,
                "other_dept": 302,
            }
        ),
    ),
    "targets": (lambda m: reverse("monitoring:targets"), _expect({**READERS, **DEPTS})),
    "targets.xlsx": (lambda m: reverse("monitoring:targets_export"), _expect({**READERS, **DEPTS})),
    "matrix": (lambda m: reverse("monitoring:matrix", args=[Y]), _expect(READERS)),
    "own lights": (
        lambda m: reverse("monitoring:unit_lights", args=[Y]),
        _expect({**UNITS, **{k: 302 for k in READERS}}),
    ),
    "a unit's lights": (
        lambda m: reverse("monitoring:unit_lights", args=[Y]) + f"?unit={m.world.unit.pk}",
        _expect({**READERS, **UNITS}),
    ),
    "progress grid": (
        lambda m: reverse("monitoring:progress", args=[Y, 10]),
        _expect({**UNITS, **DEPTS}),
    ),
    "rules": (lambda m: reverse("monitoring:rules", args=[Y]), _expect({"office": 200})),
    "unpublished report": (
        lambda m: reverse("monitoring:report", args=[Y, 10]),
        _expect({**READERS, "unit": 404, "other_unit": 404}),
    ),
    "board": (
        lambda m: reverse("monitoring:board", args=[Y]),
        _expect({}, default=200) | {"sysadmin": 403, "secadmin": 403, "auditadmin": 403},
    ),
    "no such year": (
        lambda m: reverse("monitoring:matrix", args=["99999999999999999999"]),
        _expect({"office": 404, "leader": 404}),
    ),
}


@pytest.mark.parametrize("view", list(GET_VIEWS))
def test_every_role_gets_what_it_should_on_each_page(
    view: str, monitored: Monitored, personas: dict[str, User]
) -> None:
    url_of, expected = GET_VIEWS[view]
    url = url_of(monitored)
    got = {who: login(Client(), personas[who]).get(url).status_code for who in PERSONA_USERNAMES}
    assert got == expected


def test_the_board_needs_a_login_unless_the_setting_opens_it(
    monitored: Monitored, settings: object
) -> None:
    url = reverse("monitoring:board", args=[Y])
    assert Client().get(url).status_code == 302
    settings.MONITORING_BOARD_PUBLIC = True  # type: ignore[attr-defined]
    response = Client().get(url)
    assert response.status_code == 200
    assert "绩效比拼" in page_text(response)


def test_a_unit_sees_the_published_ranking_and_its_own_row(
    monitored: Monitored, office: User, unit: User
) -> None:
    actions.enter_progress(unit, monitored.target, 10, D(900))
    actions.publish_report(office, monitored.world.scheme, 10)
    text = page_text(login(Client(), unit).get(reverse("monitoring:report", args=[Y, 10])))
    assert monitored.world.unit.name in text
    assert monitored.world.other_unit.name in text
    assert "已于" in text


def test_only_the_office_publishes_and_a_refused_publish_writes_nothing(
    monitored: Monitored, personas: dict[str, User]
) -> None:
    url = reverse("monitoring:publish", args=[Y, 10])
    for who in ("leader", "dept", "unit", "supervision"):
        assert login(Client(), personas[who]).post(url).status_code == 403
    assert not MonthlyReport.objects.exists()
    login(Client(), personas["office"]).post(url)
    assert MonthlyReport.objects.filter(month=10).exists()


def test_another_unit_cannot_post_progress_for_this_unit(
    monitored: Monitored, personas: dict[str, User]
) -> None:
    url = reverse("monitoring:progress", args=[Y, 10])
    login(Client(), personas["other_unit"]).post(url, {f"value-{monitored.target.pk}": "999"})
    assert not Progress.objects.filter(target=monitored.target).exists()
    login(Client(), personas["unit"]).post(url, {f"value-{monitored.target.pk}": "999"})
    assert Progress.objects.get(target=monitored.target).value == D(999)


def test_only_the_office_sets_light_rules(monitored: Monitored, personas: dict[str, User]) -> None:
    url = reverse("monitoring:rules", args=[Y])
    data = {"scope": "target", "color": ["red", "yellow"], "threshold": ["30", "10"]}
    assert login(Client(), personas["dept"]).post(url, data).status_code == 403
    assert not LightRule.objects.exists()
    login(Client(), personas["office"]).post(url, data)
    assert list(LightRule.objects.values_list("color", "threshold")) == [
        ("red", D(30)),
        ("yellow", D(10)),
    ]


def test_another_department_cannot_submit_or_approve_this_departments_targets(
    world: World, personas: dict[str, User]
) -> None:
    target = actions.set_target(personas["dept"], world.completion, world.unit, D(100))
    url = reverse("monitoring:targets_act")
    for who, action in (("other_dept", "submit"), ("unit", "submit"), ("leader", "approve")):
        login(Client(), personas[who]).post(url, {"target": [target.pk], "action": action})
    target.refresh_from_db()
    assert target.status == PlanStatus.DRAFT
    login(Client(), personas["dept"]).post(url, {"target": [target.pk], "action": "submit"})
    target.refresh_from_db()
    assert target.status == PlanStatus.SUBMITTED
