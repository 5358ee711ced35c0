"""The permission matrix of the 察访核验 pages: office, inspector, departments, units,
everyone else — and a refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login
from jixiao.verification import actions
from jixiao.verification.models import (
    Duty,
    EntryFlag,
    ItemStatus,
    NegativeItem,
    SpotCheck,
    SpotCheckItem,
)

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


@dataclass
class Objects:
    check: SpotCheck
    item: SpotCheckItem  # FGJ's entry, with a correction proposed
    plain: SpotCheckItem  # JYJ's entry, not yet checked
    duty: Duty  # one of the unit's 三定 duties
    year: int


@pytest.fixture
def objects(world: World, office: User, inspector: User) -> Objects:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    f.make_entry(world.period, world.other, world.unit, status=EntryStatus.APPROVED)
    check = actions.draw_sample(office, world.period, fraction=Decimal(1), seed=3)
    item = check.items.get(entry__indicator=world.direct)
    actions.record_finding(
        inspector, item, accurate=False, note="不符", raw={"value": "5"}, reason="现场仅 5 项"
    )
    duty = Duty.objects.create(year=world.scheme.year, unit=world.unit, number=1, text="统筹规划")
    NegativeItem.objects.create(
        scheme=world.scheme, name="重大安全事故", indicator=world.bonus, points=Decimal(2)
    )
    plain = check.items.get(entry__indicator=world.other)
    return Objects(check, item, plain, duty, world.scheme.year.year)


def _expect(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {p: allowed.get(p, default) for p in PERSONAS}


DEPTS_OWN = {"dept": 200, "dept_leader": 200, "other_dept": 404}
GET_VIEWS: dict[str, tuple[Callable[[Objects], str], dict[str, int]]] = {
    "index": (
        lambda o: reverse("verification:index"),
        _expect(
            {"office": 200, "inspector": 200, "dept": 200, "dept_leader": 200, "other_dept": 200}
        ),
    ),
    "check": (
        lambda o: reverse("verification:check", args=[o.check.pk]),
        _expect({"office": 200, "inspector": 200}),
    ),
    "item with a correction": (
        lambda o: reverse("verification:item", args=[o.item.pk]),
        _expect({"office": 200, "inspector": 200, **DEPTS_OWN}),
    ),
    "item without a correction": (
        lambda o: reverse("verification:item", args=[o.plain.pk]),
        _expect(
            {"office": 200, "inspector": 200, "dept": 404, "dept_leader": 404, "other_dept": 404}
        ),
    ),
    "results": (lambda o: reverse("verification:results"), _expect({"office": 200})),
    "results.xlsx": (
        lambda o: reverse("verification:results") + "?format=xlsx",
        _expect({"office": 200}),
    ),
    "flags": (lambda o: reverse("verification:flags"), _expect({"office": 200})),
    "thresholds": (lambda o: reverse("verification:thresholds"), _expect({"office": 200})),
    "duties": (
        lambda o: reverse("verification:duties") + f"?year={o.year}",
        _expect({"office": 200}),
    ),
    "duties.xlsx": (
        lambda o: reverse("verification:duties") + f"?year={o.year}&format=xlsx",
        _expect({"office": 200}),
    ),
    "duty unit": (
        lambda o: reverse("verification:duty_unit", args=[o.duty.unit_id]) + f"?year={o.year}",
        _expect({"office": 200}),
    ),
    "negative list": (
        lambda o: reverse("verification:negative") + f"?year={o.year}",
        _expect({"office": 200, "dept": 200, "dept_leader": 200, "other_dept": 200}),
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


def test_an_inspector_assigned_elsewhere_does_not_see_the_draw(
    world: World, office: User, inspector: User
) -> None:
    from jixiao.accounts.roles import Role
    from jixiao.core.testing import make_user

    other = make_user("inspector2", Role.INSPECTOR, inspector.organization)
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    check = actions.draw_sample(office, world.period, fraction=Decimal(1), seed=3, inspector=other)
    client = login(Client(), inspector)
    assert client.get(reverse("verification:check", args=[check.pk])).status_code == 404


def test_only_an_inspector_may_record_a_finding_and_a_refusal_changes_nothing(
    objects: Objects, personas: dict[str, User]
) -> None:
    url = reverse("verification:finding", args=[objects.plain.pk])
    for who in ("office", "dept", "unit", "reviewer"):
        response = login(Client(), personas[who]).post(url, {"accurate": "1", "note": "x"})
        assert response.status_code == 403
    objects.plain.refresh_from_db()
    assert objects.plain.status == ItemStatus.PENDING
    login(Client(), personas["inspector"]).post(url, {"accurate": "1", "note": "台账一致"})
    objects.plain.refresh_from_db()
    assert objects.plain.status == ItemStatus.ACCURATE


def test_another_department_cannot_object_to_a_correction(
    objects: Objects, personas: dict[str, User]
) -> None:
    url = reverse("verification:correction_action", args=[objects.item.pk])
    response = login(Client(), personas["other_dept"]).post(url, {"action": "object", "note": "x"})
    assert response.status_code == 404
    objects.item.correction.refresh_from_db()
    assert objects.item.correction.status == "proposed"
    login(Client(), personas["dept"]).post(url, {"action": "object", "note": "另有台账"})
    objects.item.correction.refresh_from_db()
    assert objects.item.correction.status == "objected"


def test_the_office_acknowledges_a_flag_from_the_flags_page(
    world: World, personas: dict[str, User]
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    EntryFlag.objects.create(entry=entry, reasons=["较上年增长 480%"])
    client = login(Client(), personas["office"])
    page = client.get(reverse("verification:flags"))
    assert "较上年增长 480%" in page.content.decode()
    queue = client.get(reverse("collection:review_queue"))
    assert "较上年增长 480%" in queue.content.decode()
    url = reverse("verification:acknowledge", args=[entry.pk])
    assert login(Client(), personas["dept"]).post(url, {"note": "x"}).status_code == 403
    client.post(url, {"note": "有批文"})
    assert EntryFlag.objects.get(entry=entry).note == "有批文"


def test_only_the_office_applies_the_accuracy_rule(
    world: World, objects: Objects, personas: dict[str, User]
) -> None:
    url = reverse("verification:apply_accuracy")
    for who in PERSONAS:
        if who == "office":
            continue
        response = login(Client(), personas[who]).post(url, {"period": world.period.pk})
        assert response.status_code == 403, who
    response = login(Client(), personas["office"]).post(url, {"period": world.period.pk})
    assert response.status_code == 302  # refused in words: the scheme has no such indicator
    assert login(Client(), personas["office"]).post(url, {"period": "x"}).status_code == 404


def test_only_the_office_links_duties_or_configures_the_negative_list_and_nothing_changes(
    world: World, objects: Objects, personas: dict[str, User]
) -> None:
    link = reverse("verification:duty_link", args=[objects.duty.pk])
    form = {"indicator": [str(world.direct.pk)], "version": "1"}
    negative = reverse("verification:negative") + f"?year={objects.year}"
    for who in PERSONAS:
        if who == "office":
            continue
        client = login(Client(), personas[who])
        assert client.post(link, form).status_code == 403, who
        assert client.post(negative, {"name": "x"}).status_code == 403, who
    assert not objects.duty.indicators.exists()
    assert NegativeItem.objects.count() == 1
    login(Client(), personas["office"]).post(link, form)
    assert list(objects.duty.indicators.all()) == [world.direct]


def test_another_department_cannot_record_an_item_of_someone_elses_indicator(
    objects: Objects, personas: dict[str, User]
) -> None:
    item = NegativeItem.objects.get()
    url = reverse("verification:negative_record", args=[item.pk])
    form = {"unit": objects.item.entry.unit_id, "occurred_on": "2026-05-01", "description": "x"}
    for who in ("other_dept", "office", "unit", "inspector"):
        status = login(Client(), personas[who]).post(url, form).status_code
        assert status == (404 if who == "other_dept" else 403), who
    assert not item.events.exists()
