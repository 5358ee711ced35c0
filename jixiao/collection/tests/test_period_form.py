"""The period form speaks to a clerk: duplicates and impossible deadlines are refused
with a sentence that says what to do."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from jixiao.collection.models import CollectionPeriod
from jixiao.collection.tests.conftest import World


def _post(client: Client, world: World, **changes: str) -> str:
    data = {
        "scheme": str(world.scheme.pk),
        "kind": "quarterly",
        "code": "2026-Q2",
        "name": "2026年第二季度",
        "starts_on": "2026-04-01",
        "ends_on": "2026-06-30",
        "deadline": "2026-07-10T18:00",
        "recheck_days": "5",
    } | changes
    return client.post(reverse("collection:period_create"), data).content.decode()


def test_a_duplicate_period_code_is_refused_in_a_sentence(
    world: World, office_client: Client
) -> None:
    page = _post(office_client, world, code=world.period.code)
    assert "本方案已有使用这个周期编码的采集周期，请换一个编码。" in page
    assert "已经存在" not in page
    assert CollectionPeriod.objects.count() == 1


def test_a_deadline_before_the_period_ends_is_refused(world: World, office_client: Client) -> None:
    page = _post(office_client, world, deadline="2026-06-20T18:00")
    assert "早于周期结束日期（2026-06-30）" in page
    assert not CollectionPeriod.objects.filter(code="2026-Q2").exists()


def test_a_deadline_after_the_period_ends_is_accepted(world: World, office_client: Client) -> None:
    _post(office_client, world)
    assert CollectionPeriod.objects.get(code="2026-Q2").ends_on == date(2026, 6, 30)
