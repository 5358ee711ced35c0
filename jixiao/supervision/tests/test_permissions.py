"""The permission matrix of the 督查督办 pages: 督查室 runs everything, the office and
leaders read, a unit sees only the tasks it leads or cooperates on, others nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login, page_text
from jixiao.org.models import Organization
from jixiao.supervision import bulletin, cards
from jixiao.supervision.models import TaskState
from jixiao.supervision.tests.factories import in_state

pytestmark = pytest.mark.django_db
PERSONAS = [
    "office",
    "dept",
    "dept_leader",
    "other_dept",
    "unit",
    "other_unit",
    "reviewer",
    "inspector",
    "supervision",
    "leader",
    "sysadmin",
    "secadmin",
    "auditadmin",
]
READERS = {"office": 200, "leader": 200, "supervision": 200}
ANSWERERS = {"dept": 200, "dept_leader": 200, "other_dept": 200, "unit": 200, "other_unit": 200}


@dataclass
class Objects:
    task: object  # led by 东湖街道 (unit), 2 cards
    draft: object  # not yet handed over
    cooperating: object  # led by 西关街道, 区发展和改革局 cooperates


@pytest.fixture
def objects(
    personas: dict[str, User],
    unit_org: Organization,
    other_unit_org: Organization,
    department_org: Organization,
) -> Objects:
    sup = personas["supervision"]
    task = in_state(TaskState.ACCEPTED, unit_org, sup, deadline=date(2026, 3, 20))
    cards.run(date(2026, 3, 16))
    draft = in_state(TaskState.DRAFT, unit_org, sup)
    coop = in_state(TaskState.IN_PROGRESS, other_unit_org, sup)
    coop.cooperating_units.add(department_org)
    bulletin.publish(sup, 2026, 3)
    return Objects(task, draft, coop)


def _expect(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {p: allowed.get(p, default) for p in PERSONAS}


GET_VIEWS: dict[str, tuple[Callable[[Objects], str], dict[str, int]]] = {
    "list": (lambda o: reverse("supervision:index"), _expect({**READERS, **ANSWERERS})),
    "new": (
        lambda o: reverse("supervision:task_new"),
        _expect({"supervision": 200, "office": 200}),
    ),
    "led task": (
        lambda o: reverse("supervision:task", args=[o.task.pk]),  # type: ignore[attr-defined]
        _expect(
            {
                **READERS,
                "unit": 200,
                "other_unit": 404,
                "dept": 404,
                "dept_leader": 404,
                "other_dept": 404,
            }
        ),
    ),
    "draft": (
        lambda o: reverse("supervision:task", args=[o.draft.pk]),  # type: ignore[attr-defined]
        _expect({**READERS, **{k: 404 for k in ANSWERERS}}),
    ),
    "cooperating": (
        lambda o: reverse("supervision:task", args=[o.cooperating.pk]),  # type: ignore[attr-defined]
        _expect(
            {
                **READERS,
                "dept": 200,
                "dept_leader": 200,
                "other_unit": 200,
                "unit": 404,
                "other_dept": 404,
            }
        ),
    ),
    "cards": (lambda o: reverse("supervision:cards"), _expect({**READERS, **ANSWERERS})),
    "rules": (lambda o: reverse("supervision:rules"), _expect({"supervision": 200})),
    "bulletins": (lambda o: reverse("supervision:bulletins"), _expect({**READERS, **ANSWERERS})),
    "published bulletin": (
        lambda o: reverse("supervision:bulletin", args=[2026, 3]),
        _expect({**READERS, **ANSWERERS}),
    ),
    "unpublished bulletin": (
        lambda o: reverse("supervision:bulletin", args=[2026, 4]),
        _expect({**READERS, **{k: 404 for k in ANSWERERS}}),
    ),
}


@pytest.mark.parametrize("view", list(GET_VIEWS))
def test_every_role_gets_what_it_should_on_each_page(
    view: str, objects: Objects, personas: dict[str, User]
) -> None:
    url_of, expected = GET_VIEWS[view]
    url = url_of(objects)
    got = {who: login(Client(), personas[who]).get(url).status_code for who in PERSONAS}
    assert got == expected


def test_a_unit_sees_only_its_tasks_and_cards_in_the_list(
    objects: Objects, personas: dict[str, User]
) -> None:
    client = login(Client(), personas["unit"])
    text = page_text(client.get(reverse("supervision:index")))
    assert objects.task.title in text  # type: ignore[attr-defined]
    assert objects.cooperating.title not in text  # type: ignore[attr-defined]
    assert objects.draft.title not in text  # type: ignore[attr-defined]
    home = page_text(client.get(reverse("core:home")))
    assert "督查督办" in home
    assert "推进情况逾期未报送" in home


def test_only_the_lead_unit_answers_and_a_refusal_changes_nothing(
    objects: Objects, personas: dict[str, User]
) -> None:
    url = reverse("supervision:task_act", args=[objects.task.pk])  # type: ignore[attr-defined]
    data = {"action": "report", "reason": "已整改"}
    assert login(Client(), personas["other_unit"]).post(url, data).status_code == 404
    assert login(Client(), personas["reviewer"]).post(url, data).status_code == 403
    response = login(Client(), personas["office"]).post(url, data, follow=True)
    assert "只有牵头单位可以执行“报送推进情况”" in page_text(response)
    objects.task.refresh_from_db()  # type: ignore[attr-defined]
    assert objects.task.state == TaskState.ACCEPTED  # type: ignore[attr-defined]
    response = login(Client(), personas["unit"]).post(url, data, follow=True)
    assert "已办理：报送推进情况" in page_text(response)
    objects.task.refresh_from_db()  # type: ignore[attr-defined]
    assert objects.task.state == TaskState.IN_PROGRESS  # type: ignore[attr-defined]


def test_the_supervision_home_shows_its_work(objects: Objects, personas: dict[str, User]) -> None:
    text = page_text(login(Client(), personas["supervision"]).get(reverse("core:home")))
    assert "立项待交办" in text
    assert "申请销号待核验" in text


def test_pages_show_words_not_ids(objects: Objects, personas: dict[str, User]) -> None:
    client = login(Client(), personas["supervision"])
    for url in (
        reverse("supervision:task", args=[objects.task.pk]),  # type: ignore[attr-defined]
        reverse("supervision:cards"),
        reverse("supervision:bulletin", args=[2026, 3]),
    ):
        text = page_text(client.get(url))
        assert "None" not in text
        assert "_id" not in text
