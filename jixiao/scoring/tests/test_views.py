"""Results pages: who sees what (every role), exports, and bounded queries."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.core.testing import download_from_job, login, page_text
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, RunStatus, ScoreRun
from jixiao.scoring.tests.factories import World, publish, zhangjiagang_world

D = Decimal
pytestmark = pytest.mark.django_db

OUTSIDERS = ("reviewer", "inspector", "supervision", "sysadmin", "secadmin", "auditadmin")


@pytest.fixture
def world(
    department_org: Organization, unit_org: Organization, other_unit_org: Organization
) -> World:
    w = zhangjiagang_world(department=department_org)
    for org in (unit_org, other_unit_org):
        w.units[org.code] = org
        w.unit(org.code, "JG", staffing=30)
    w.entry(unit_org.code, "1.1.1", 95, 100)
    w.entry(other_unit_org.code, "1.1.1", 50, 100)
    return w


@pytest.fixture
def published(world: World, office: User) -> ScoreRun:
    run = actions.compute_run(world.year, user=office)
    return publish(run, user=office, audience=RankingsAudience.LEADERS)


def client_for(personas: dict[str, User], name: str) -> Client:
    return login(Client(), personas[name])


def status(client: Client, name: str, *args: Any) -> int:
    return client.get(reverse(name, args=args)).status_code


def download_export(client: Client, run: ScoreRun) -> Any:
    return download_from_job(client, reverse("scoring:export_xlsx", args=[run.pk]))


def test_outsiders_see_no_results_page(personas: dict[str, User], published: ScoreRun) -> None:
    unit_id = published.results.first().unit_id  # type: ignore[union-attr]
    for username in OUTSIDERS:
        client = client_for(personas, username)
        assert status(client, "scoring:index") == 403, username
        assert status(client, "scoring:run", published.pk) == 403, username
        assert status(client, "scoring:rankings", published.pk) == 403, username
        assert status(client, "scoring:card", published.pk, unit_id) == 403, username
        assert status(client, "scoring:export_xlsx", published.pk) == 403, username


def test_the_office_and_leaders_read_everything_published(
    personas: dict[str, User], published: ScoreRun, unit_org: Organization
) -> None:
    for username in ("office", "leader"):
        client = client_for(personas, username)
        assert status(client, "scoring:run", published.pk) == 200
        assert status(client, "scoring:rankings", published.pk) == 200
        assert status(client, "scoring:statistics", published.pk) == 200
        assert status(client, "scoring:card", published.pk, unit_org.pk) == 200
        assert status(client, "scoring:explain", published.pk, unit_org.pk) == 200
        assert download_export(client, published).status_code == 200
        assert status(client, "scoring:department", published.pk) == 403


def test_a_unit_sees_its_own_card_and_never_another_units(
    unit_client: Client, published: ScoreRun, unit_org: Organization, other_unit_org: Organization
) -> None:
    assert unit_client.get(reverse("scoring:index")).url == reverse(
        "scoring:card", args=[published.pk, unit_org.pk]
    )
    assert status(unit_client, "scoring:card", published.pk, unit_org.pk) == 200
    assert status(unit_client, "scoring:explain", published.pk, unit_org.pk) == 200
    assert status(unit_client, "scoring:card_pdf", published.pk, unit_org.pk) == 200
    assert status(unit_client, "scoring:card", published.pk, other_unit_org.pk) == 404
    assert status(unit_client, "scoring:explain", published.pk, other_unit_org.pk) == 404
    assert status(unit_client, "scoring:card_pdf", published.pk, other_unit_org.pk) == 404
    assert status(unit_client, "scoring:run", published.pk) == 403
    assert status(unit_client, "scoring:statistics", published.pk) == 403
    assert status(unit_client, "scoring:export_xlsx", published.pk) == 403
    assert status(unit_client, "scoring:cards_pdf", published.pk) == 403


def test_a_unit_reads_rankings_only_once_the_office_opens_them(
    unit_client: Client, published: ScoreRun, office: User
) -> None:
    assert status(unit_client, "scoring:rankings", published.pk) == 404
    actions.set_rankings_audience(
        published, audience=RankingsAudience.UNITS, expected_version=published.version
    )
    response = unit_client.get(reverse("scoring:rankings", args=[published.pk]))
    assert response.status_code == 200
    assert (
        "单位FGJ" not in response.content.decode() or "区发展和改革局" in response.content.decode()
    )


def test_nobody_but_the_office_sees_a_computed_run(
    personas: dict[str, User], world: World, office: User, unit_org: Organization
) -> None:
    run = actions.compute_run(world.year, user=office)
    for username in ("leader", "unit", "dept"):
        client = client_for(personas, username)
        assert status(client, "scoring:rankings", run.pk) in (403, 404), username
        assert status(client, "scoring:card", run.pk, unit_org.pk) in (403, 404), username
    assert status(client_for(personas, "office"), "scoring:card", run.pk, unit_org.pk) == 200


def test_a_department_sees_the_leaf_scores_of_its_own_indicators_only(
    department_client: Client, published: ScoreRun, unit_org: Organization
) -> None:
    response = department_client.get(reverse("scoring:department", args=[published.pk]))
    assert response.status_code == 200
    assert "重点工作完成率" in response.content.decode()
    assert status(department_client, "scoring:card", published.pk, unit_org.pk) == 403
    assert status(department_client, "scoring:rankings", published.pk) == 403


def test_other_departments_see_no_indicator_they_do_not_own(
    personas: dict[str, User], published: ScoreRun
) -> None:
    response = client_for(personas, "other_dept").get(
        reverse("scoring:department", args=[published.pk])
    )
    assert "重点工作完成率" not in response.content.decode()


def test_only_the_office_computes_and_publishes(
    personas: dict[str, User],
    world: World,
    office: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for username in ("leader", "unit", "dept", "sysadmin"):
        client = client_for(personas, username)
        response = client.post(reverse("scoring:compute"), {"year": world.year.pk})
        assert response.status_code == 403
    assert not ScoreRun.objects.exists()
    office_client = client_for(personas, "office")
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("scoring:compute"), {"year": world.year.pk})
    run = ScoreRun.objects.get()
    assert run.created_by == office
    for username in ("leader", "unit", "dept"):
        client = client_for(personas, username)
        response = client.post(reverse("scoring:publish", args=[run.pk]), {"audience": "units"})
        assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED
    # The units added to the world lack most data: the office must see each gap first.
    response = office_client.post(
        reverse("scoring:publish", args=[run.pk]), {"audience": "units"}, follow=True
    )
    assert "尚未逐项确认" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED
    for username in ("leader", "unit", "dept"):
        response = client_for(personas, username).post(
            reverse("scoring:acknowledge_gaps", args=[run.pk]), {"gap": [], "reason": "x"}
        )
        assert response.status_code == 403
    page = office_client.get(reverse("scoring:run", args=[run.pk]))
    keys = [g.key for g in page.context["gaps"]]
    assert keys
    office_client.post(
        reverse("scoring:acknowledge_gaps", args=[run.pk]),
        {"gap": keys, "reason": "该单位本年度新参评，数据未报送"},
    )
    office_client.post(reverse("scoring:publish", args=[run.pk]), {"audience": "units"})
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert run.rankings_audience == RankingsAudience.UNITS


def test_the_statistics_page_shows_each_categorys_figures(
    office_client: Client, published: ScoreRun
) -> None:
    text = page_text(office_client.get(reverse("scoring:statistics", args=[published.pk])))
    # 机关部门: five units (90.50, 89.75, 67.90, 23.75, 12.50), one at ≥ 90, mean 56.88.
    assert "机关部门 5 1 20% 56.88 90.50 12.50 优秀 1 合格 4" in text


def test_the_card_shows_points_lost_and_the_reason(
    office_client: Client, published: ScoreRun, department_org: Organization
) -> None:
    response = office_client.get(reverse("scoring:card", args=[published.pk, department_org.pk]))
    page = response.content.decode()
    assert "89.75" in page
    assert "25 × min(90 ÷ 100, 1) = 22.5000" in page
    assert "创建十佳机关服务品牌" in page
    explain = office_client.get(
        reverse("scoring:explain", args=[published.pk, department_org.pk])
    ).content.decode()
    assert "重点工作完成率" in explain
    assert "区统计局" not in explain  # the department here is FGJ itself
    assert "区发展和改革局" in explain


def test_the_excel_export_holds_every_result(office_client: Client, published: ScoreRun) -> None:
    response = download_export(office_client, published)
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["成绩汇总"]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert D(str(rows["FGJ"][4])) == D("89.75")
    assert rows["FGJ"][1] == 2
    assert D(str(rows["MZJ"][4])) == D("67.9")
    assert "机关部门" in workbook.sheetnames


def test_the_pdf_cards_carry_the_figures_in_chinese(
    office_client: Client, published: ScoreRun, department_org: Organization
) -> None:
    response = office_client.get(
        reverse("scoring:card_pdf", args=[published.pk, department_org.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Noto Sans SC is embedded as a subset (TrueType FontFile2), not referenced by name.
    assert b"+NotoSansSC-Regular" in response.content
    assert b"+NotoSansSC-Bold" in response.content
    assert b"/FontFile2" in response.content
    assert b"STSong" not in response.content
    assert len(response.content) < 200_000  # a subset, not the 10 MB font
    batch = download_from_job(office_client, reverse("scoring:cards_pdf", args=[published.pk]))
    assert batch["Content-Type"] == "application/pdf"
    assert batch.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "89.75" in text
    assert "成绩单" in text
    pages = subprocess.run(
        ["pdftotext", "-", "-"], input=batch.content, capture_output=True, check=True
    ).stdout.decode()
    assert pages.count("年度绩效考核成绩单") == published.unit_count


def test_the_rankings_page_runs_a_bounded_number_of_queries(
    office_client: Client,
    world: World,
    office: User,
    django_assert_max_num_queries: Any,
) -> None:
    for i in range(40):
        code = f"X{i:02d}"
        world.unit(code, "JG")
        world.entry(code, "2", 60 + i % 30)
    run = actions.compute_run(world.year, user=office)
    url = reverse("scoring:rankings", args=[run.pk])
    office_client.get(url)
    # 3 queries of the page itself (run, categories, results); the rest is the shell
    # (session, user, 2FA device, security policy, navigation, notifications).
    with django_assert_max_num_queries(13):
        response = office_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr") >= 45


def test_cards_and_result_lists_leave_the_categorys_input_snapshot(
    office_client: Client, unit_client: Client, published: ScoreRun, unit_org: Organization
) -> None:
    """The snapshot is megabytes for a province's category. A card's explanation reads it
    once per process (kept while the category's digest holds); after that a card, the
    unit's home and the API's result list (where it would come once a row) never do."""
    pages = [
        (office_client, reverse("scoring:card", args=[published.pk, unit_org.pk])),
        (unit_client, reverse("scoring:card", args=[published.pk, unit_org.pk])),
        (unit_client, "/"),
        (office_client, f"/api/v1/scoring/runs/{published.pk}/results/"),
    ]
    for client, url in pages:
        client.get(url)
    for client, url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        snapshot_reads = [q["sql"] for q in queries if '"scoring_runcategory"."data"' in q["sql"]]
        assert snapshot_reads == [], url


def test_the_api_gives_a_unit_only_its_own_row(
    unit_client: Client, published: ScoreRun, unit_org: Organization
) -> None:
    response = unit_client.get(f"/api/v1/scoring/runs/{published.pk}/results/")
    assert response.status_code == 200
    rows = response.json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert [r["unit"] for r in rows] == [unit_org.code]


def test_the_api_refuses_outsiders(personas: dict[str, User], published: ScoreRun) -> None:
    client = client_for(personas, "reviewer")
    assert client.get(f"/api/v1/scoring/runs/{published.pk}/results/").status_code == 403


def test_explained_categories_are_kept_by_the_units_they_hold(
    published: ScoreRun, world: World, office: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every category of a province fits (cards read in turn keep their snapshots read
    once); past the bound, the least recently explained category goes first."""
    from jixiao.scoring import views_support
    from jixiao.scoring.models import RunCategory

    second = actions.compute_run(world.year, user=office)  # its categories are new rows
    categories = list(RunCategory.objects.filter(run__in=[published, second]).order_by("pk"))
    units = [rc.unit_count for rc in categories]
    assert len(categories) >= 2
    monkeypatch.setattr(views_support, "_STATES", views_support.OrderedDict())
    for rc in categories:
        views_support.category_state(rc)
    assert len(views_support._STATES) == len(categories)

    monkeypatch.setattr("jixiao.scoring.actions.CACHE_UNITS", units[-1])
    views_support._STATES.clear()
    for rc in categories:
        views_support.category_state(rc)
    assert list(views_support._STATES) == [(categories[-1].pk, categories[-1].digest)]
