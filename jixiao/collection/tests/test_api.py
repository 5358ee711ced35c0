"""The collection API: scoped like the pages, every role × endpoint, and workflow actions
that go through the same table, audit and notifications (409 on a stale version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import Entry, EntryStatus, Notification, PeriodStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import Act
from jixiao.core.testing import login

S = EntryStatus
API_PERSONAS = {"office", "dept", "dept_leader", "other_dept", "unit", "other_unit"}
OTHER_ROLES = {
    "reviewer",
    "inspector",
    "supervision",
    "leader",
    "sysadmin",
    "secadmin",
    "auditadmin",
}


@dataclass
class Entries:
    world: World
    draft: Entry  # FGJ's, the unit's, not published
    published: Entry  # FGJ's, the unit's
    other_unit: Entry  # FGJ's, the other unit's, published
    foreign: Entry  # JYJ's, the unit's, published

    def by_name(self) -> dict[str, Entry]:
        return {
            "draft": self.draft,
            "published": self.published,
            "other_unit": self.other_unit,
            "foreign": self.foreign,
        }


# Who sees which entry (the pages' rules): the office everything, a department (and its
# leader) its own indicators' entries, a unit its own entries once published.
VISIBLE = {
    "office": {"draft", "published", "other_unit", "foreign"},
    "dept": {"draft", "published", "other_unit"},
    "dept_leader": {"draft", "published", "other_unit"},
    "other_dept": {"foreign"},
    "unit": {"published", "foreign"},
    "other_unit": {"other_unit"},
}


@pytest.fixture
def entries(world: World) -> Entries:
    return Entries(
        world=world,
        draft=f.make_entry(world.period, world.direct, world.unit, reason="按台账核定"),
        published=f.make_entry(
            world.period, world.deduction, world.unit, status=S.PUBLISHED, value="1", score="8"
        ),
        other_unit=f.make_entry(world.period, world.direct, world.other_unit, status=S.PUBLISHED),
        foreign=f.make_entry(world.period, world.other, world.unit, status=S.PUBLISHED),
    )


def _client(user: User) -> Client:
    return login(Client(), user)


def _state(entry: Entry) -> tuple[str, int, Any]:
    entry.refresh_from_db()
    return (entry.status, entry.version, entry.score)


ALL_PERSONAS = sorted(API_PERSONAS | OTHER_ROLES)


# -- reads ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_periods_are_listed_to_the_collection_roles_only(
    entries: Entries, personas: dict[str, User], persona: str
) -> None:
    f.make_period(entries.world.scheme, "2026-Q2", status=PeriodStatus.DRAFT)
    response = _client(personas[persona]).get(reverse("api_period_list"))
    if persona not in API_PERSONAS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    codes = {p["code"] for p in response.json()["results"]}
    # Unopened periods are the office's business only.
    assert codes == ({"2026-Q1", "2026-Q2"} if persona == "office" else {"2026-Q1"})


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_entries_are_listed_exactly_as_the_pages_scope_them(
    entries: Entries, personas: dict[str, User], persona: str
) -> None:
    response = _client(personas[persona]).get(reverse("api_entry_list"))
    if persona not in API_PERSONAS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {entries.by_name()[name].pk for name in VISIBLE[persona]}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("name", ["draft", "published", "other_unit", "foreign"])
def test_an_entry_outside_the_callers_scope_is_not_found(
    entries: Entries, personas: dict[str, User], persona: str, name: str
) -> None:
    entry = entries.by_name()[name]
    response = _client(personas[persona]).get(reverse("api_entry_detail", args=[entry.pk]))
    if persona not in API_PERSONAS:
        assert response.status_code == 403
    elif name in VISIBLE[persona]:
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["version"], body["status"]) == (entry.pk, 1, entry.status)
    else:
        assert response.status_code == 404


def test_the_detail_lists_the_callers_actions_rechecks_and_evidence(
    entries: Entries, department: User, unit: User
) -> None:
    body = _client(department).get(reverse("api_entry_detail", args=[entries.draft.pk])).json()
    assert body["actions"] == [Act.SUBMIT]
    assert body["indicator_code"] == "A01"
    assert body["status_label"] == "草稿"
    assert body["rechecks"] == []
    assert body["evidence"] == []
    body = _client(unit).get(reverse("api_entry_detail", args=[entries.published.pk])).json()
    assert body["actions"] == [Act.REQUEST_RECHECK]


def test_entries_can_be_filtered(entries: Entries, office: User) -> None:
    client = _client(office)
    url = reverse("api_entry_list")
    world = entries.world

    def ids(**params: Any) -> set[int]:
        response = client.get(url, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(status=S.DRAFT) == {entries.draft.pk}
    assert ids(unit=world.other_unit.pk) == {entries.other_unit.pk}
    assert ids(indicator=world.other.pk) == {entries.foreign.pk}
    assert ids(department=world.other.owner_id) == {entries.foreign.pk}
    assert len(ids(period=world.period.pk)) == 4
    assert ids(period=world.period.pk + 1000) == set()
    bad = client.get(url, {"period": "abc", "status": "nonsense"})
    assert bad.status_code == 400
    assert "请填写整数编号" in bad.content.decode()


def test_the_entry_list_takes_a_constant_number_of_queries(
    entries: Entries, office: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(office)
    url = reverse("api_entry_list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).json()["count"] == 4
    world = entries.world
    for i in range(30):
        unit = f.make_org_unit(f"X{i:02d}", world.category)
        f.make_entry(world.period, world.completion, unit, value="8", reference="10")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.json()["count"] == 34


# -- workflow actions ----------------------------------------------------------------


def _post(user: User, entry: Entry, **data: Any) -> Any:
    return _client(user).post(
        reverse("api_entry_transition", args=[entry.pk]), data, content_type="application/json"
    )


def test_a_department_submits_through_the_api_audited_and_notified(
    entries: Entries, department: User, office: User
) -> None:
    response = _post(department, entries.draft, action=Act.SUBMIT, version=1)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"]) == (S.SUBMITTED, 2)
    event = AuditEvent.objects.get(action=AuditAction.TRANSITION, object_id=str(entries.draft.pk))
    assert event.after == {"status": S.SUBMITTED, "action": Act.SUBMIT}
    assert event.actor == department
    assert Notification.objects.filter(recipient=office, text__contains="待初审").exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    entries: Entries, department: User
) -> None:
    Entry.objects.filter(pk=entries.draft.pk).update(version=2)  # somebody saved meanwhile
    response = _post(department, entries.draft, action=Act.SUBMIT, version=1)
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    assert _state(entries.draft)[:2] == (S.DRAFT, 2)
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()


def test_the_version_is_required(entries: Entries, department: User) -> None:
    response = _post(department, entries.draft, action=Act.SUBMIT)
    assert response.status_code == 400
    assert "请提供数据版本" in response.content.decode()
    assert _state(entries.draft)[:2] == (S.DRAFT, 1)


def test_a_refused_transition_says_why_in_chinese_and_changes_nothing(
    entries: Entries, department: User, unit: User
) -> None:
    response = _post(department, entries.draft, action=Act.APPROVE, version=1)
    assert response.status_code == 400
    assert response.json()["detail"] == "“草稿”状态的数据不能执行“初审通过”。"
    response = _post(unit, entries.published, action=Act.REQUEST_RECHECK, version=1)
    assert response.status_code == 400
    assert "请填写申请复核的理由" in response.json()["detail"]
    assert _state(entries.draft)[:2] == (S.DRAFT, 1)
    assert _state(entries.published)[:2] == (S.PUBLISHED, 1)
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("name", ["draft", "published", "other_unit", "foreign"])
def test_nobody_moves_an_entry_outside_their_scope(
    entries: Entries, personas: dict[str, User], persona: str, name: str
) -> None:
    entry = entries.by_name()[name]
    before = _state(entry)
    action = Act.SUBMIT if name == "draft" else Act.FINALIZE
    response = _post(personas[persona], entry, action=action, version=1, reason="理由")
    if persona not in API_PERSONAS:
        assert response.status_code == 403
    elif name not in VISIBLE[persona]:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 400)
    if response.status_code != 200:
        assert _state(entry) == before
        assert not AuditEvent.objects.filter(
            action=AuditAction.TRANSITION, object_id=str(entry.pk)
        ).exists()


def test_an_entry_walks_from_draft_to_final_over_the_api(
    entries: Entries,
    department: User,
    department_leader: User,
    office: User,
    other_unit: User,
) -> None:
    entry = f.make_entry(
        entries.world.period,
        entries.world.completion,
        entries.world.other_unit,
        value="100",
        reference="100",
        score="20",
        reason="全部完成",
    )

    def step(user: User, action: str, expected: str, **data: Any) -> None:
        entry.refresh_from_db()
        response = _post(user, entry, action=action, version=entry.version, **data)
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == expected

    step(department, Act.SUBMIT, S.SUBMITTED)
    step(office, Act.APPROVE, S.AWAITING_CONFIRMATION)  # full marks
    step(department_leader, Act.CONFIRM, S.APPROVED)
    step(office, Act.PUBLISH, S.PUBLISHED)
    step(other_unit, Act.REQUEST_RECHECK, S.RECHECK_REQUESTED, reason="数据有误")
    step(
        department,
        Act.ANSWER_RECHECK,
        S.RECHECK_ANSWERED,
        reason="经核实更正",
        outcome="changed",
        value="90",
        reference="100",
        new_reason="按核实后的台账",
    )
    step(office, Act.CONFIRM_RECHECK, S.FINAL)
    entry.refresh_from_db()
    assert entry.value == 90
    steps = AuditEvent.objects.filter(action=AuditAction.TRANSITION, object_id=str(entry.pk))
    assert steps.count() == 7


def test_a_recheck_answer_changed_to_full_marks_waits_for_the_leader_over_the_api(
    entries: Entries, department: User, department_leader: User, office: User, unit: User
) -> None:
    published = entries.published  # deduction: 2 points per occurrence, 1 occurrence = 8
    response = _post(unit, published, action=Act.REQUEST_RECHECK, version=1, reason="无事故")
    assert response.status_code == 200
    response = _post(
        department,
        published,
        action=Act.ANSWER_RECHECK,
        version=2,
        reason="经核实无事故",
        outcome="changed",
        value="0",
        new_reason="全年无事故",
    )
    assert response.json()["status"] == S.RECHECK_CONFIRMATION
    assert _post(office, published, action=Act.CONFIRM_RECHECK, version=3).status_code == 400
    assert _post(department, published, action=Act.CONFIRM, version=3).status_code == 400
    response = _post(department_leader, published, action=Act.CONFIRM, version=3)
    assert response.json()["status"] == S.RECHECK_ANSWERED


# -- values (the grid's save, for departments and their service tokens) ----------------

VALUES_STATUS = {"dept": 200, "dept_leader": 200, "other_dept": 404}


@pytest.mark.parametrize("persona", [*ALL_PERSONAS, "observer"])
def test_only_the_indicator_s_department_saves_values_and_others_change_nothing(
    entries: Entries, personas: dict[str, User], persona: str
) -> None:
    url = reverse("api_entry_values", args=[entries.world.period.pk])
    row = {
        "indicator": entries.draft.indicator_id,
        "unit": entries.draft.unit_id,
        "value": "7",
        "reason": "按台账核定",
        "version": entries.draft.version,
    }
    before = _state(entries.draft)
    response = _client(personas[persona]).post(
        url, {"rows": [row]}, content_type="application/json"
    )
    assert response.status_code == VALUES_STATUS.get(persona, 403), response.content
    if response.status_code == 200:
        assert _state(entries.draft)[1] == before[1] + 1
        assert Entry.objects.get(pk=entries.draft.pk).value == 7
    else:
        assert _state(entries.draft) == before


def test_a_stale_version_in_values_is_a_409_and_nothing_is_saved(
    entries: Entries, personas: dict[str, User]
) -> None:
    url = reverse("api_entry_values", args=[entries.world.period.pk])
    row = {
        "indicator": entries.draft.indicator_id,
        "unit": entries.draft.unit_id,
        "value": "7",
        "version": entries.draft.version + 5,
    }
    response = _client(personas["dept"]).post(url, {"rows": [row]}, content_type="application/json")
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    assert Entry.objects.get(pk=entries.draft.pk).value == 8
