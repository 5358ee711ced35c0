"""Report cards print any text: a 计分说明 of thousands of characters, a long name or a
word without spaces wraps and splits across pages instead of failing the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import Entry
from jixiao.core.testing import download_from_job, login
from jixiao.core.values import REASON_MAX_LENGTH
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import World, publish, zhangjiagang_world

pytestmark = pytest.mark.django_db

# A reason at the limit, one far past it (stored before the limit existed), and one long
# "word" of Latin letters that has no place to break.
LONG_TEXTS = {
    "at-the-limit": ("依据年度台账逐项核定，" * 200)[:REASON_MAX_LENGTH],
    "past-the-limit": "扣分原因：" + "未按期报送数据，" * 1500,
    "one-long-word": "x" * 6000,
}


@pytest.fixture
def world(department_org: Organization, unit_org: Organization) -> World:
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    w.entry(unit_org.code, "1.1.1", 95, 100)
    return w


def _published(world: World, office: User) -> ScoreRun:
    run = actions.compute_run(world.year, user=office)
    return publish(run, user=office, audience=RankingsAudience.LEADERS)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def _text(pdf: bytes) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode().replace("\n", "")


@pytest.mark.parametrize("kind", LONG_TEXTS)
def test_a_long_reason_prints_on_the_card_and_in_the_batch(
    world: World, office: User, unit_org: Organization, kind: str
) -> None:
    reason = LONG_TEXTS[kind]
    Entry.objects.filter(unit=unit_org).update(reason=reason + "（完）")
    Indicator.objects.filter(scheme=world.scheme, code="1.1.1").update(name="指标" * 100)
    run = _published(world, office)
    client = login(Client(), office)
    single = client.get(reverse("scoring:card_pdf", args=[run.pk, unit_org.pk]))
    batch = download_from_job(client, reverse("scoring:cards_pdf", args=[run.pk]))
    for response in (single, batch):
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    # The reason is split over as many pages as it needs (about 2,000 characters a page).
    assert _pages(single.content) >= 1 + len(reason) // 2500
    assert _pages(batch.content) >= _pages(single.content)
    text = _text(single.content)
    if text is not None:  # where pdftotext is installed: the end is printed too
        assert "（完）" in text
