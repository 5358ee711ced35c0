"""The permission matrix of the registry's pages — and a refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.inspections.models import Inspection, InspectionStatus
from jixiao.inspections.tests.conftest import Registry, plan, register

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


def _expect(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {p: allowed.get(p, default) for p in PERSONAS}


READERS = {
    p: 200
    for p in ["office", "supervision", "dept", "dept_leader", "other_dept", "unit", "other_unit"]
}
DEPTS = {"dept": 200, "dept_leader": 200, "other_dept": 200}
GET_VIEWS: dict[str, tuple[Callable[[Inspection], str], dict[str, int]]] = {
    "index": (lambda i: reverse("inspections:index"), _expect(READERS)),
    "detail": (
        lambda i: reverse("inspections:detail", args=[i.pk]),
        _expect({**READERS, "other_dept": 404, "other_unit": 404}),
    ),
    "new": (lambda i: reverse("inspections:new"), _expect(DEPTS)),
    "edit": (
        lambda i: reverse("inspections:edit", args=[i.pk]),
        _expect({"dept": 200, "dept_leader": 200, "other_dept": 404}),
    ),
    "import": (lambda i: reverse("inspections:import"), _expect(DEPTS)),
    "violations": (
        lambda i: reverse("inspections:violations"),
        _expect({"office": 200, "supervision": 200}),
    ),
    "violations.xlsx": (
        lambda i: reverse("inspections:violations") + "?format=xlsx",
        _expect({"office": 200, "supervision": 200}),
    ),
    "calendar": (
        lambda i: reverse("inspections:calendar"),
        _expect({"office": 200, "supervision": 200}),
    ),
    "calendar import": (lambda i: reverse("inspections:calendar_import"), _expect({"office": 200})),
    "settings": (lambda i: reverse("inspections:settings"), _expect({"office": 200})),
}


@pytest.fixture
def inspection(personas: dict[str, User], registry: Registry) -> Inspection:
    return register(personas["dept"], registry, plan(units=(registry.unit,)))


@pytest.mark.parametrize("view", GET_VIEWS)
def test_each_role_gets_what_the_matrix_says(
    view: str, personas: dict[str, User], inspection: Inspection
) -> None:
    url_of, expected = GET_VIEWS[view]
    url = url_of(inspection)
    got = {name: login(Client(), personas[name]).get(url).status_code for name in PERSONAS}
    assert got == expected


def test_anonymous_visitors_are_sent_to_the_login_page(inspection: Inspection) -> None:
    response = Client().get(reverse("inspections:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("dept", 302), ("other_dept", 404), ("unit", 403), ("supervision", 403), ("leader", 403)],
)
def test_only_the_office_approves_and_a_refused_approval_changes_nothing(
    who: str, status: int, personas: dict[str, User], inspection: Inspection
) -> None:
    url = reverse("inspections:act", args=[inspection.pk])
    response = login(Client(), personas[who]).post(url, {"action": "approve"})
    assert response.status_code == status
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED
    login(Client(), personas["office"]).post(url, {"action": "approve"})
    assert Inspection.objects.get().status == InspectionStatus.APPROVED


@pytest.mark.parametrize("who", ["supervision", "dept", "unit"])
def test_only_the_office_edits_the_calendar_and_the_settings(
    who: str, personas: dict[str, User], inspection: Inspection
) -> None:
    client = login(Client(), personas[who])
    client.post(reverse("inspections:calendar"), {"day": "2026-10-09", "is_workday": "0"})
    client.post(
        reverse("inspections:settings"),
        {"lead_working_days": "1", "late_policy": "record", "version": "1"},
    )
    from jixiao.inspections.models import CalendarDay, RegistrySettings

    assert not CalendarDay.objects.exists()
    assert not RegistrySettings.objects.exists()


def test_without_any_assessment_year_the_pages_say_so_instead_of_failing(
    office: User, supervision: User
) -> None:
    for user, name in ((office, "inspections:index"), (supervision, "inspections:violations")):
        response = login(Client(), user).get(reverse(name))
        assert response.status_code == 200
        assert "还没有考核年度" in response.content.decode()
