"""The demo district's 2026 monitoring: progress January–November, reds and yellows, a
published October report — all made through the actions (load_demo once per module)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.core.testing import login, page_text
from jixiao.monitoring.models import MonthlyReport, Progress, Target
from jixiao.monitoring.status import year_lights


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("load_demo", quiet=True)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_progress_to_november_with_reds_and_yellows(demo: None) -> None:
    target = Target.objects.select_related("scheme__year").first()
    assert target is not None
    assert target.scheme.year.year == 2026
    assert set(Progress.objects.values_list("month", flat=True)) == set(range(1, 12))
    colors = Counter(x.color for x in year_lights(target.scheme, 11, today=date(2026, 11, 30)))
    assert colors["red"] > 0
    assert colors["yellow"] > 0
    assert colors["green"] > colors["red"]
    # Every business row came through an action, with its audit row.
    assert AuditEvent.objects.filter(object_type="monitoring.progress").count() == (
        Progress.objects.count()
    )


@pytest.mark.django_db
def test_the_october_report_is_published_and_the_unit_sees_it(demo: None) -> None:
    report = MonthlyReport.objects.get()
    assert report.month == 10
    donghu = User.objects.get(username="donghu")
    text = page_text(login(Client(), donghu).get(reverse("monitoring:report", args=[2026, 10])))
    assert "已于" in text
    assert "月度得分" in text
