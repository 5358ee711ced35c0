"""Analysis pages: only the office enters; a scenario re-ranks exactly like the changed
scheme would and never touches the real year; the quality report and its export."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.analysis.loading import run_states
from jixiao.analysis.models import Scenario
from jixiao.analysis.scenarios import evaluate_category
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Entry
from jixiao.core.testing import login
from jixiao.org.models import Organization
from jixiao.scheme.models import Indicator, IndicatorPoints
from jixiao.scoring import actions
from jixiao.scoring.models import RunCategory, ScoreRun, UnitResult
from jixiao.scoring.tests.factories import World, zhangjiagang_world

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(department_org: Organization) -> World:
    w = zhangjiagang_world(department=department_org)
    figures = {"JD1": (95, 90), "JD2": (96, 89), "JD3": (80, 70), "JD4": (88, 85)}
    for code, (actual, done) in figures.items():
        w.unit(code, "JG", staffing=30)
        w.entry(code, "1.1.1", actual, 100)
        w.entry(code, "1.1.2", done, 100)
        w.entry(code, "1.2.1", 1)
        w.entry(code, "1.2.2", grade="A")
        w.entry(code, "2", 90)
        w.entry(code, "3.1", 90)
        w.entry(code, "3.2", 90)
    return w


@pytest.fixture
def run(world: World, office: User) -> ScoreRun:
    return actions.compute_run(world.year, user=office)


def _scenario(run: ScoreRun, changes: dict[str, Any] | None = None) -> Scenario:
    return Scenario.objects.create(run=run, name="提高完成率权重", changes=changes or {})


def _real_year() -> list[Any]:
    """Everything a scenario must never change, as plain values."""
    return [
        list(Indicator.objects.order_by("pk").values_list("code", "method", "params")),
        list(IndicatorPoints.objects.order_by("pk").values_list("indicator_id", "points")),
        list(Entry.objects.order_by("pk").values_list("value", "reference", "grade", "status")),
        list(ScoreRun.objects.order_by("pk").values_list("status", "fingerprint", "version")),
        list(RunCategory.objects.order_by("pk").values_list("digest", "patches", "rules")),
        list(UnitResult.objects.order_by("pk").values_list("total", "rank", "grade", "awards")),
    ]


def test_only_the_office_opens_the_analysis_pages(personas: dict[str, User], run: ScoreRun) -> None:
    scenario = _scenario(run)
    pages = [
        reverse("analysis:index"),
        reverse("analysis:report", args=[run.pk]),
        reverse("analysis:report_xlsx", args=[run.pk]),
        reverse("analysis:summary", args=[run.pk]),
        reverse("analysis:scenarios", args=[run.pk]),
        reverse("analysis:scenario", args=[scenario.pk]),
    ]
    for name, user in personas.items():
        client = login(Client(), user)
        for url in pages:
            expected = 200 if name == "office" else 403
            assert client.get(url).status_code == expected, (name, url)
        posted = client.post(reverse("analysis:save", args=[scenario.pk]), {"category": "JG"})
        assert posted.status_code == (302 if name == "office" else 403), name
    assert Scenario.objects.get().changes == {}


def test_a_scenario_that_does_not_exist_is_not_found(office_client: Client) -> None:
    assert office_client.get(reverse("analysis:scenario", args=[999])).status_code == 404


def test_re_ranking_matches_a_full_computation_of_the_changed_scheme(
    world: World, run: ScoreRun, office: User
) -> None:
    changes = {"points": {"1.1.1": "35"}, "rules": {"excellent_share": "0.5"}}
    state = run_states(run)[0]
    outcome = evaluate_category(state, changes)
    assert not outcome.problems
    points = outcome.points
    assert points["1.1.1"] == D(35)
    assert points["1.1.2"] == D(5)  # the sibling gives up the difference
    # The office now really changes the scheme and the rules, and computes again.
    for code in ("1.1.1", "1.1.2"):
        IndicatorPoints.objects.filter(indicator=world.indicators[code]).update(points=points[code])
    from jixiao.scoring.models import CategoryRules

    CategoryRules.objects.create(category=world.categories["JG"], excellent_share=D("0.5"))
    real = actions.compute_run(world.year, user=office)
    stored = {
        r.unit.code: (r.total, r.rank, r.grade, tuple(a[0] for a in r.awards))
        for r in UnitResult.objects.filter(run=real).select_related("unit")
    }
    simulated = {
        m.unit_code: (m.after.total, m.after.rank, m.after.grade, m.after.awards)
        for m in outcome.moves
    }
    assert simulated == stored
    assert any(m.rank_change for m in outcome.moves)


def test_trying_and_saving_a_scenario_leaves_the_real_year_untouched(
    office_client: Client, run: ScoreRun
) -> None:
    before = _real_year()
    office_client.post(reverse("analysis:scenarios", args=[run.pk]), {"name": "方案甲"})
    scenario = Scenario.objects.get(name="方案甲")
    form = {
        "category": "JG",
        "version": "1",
        "p:1.1.1": "35",
        "d:3.2": "1",
        "r:tie_policy": "include",
    }
    preview = office_client.post(reverse("analysis:preview", args=[scenario.pk]), form)
    assert preview.status_code == 200
    assert "模拟名次" in preview.content.decode()
    saved = office_client.post(reverse("analysis:save", args=[scenario.pk]), form)
    assert saved.status_code == 302
    scenario.refresh_from_db()
    assert scenario.changes == {
        "JG": {"points": {"1.1.1": "35"}, "drop": ["3.2"], "rules": {"tie_policy": "include"}}
    }
    assert office_client.get(reverse("analysis:scenario", args=[scenario.pk])).status_code == 200
    assert _real_year() == before
    assert AuditEvent.objects.filter(object_type="analysis.scenario").count() == 2


def test_a_stale_form_does_not_overwrite_a_newer_scenario(
    office_client: Client, run: ScoreRun
) -> None:
    scenario = _scenario(run, {"JG": {"points": {"1.1.1": "30"}}})
    scenario.version = 2
    Scenario.objects.filter(pk=scenario.pk).update(version=2)
    office_client.post(
        reverse("analysis:save", args=[scenario.pk]),
        {"category": "JG", "version": "1", "p:1.1.1": "20"},
    )
    assert Scenario.objects.get().changes == {"JG": {"points": {"1.1.1": "30"}}}


def test_an_impossible_change_is_refused_in_chinese(office_client: Client, run: ScoreRun) -> None:
    scenario = _scenario(run)
    response = office_client.post(
        reverse("analysis:preview", args=[scenario.pk]), {"category": "JG", "p:1.1.1": "90"}
    )
    assert "不能超过上级的 40 分" in response.content.decode()


def test_two_scenarios_are_compared_side_by_side(office_client: Client, run: ScoreRun) -> None:
    first = _scenario(run, {"JG": {"points": {"1.1.1": "35"}}})
    second = Scenario.objects.create(run=run, name="乙", changes={"JG": {"drop": ["2"]}})
    response = office_client.get(reverse("analysis:compare") + f"?a={first.pk}&b={second.pk}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "提高完成率权重" in page
    assert "乙" in page


def test_the_run_page_announces_how_many_decisions_hinge_on_a_fraction(
    office_client: Client, run: ScoreRun
) -> None:
    page = office_client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    assert reverse("analysis:summary", args=[run.pk]) in page
    summary = office_client.get(reverse("analysis:summary", args=[run.pk])).content.decode()
    assert "个等次取决于不足 0.1 分" in summary


def test_the_quality_report_names_flat_indicators_and_exports_them(
    office_client: Client, world: World, office: User
) -> None:
    Entry.objects.filter(indicator=world.indicators["1.2.2"]).update(grade="A")
    run = actions.compute_run(world.year, user=office)
    page = office_client.get(reverse("analysis:report", args=[run.pk])).content.decode()
    assert '<span class="badge text-bg-danger">打和牌</span>' in page
    assert "echarts.min.js" in page
    response = office_client.get(reverse("analysis:report_xlsx", args=[run.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["指标质量", "高度相关指标", "排名稳健性", "不足0.1分的决定"]
    flat = [row[1] for row in book["指标质量"].iter_rows(min_row=2, values_only=True) if row[7]]
    assert flat == ["1.2.2"]
    assert AuditEvent.objects.filter(action="export", object_type="scoring.scorerun").exists()


def test_the_report_and_scenario_pages_run_a_bounded_number_of_queries(
    office_client: Client, run: ScoreRun, django_assert_max_num_queries: Any
) -> None:
    scenario = _scenario(run, {"JG": {"points": {"1.1.1": "35"}}})
    office_client.get(reverse("analysis:report", args=[run.pk]))  # loads the snapshot once
    with django_assert_max_num_queries(12):
        office_client.get(reverse("analysis:report", args=[run.pk]))
    with django_assert_max_num_queries(14):
        office_client.get(reverse("analysis:scenario", args=[scenario.pk]))
    with django_assert_max_num_queries(12):
        office_client.post(
            reverse("analysis:preview", args=[scenario.pk]), {"category": "JG", "p:1.1.1": "30"}
        )


@pytest.mark.parametrize("bad", ["²", "9" * 40, "", "1.0"])
def test_comparing_scenarios_with_malformed_ids_is_not_found(
    office_client: Client, bad: str
) -> None:
    response = office_client.get(reverse("analysis:compare"), {"a": bad, "b": "1"})
    assert response.status_code == 404
