"""The negative list (负面清单): office-configured behaviours with points and caps,
recorded as bonus–penalty ledger events with evidence and reviewed like any event."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import BonusPenaltyEvent, BonusPenaltyStatus
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import Act, BonusTransition, TransitionRefused
from jixiao.core.testing import login, page_text
from jixiao.verification import actions
from jixiao.verification.models import NegativeItem

pytestmark = pytest.mark.django_db
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = datetime.date(2026, 5, 1)


def _item(world: World, office: User, cap: str | None = "3") -> NegativeItem:
    data = {
        "name": "重大安全事故",
        "indicator": world.bonus,
        "points": D(2),
        "cap": D(cap) if cap else None,
        "description": "发生较大及以上生产安全事故",
        "sort_order": 1,
        "is_active": True,
    }
    return actions.save_negative_item(office, NegativeItem(scheme=world.scheme), data)


def _record(department: User, item: NegativeItem, world: World, **extra: Any) -> BonusPenaltyEvent:
    return actions.record_negative_event(
        department, item, unit=world.unit, occurred_on=DAY, description="某项目工地事故", **extra
    )


def test_a_recorded_behaviour_becomes_a_draft_ledger_event_with_its_evidence(
    world: World, office: User, department: User
) -> None:
    item = _item(world, office)
    pdf = SimpleUploadedFile("通报.pdf", PDF, content_type="application/pdf")
    event = _record(department, item, world, document_number="安委〔2026〕3号", files=[pdf])
    assert event.status == BonusPenaltyStatus.DRAFT
    assert event.points == D(-2)
    assert event.indicator == world.bonus
    assert event.description.startswith("负面清单“重大安全事故”：每次扣 2 分，全年最多扣 3 分")
    assert event.evidence.get().original_name == "通报.pdf"
    assert event.negative.item == item


def test_the_cap_trims_the_last_deduction_and_then_refuses(
    world: World, office: User, department: User
) -> None:
    item = _item(world, office)
    _record(department, item, world)
    second = _record(department, item, world)
    assert second.points == D(-1)
    assert "已扣 2 分，本次按上限计 1 分" in second.description
    with pytest.raises(TransitionRefused, match="已扣满 3 分"):
        _record(department, item, world)


def test_an_event_sent_back_frees_its_share_of_the_cap(
    world: World, office: User, department: User
) -> None:
    item = _item(world, office)
    first = _record(department, item, world)
    _record(department, item, world)
    BonusTransition(Act.SUBMIT, department).execute(first)
    BonusTransition(Act.RETURN, office, reason="依据不足").execute(first)
    assert actions.negative_used(item, world.unit.pk) == D(1)
    assert _record(department, item, world).points == D(-2)


def test_negative_events_are_reviewed_like_any_ledger_event(
    world: World, office: User, department: User
) -> None:
    event = _record(department, _item(world, office, cap=None), world)
    BonusTransition(Act.SUBMIT, department).execute(event)
    BonusTransition(Act.APPROVE, office).execute(event)
    event.refresh_from_db()
    assert event.status == BonusPenaltyStatus.APPROVED
    assert "不设上限" not in event.description


def test_only_the_indicators_department_records_and_only_the_office_configures(
    world: World, office: User, department: User, other_department: User
) -> None:
    item = _item(world, office)
    with pytest.raises(TransitionRefused, match="不由本单位负责"):
        _record(other_department, item, world)
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        _item(world, department)
    bad = {
        "name": "被上级通报批评",
        "indicator": world.direct,
        "points": D(1),
        "cap": None,
        "description": "",
        "sort_order": 2,
        "is_active": True,
    }
    with pytest.raises(TransitionRefused, match="加扣分指标"):
        actions.save_negative_item(office, NegativeItem(scheme=world.scheme), bad)
    assert not BonusPenaltyEvent.objects.exists()


def test_the_pages_configure_the_list_and_record_an_event(
    world: World, office: User, department: User, other_department: User
) -> None:
    year = world.scheme.year.year
    url = reverse("verification:negative") + f"?year={year}"
    office_client = login(Client(), office)
    office_client.post(
        url,
        {
            "name": "被上级通报批评",
            "indicator": world.bonus.pk,
            "points": "1",
            "cap": "",
            "description": "被市级以上通报批评",
            "sort_order": "1",
            "is_active": "on",
        },
    )
    item = NegativeItem.objects.get(name="被上级通报批评")
    assert "被上级通报批评" in page_text(office_client.get(url))
    record_url = reverse("verification:negative_record", args=[item.pk])
    form = {"unit": world.unit.pk, "occurred_on": "2026-05-01", "description": "市政府通报"}
    assert login(Client(), other_department).post(record_url, form).status_code == 404
    response = login(Client(), department).post(record_url, form)
    event = BonusPenaltyEvent.objects.get()
    assert response.url == reverse("collection:bonus_detail", args=[event.pk])
    assert event.points == D(-1)
    assert "被上级通报批评" in page_text(login(Client(), department).get(url))


def test_the_office_edits_an_item_and_the_audit_row_shows_the_change(
    world: World, office: User
) -> None:
    from jixiao.audit.models import AuditAction, AuditEvent

    item = _item(world, office)
    url = reverse("verification:negative") + f"?year={world.scheme.year.year}&edit={item.pk}"
    form = {
        "name": "重大安全事故",
        "indicator": world.bonus.pk,
        "points": "3",
        "cap": "6",
        "description": "发生较大及以上生产安全事故",
        "sort_order": "1",
        "is_active": "on",
        "version": str(item.version),
    }
    client = login(Client(), office)
    assert client.post(url, form).status_code == 302
    item.refresh_from_db()
    assert (item.points, item.cap) == (D(3), D(6))
    change = AuditEvent.objects.filter(
        object_type="verification.negativeitem", action=AuditAction.UPDATE
    ).get()
    assert set(change.before) == {"points", "cap"}
    stale = client.post(url, {**form, "points": "4"})
    assert "已被他人修改" in page_text(stale)
    item.refresh_from_db()
    assert item.points == D(3)
