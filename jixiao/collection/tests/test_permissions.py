"""The permission matrix: every view × every role, including another department's
indicators and another unit's entries (404, and nothing changes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import (
    BonusPenaltyEvent,
    CollectionPeriod,
    Entry,
    EntryStatus,
    EvidenceFile,
    Notification,
)
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
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
DEPTS = {"dept", "dept_leader", "other_dept"}
UNITS = {"unit", "other_unit"}


@dataclass
class Objects:
    world: World
    published: Entry  # FGJ, JD01, published
    draft: Entry  # FGJ, JD02, draft
    foreign: Entry  # JYJ (other department), JD01, published
    evidence: EvidenceFile  # on `published`
    event: BonusPenaltyEvent  # FGJ, JD01, approved


@pytest.fixture
def objects(world: World, department: User) -> Objects:
    published = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.PUBLISHED)
    draft = f.make_entry(world.period, world.direct, world.other_unit, status=EntryStatus.DRAFT)
    foreign = f.make_entry(world.period, world.other, world.unit, status=EntryStatus.PUBLISHED)
    evidence = EvidenceFile(
        entry=published,
        original_name="台账.pdf",
        content_type="application/pdf",
        extension=".pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=department,
    )
    from django.core.files.base import ContentFile

    evidence.file.save("x.pdf", ContentFile(PDF), save=False)
    evidence.save()
    event = f.make_event(world.bonus, world.unit, "2", status="approved")
    f.make_entry(world.period, world.deduction, world.unit, status=EntryStatus.APPROVED, value="1")
    return Objects(world, published, draft, foreign, evidence, event)


def _client(personas: dict[str, User], who: str) -> Client:
    return login(Client(), personas[who])


def _everyone_else(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {p: allowed.get(p, default) for p in PERSONAS}


GET_VIEWS: dict[str, tuple[Callable[[Objects], str], dict[str, int]]] = {
    "period_list": (
        lambda o: reverse("collection:period_list"),
        _everyone_else({"office": 200, **dict.fromkeys(DEPTS, 200)}),
    ),
    "period_create": (
        lambda o: reverse("collection:period_create"),
        _everyone_else({"office": 200}),
    ),
    "period_detail": (
        lambda o: reverse("collection:period_detail", args=[o.world.period.pk]),
        _everyone_else({"office": 200}),
    ),
    "period_edit": (
        lambda o: reverse("collection:period_edit", args=[o.world.period.pk]),
        _everyone_else({"office": 200}),
    ),
    "workspace": (
        lambda o: reverse("collection:workspace", args=[o.world.period.pk]),
        _everyone_else(dict.fromkeys(DEPTS, 200)),
    ),
    "workspace of another department's indicator": (
        lambda o: (
            reverse("collection:workspace", args=[o.world.period.pk])
            + f"?indicator={o.world.other.pk}"
        ),
        _everyone_else({"dept": 404, "dept_leader": 404, "other_dept": 200}),
    ),
    "preview": (
        lambda o: (
            reverse("collection:preview", args=[o.world.period.pk])
            + f"?indicator={o.world.direct.pk}&unit={o.world.unit.pk}&u{o.world.unit.pk}.value=8"
        ),
        _everyone_else({"dept": 200, "dept_leader": 200, "other_dept": 404}),
    ),
    "template": (
        lambda o: reverse("collection:template", args=[o.world.period.pk]),
        _everyone_else(dict.fromkeys(DEPTS, 200)),
    ),
    "upload": (
        lambda o: reverse("collection:upload", args=[o.world.period.pk]),
        _everyone_else(dict.fromkeys(DEPTS, 200)),
    ),
    "entry_detail (published)": (
        lambda o: reverse("collection:entry_detail", args=[o.published.pk]),
        _everyone_else(
            {
                "office": 200,
                "dept": 200,
                "dept_leader": 200,
                "other_dept": 404,
                "unit": 200,
                "other_unit": 404,
            }
        ),
    ),
    "entry_detail (draft: not yet the unit's business)": (
        lambda o: reverse("collection:entry_detail", args=[o.draft.pk]),
        _everyone_else(
            {
                "office": 200,
                "dept": 200,
                "dept_leader": 200,
                "other_dept": 404,
                "unit": 404,
                "other_unit": 404,
            }
        ),
    ),
    "entry_detail (another department's entry)": (
        lambda o: reverse("collection:entry_detail", args=[o.foreign.pk]),
        _everyone_else(
            {
                "office": 200,
                "dept": 404,
                "dept_leader": 404,
                "other_dept": 200,
                "unit": 200,
                "other_unit": 404,
            }
        ),
    ),
    "evidence_download": (
        lambda o: reverse("collection:evidence_download", args=[o.evidence.pk]),
        _everyone_else(
            {
                "office": 200,
                "dept": 200,
                "dept_leader": 200,
                "other_dept": 404,
                "unit": 200,
                "other_unit": 404,
            }
        ),
    ),
    "review_queue": (lambda o: reverse("collection:review_queue"), _everyone_else({"office": 200})),
    "confirm_queue": (
        lambda o: reverse("collection:confirm_queue"),
        _everyone_else(dict.fromkeys(DEPTS, 200)),
    ),
    "recheck_queue": (
        lambda o: reverse("collection:recheck_queue"),
        _everyone_else(dict.fromkeys(DEPTS, 200)),
    ),
    "unit_entries": (
        lambda o: reverse("collection:unit_entries"),
        _everyone_else(dict.fromkeys(UNITS, 200)),
    ),
    "bonus_list": (
        lambda o: reverse("collection:bonus_list"),
        _everyone_else({"office": 200, **dict.fromkeys(DEPTS | UNITS, 200)}),
    ),
    "bonus_create": (
        lambda o: reverse("collection:bonus_create"),
        _everyone_else(dict.fromkeys(DEPTS, 200)),
    ),
    "bonus_detail": (
        lambda o: reverse("collection:bonus_detail", args=[o.event.pk]),
        _everyone_else(
            {
                "office": 200,
                "dept": 200,
                "dept_leader": 200,
                "other_dept": 404,
                "unit": 200,
                "other_unit": 404,
            }
        ),
    ),
    "notifications": (lambda o: reverse("collection:notifications"), dict.fromkeys(PERSONAS, 200)),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("view", list(GET_VIEWS))
def test_who_may_open_each_page(
    objects: Objects, personas: dict[str, User], view: str, persona: str
) -> None:
    url, expected = GET_VIEWS[view]
    response = _client(personas, persona).get(url(objects))
    assert response.status_code == expected[persona]


@pytest.mark.parametrize("view", list(GET_VIEWS))
def test_anonymous_visitors_are_sent_to_the_login_page(objects: Objects, view: str) -> None:
    response = Client().get(GET_VIEWS[view][0](objects))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# -- writes: the allowed persona changes something, everyone else changes nothing -------


def _state() -> tuple[Any, ...]:
    return (
        list(Entry.objects.order_by("pk").values_list("pk", "status", "value", "version")),
        list(CollectionPeriod.objects.values_list("pk", "status", "version")),
        list(BonusPenaltyEvent.objects.values_list("pk", "status", "version")),
        EvidenceFile.objects.count(),
        AuditEvent.objects.exclude(action="export").count(),
    )


POSTS: dict[str, tuple[Callable[[Objects], tuple[str, dict[str, Any]]], set[str]]] = {
    "close the period": (
        lambda o: (
            reverse("collection:period_status", args=[o.world.period.pk]),
            {"status": "closed", "version": 1},
        ),
        {"office"},
    ),
    "grant an exception": (
        lambda o: (
            reverse("collection:exception_create", args=[o.world.period.pk]),
            {
                "department": o.world.direct.owner_id,
                "until": "2099-01-01T10:00",
                "reason": "系统故障",
            },
        ),
        {"office"},
    ),
    "publish a department's batch": (
        lambda o: (
            reverse("collection:batch", args=[o.world.period.pk]),
            {"action": "publish", "department": o.world.direct.owner_id},
        ),
        {"office"},
    ),
    "save a draft in the grid": (
        lambda o: (
            reverse("collection:workspace", args=[o.world.period.pk])
            + f"?indicator={o.world.direct.pk}",
            {f"u{o.world.other_unit.pk}.value": "7", f"u{o.world.other_unit.pk}.version": "1"},
        ),
        {"dept", "dept_leader"},
    ),
    "submit a draft": (
        lambda o: (
            reverse("collection:entry_action", args=[o.draft.pk]),
            {"action": "submit"},
        ),
        {"dept", "dept_leader"},
    ),
    "upload evidence": (
        lambda o: (
            reverse("collection:evidence_upload", args=[o.draft.pk]),
            {"file": SimpleUploadedFile("a.pdf", PDF)},
        ),
        {"dept", "dept_leader"},
    ),
    "request a recheck": (
        lambda o: (
            reverse("collection:entry_action", args=[o.published.pk]),
            {"action": "request_recheck", "reason": "数据有误"},
        ),
        {"unit"},
    ),
    "request a recheck of the other department's entry": (
        lambda o: (
            reverse("collection:entry_action", args=[o.foreign.pk]),
            {"action": "request_recheck", "reason": "数据有误"},
        ),
        {"unit"},
    ),
    "approve a bonus event": (
        lambda o: (reverse("collection:bonus_action", args=[o.event.pk]), {"action": "approve"}),
        set(),  # already approved: nobody may move it
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", list(POSTS))
def test_only_the_right_persona_can_write(
    objects: Objects, personas: dict[str, User], case: str, persona: str
) -> None:
    objects.draft.reason = "说明"
    objects.draft.save()
    build, allowed = POSTS[case]
    url, data = build(objects)
    before = _state()
    response = _client(personas, persona).post(url, data)
    after = _state()
    if persona in allowed:
        assert after != before, response.content.decode()[:2000]
    else:
        assert response.status_code in (302, 403, 404)
        assert after == before


def test_a_department_cannot_save_into_another_departments_grid(
    objects: Objects, personas: dict[str, User]
) -> None:
    url = reverse("collection:workspace", args=[objects.world.period.pk])
    client = _client(personas, "other_dept")
    before = _state()
    response = client.post(
        url + f"?indicator={objects.world.direct.pk}",
        {
            f"u{objects.world.other_unit.pk}.value": "1",
            f"u{objects.world.other_unit.pk}.version": "1",
        },
    )
    assert response.status_code == 404
    assert _state() == before


def test_a_unit_never_sees_another_units_entries_in_its_list(
    objects: Objects, personas: dict[str, User]
) -> None:
    f.make_entry(
        objects.world.period,
        objects.world.completion,
        objects.world.other_unit,
        status=EntryStatus.FINAL,
    )
    response = _client(personas, "unit").get(reverse("collection:unit_entries"))
    shown = {e.pk for e, _cells, _d in response.context["rows"]}
    assert shown == {objects.published.pk, objects.foreign.pk}


def test_a_notification_can_only_be_read_by_its_recipient(
    objects: Objects, personas: dict[str, User]
) -> None:
    note = Notification.objects.create(recipient=personas["unit"], text="x", link="/")
    _client(personas, "other_unit").post(reverse("collection:notification_read"), {"id": note.pk})
    note.refresh_from_db()
    assert not note.is_read
    _client(personas, "unit").post(reverse("collection:notification_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.is_read
