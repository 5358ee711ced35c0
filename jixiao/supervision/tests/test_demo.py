"""The demo district runs a year of supervision (load_demo once per module)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login, page_text
from jixiao.supervision import cards
from jixiao.supervision.models import Bulletin, Card, SourceKind, SupervisionTask, TaskState


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo", quiet=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_tasks_from_every_source_in_many_states(demo: None) -> None:
    kinds = set(SupervisionTask.objects.values_list("source_kind", flat=True))
    assert kinds == set(SourceKind.values)
    states = set(SupervisionTask.objects.values_list("state", flat=True))
    assert {TaskState.CLOSED, TaskState.IN_PROGRESS, TaskState.ESCALATED, TaskState.DRAFT} <= states
    linked = SupervisionTask.objects.exclude(source_type="")
    assert linked.exists()
    assert all(t.source_text for t in linked)


@pytest.mark.django_db
def test_some_tasks_are_late_with_cards_and_october_is_published(demo: None) -> None:
    assert Card.objects.filter(color="red").exists()
    assert Card.objects.filter(color="yellow").exists()
    assert Bulletin.objects.filter(year=2026, month=10).exists()
    from jixiao.supervision.demo import CARD_DAY

    assert cards.run(CARD_DAY).cards == []  # the run is idempotent on the demo too


@pytest.mark.django_db
def test_the_supervision_office_logs_in_to_its_work(demo: None) -> None:
    client = login(Client(), User.objects.get(username="supervision"))
    text = page_text(client.get(reverse("core:home")))
    assert "督查督办" in text
    assert "逾期未办结" in text
    listing = page_text(client.get(reverse("supervision:index") + "?year=2026"))
    assert "老旧小区加装电梯进度滞后" in listing
    task = SupervisionTask.objects.exclude(source_type="").first()
    assert task is not None
    detail = page_text(client.get(reverse("supervision:task", args=[task.pk])))
    assert task.source_text in detail
