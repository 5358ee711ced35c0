"""The results' long jobs: the batch PDF, the Excel export and a recompute start a job,
report progress and end with a download or a link; nobody gets around access."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.models import Job, JobState
from jixiao.core.testing import download_from_job, login
from jixiao.org.models import Organization
from jixiao.scoring import actions, exports, jobs
from jixiao.scoring.models import ScoreRun
from jixiao.scoring.tests.factories import World, zhangjiagang_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(department_org: Organization, unit_org: Organization) -> World:
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    w.entry(unit_org.code, "1.1.1", 95, 100)
    return w


@pytest.fixture
def run(world: World, office: User) -> ScoreRun:
    return actions.compute_run(world.year, user=office)


def test_the_batch_pdf_reports_its_progress_card_by_card(run: ScoreRun) -> None:
    results = jobs.batch_results(run)
    seen: list[float] = []
    exports.cards_pdf(run, results, seen.append)
    assert len(seen) == 2 * len(results)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_the_office_downloads_the_batch_pdf_from_its_job(
    office_client: Client, run: ScoreRun, office: User
) -> None:
    pdf = download_from_job(office_client, reverse("scoring:cards_pdf", args=[run.pk]))
    assert pdf.content.startswith(b"%PDF")
    job = Job.objects.get(kind=jobs.CARDS_PDF)
    assert job.owner == office
    assert job.state == JobState.DONE
    assert job.message == f"已生成 {run.unit_count} 份成绩单。"


def test_a_recompute_ends_on_a_job_page_that_links_to_the_new_run(
    office_client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(reverse("scoring:compute"), {"year": world.year.pk})
    page = office_client.get(response.url).content.decode()  # type: ignore[attr-defined]
    new_run = ScoreRun.objects.get()
    assert "已完成计算" in page
    assert reverse("scoring:run", args=[new_run.pk]) in page


def test_a_leader_cannot_export_an_unpublished_run(
    personas: dict[str, User], run: ScoreRun
) -> None:
    leader = login(Client(), personas["leader"])
    for name in ("scoring:cards_pdf", "scoring:export_xlsx"):
        assert leader.post(reverse(name, args=[run.pk])).status_code == 404
    assert not Job.objects.exists()


def test_an_english_users_results_workbook_has_english_headings(
    office_client: Client, run: ScoreRun
) -> None:
    from io import BytesIO

    from django.conf import settings
    from openpyxl import load_workbook

    office_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    xlsx = download_from_job(office_client, reverse("scoring:export_xlsx", args=[run.pk]))
    header = [c.value for c in load_workbook(BytesIO(xlsx.content)).worksheets[0][1]]
    assert header[:3] == ["Category", "Rank", "Unit code"]
    assert Job.objects.get(kind=jobs.RESULTS_XLSX).language == "en"
    assert "Results" in xlsx["Content-Disposition"] or "results" in xlsx["Content-Disposition"]
