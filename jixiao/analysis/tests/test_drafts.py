"""A saved scenario becomes next year's scheme draft: a recorded revision with a reason
that names the scenario; the draft's points, methods and parameters are the scenario's;
this year's scheme, data and run stay as they were; only the office may do it, and not
once next year's scheme is published."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.analysis import actions
from jixiao.analysis.loading import run_states
from jixiao.analysis.models import Scenario
from jixiao.analysis.scenarios import evaluate_category
from jixiao.analysis.tests.test_views import run, world  # noqa: F401
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Entry
from jixiao.core.testing import login, page_text
from jixiao.org.models import AssessmentYear
from jixiao.org.tests.factories import AssessmentYearFactory, UnitCategoryFactory
from jixiao.scheme import actions as scheme_actions
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import Indicator, IndicatorPoints, Scheme, SchemeRevision, SchemeStatus
from jixiao.scheme.tree import canonical_params
from jixiao.scoring.models import RunCategory, ScoreRun, UnitResult
from jixiao.scoring.tests.factories import World

D = Decimal
pytestmark = pytest.mark.django_db

CHANGES: dict[str, Any] = {
    "JG": {
        "points": {"1.1.1": "35"},
        "drop": ["3.2"],
        "params": {"1.2.1": {"per_occurrence": "2"}},
        "rules": {"excellent_share": "0.5"},
    }
}


@pytest.fixture
def next_year(world: World) -> AssessmentYear:  # noqa: F811
    upcoming = AssessmentYearFactory(year=world.year.year + 1)
    UnitCategoryFactory(year=upcoming, code="JG", name="机关部门", scale=100)
    return upcoming


@pytest.fixture
def scenario(run: ScoreRun) -> Scenario:  # noqa: F811
    return Scenario.objects.create(run=run, name="提高完成率权重", changes=CHANGES)


def _this_year(run: ScoreRun) -> list[Any]:  # noqa: F811
    """What turning a scenario into next year's draft must never change."""
    year = run.year
    return [
        list(
            Indicator.objects.filter(scheme__year=year)
            .order_by("pk")
            .values_list("code", "method", "params", "parent_id")
        ),
        list(
            IndicatorPoints.objects.filter(indicator__scheme__year=year)
            .order_by("pk")
            .values_list("indicator_id", "points")
        ),
        list(Scheme.objects.filter(year=year).values_list("status", "version", "name")),
        list(Entry.objects.order_by("pk").values_list("value", "reference", "grade", "status")),
        list(ScoreRun.objects.order_by("pk").values_list("status", "fingerprint", "version")),
        list(RunCategory.objects.order_by("pk").values_list("digest", "patches", "rules")),
        list(UnitResult.objects.order_by("pk").values_list("total", "rank", "grade", "awards")),
    ]


def _draft_of(year: AssessmentYear) -> dict[str, Any]:
    scheme = Scheme.objects.get(year=year)
    return {
        n.code: (n.points.get("JG"), n.method, canonical_params(n.method, n.params))
        for n in load_nodes(scheme)
    }


def test_the_draft_gets_the_scenarios_points_methods_and_parameters(
    office_client: Client, scenario: Scenario, next_year: AssessmentYear
) -> None:
    before = _this_year(scenario.run)
    response = office_client.post(
        reverse("analysis:draft", args=[scenario.pk]), {"reason": "完成率权重过低"}
    )
    draft = Scheme.objects.get(year=next_year)
    assert response.status_code == 302
    assert response["Location"] == reverse("scheme:scheme_detail", args=[draft.pk])
    assert draft.status == SchemeStatus.DRAFT
    assert draft.based_on == Scheme.objects.get(year=scenario.run.year)

    outcome = evaluate_category(run_states(scenario.run)[0], CHANGES["JG"])
    assert outcome.tree is not None
    simulated = {
        n.code: (n.points, n.method or "", canonical_params(n.method or "", n.params))
        for n in outcome.tree.nodes
    }
    assert _draft_of(next_year) == simulated
    assert simulated["1.1.1"][0] == D(35)
    assert simulated["1.1.2"][0] == D(5)
    assert simulated["3.1"][0] == D(20)
    assert "3.2" not in simulated
    assert simulated["1.2.1"][2] == {"per_occurrence": "2"}
    assert _this_year(scenario.run) == before  # this year's scheme, data and run are untouched

    revision = SchemeRevision.objects.get(scheme=draft)
    assert revision.number == 1
    assert revision.reason == "依据情景模拟“提高完成率权重”：完成率权重过低"
    assert revision.summary["origin"]["scenario_id"] == scenario.pk
    assert [n["code"] for n in revision.summary["removed"]] == ["3.2"]
    assert AuditEvent.objects.filter(object_type="analysis.scenario", reason="完成率权重过低")

    editor = page_text(office_client.get(reverse("scheme:scheme_detail", args=[draft.pk])))
    assert f"依据情景模拟“提高完成率权重”（{scenario.run} 计分）" in editor
    notices = page_text(office_client.get(reverse("scheme:revision_list", args=[draft.pk])))
    assert "发布前的草稿修订" in notices
    assert "完成率权重过低" in notices
    page = page_text(office_client.get(reverse("analysis:scenario", args=[scenario.pk])))
    assert "第 1 次修订" in page


def test_the_scenario_is_applied_to_an_existing_draft_as_a_new_revision(
    office: User, scenario: Scenario, next_year: AssessmentYear
) -> None:
    this_year = Scheme.objects.get(year=scenario.run.year)
    draft = scheme_actions.create_scheme(next_year, "2027 年度方案", copy_from=this_year)
    renamed = [replace(n, name="领导评价") if n.code == "2" else n for n in load_nodes(draft)]
    scheme_actions.revise_draft(draft, renamed, reason="改名", user=office)
    revision = actions.draft_next_scheme(scenario, reason="采纳情景", user=office)
    assert revision.scheme == draft
    assert revision.number == 2
    assert Scheme.objects.filter(year=next_year).count() == 1
    nodes = {n.code: n for n in load_nodes(draft)}
    assert nodes["1.1.1"].points["JG"] == D(35)
    assert nodes["2"].name == "领导评价"  # the draft's own earlier edit is kept


def test_it_is_refused_once_next_years_scheme_is_published(
    office: User, scenario: Scenario, next_year: AssessmentYear
) -> None:
    this_year = Scheme.objects.get(year=scenario.run.year)
    draft = scheme_actions.create_scheme(next_year, "2027 年度方案", copy_from=this_year)
    Scheme.objects.filter(pk=draft.pk).update(status=SchemeStatus.PUBLISHED)
    before = _draft_of(next_year)
    with pytest.raises(actions.ScenarioError, match="已发布"):
        actions.draft_next_scheme(scenario, reason="采纳情景", user=office)
    assert _draft_of(next_year) == before
    assert not SchemeRevision.objects.exists()


def test_it_needs_next_year_a_reason_and_changes_to_the_tree(
    office_client: Client,
    office: User,
    scenario: Scenario,
    run: ScoreRun,  # noqa: F811
) -> None:
    with pytest.raises(actions.ScenarioError, match="还没有建立 2027 年度"):
        actions.draft_next_scheme(scenario, reason="采纳", user=office)
    AssessmentYearFactory(year=2027)
    with pytest.raises(actions.ScenarioError, match="请填写"):
        actions.draft_next_scheme(scenario, reason="  ", user=office)
    rules_only = Scenario.objects.create(
        run=run, name="只改规则", changes={"JG": {"rules": {"excellent_share": "0.5"}}}
    )
    response = office_client.post(reverse("analysis:draft", args=[rules_only.pk]), {"reason": "x"})
    assert "无需转为方案草稿" in page_text(office_client.get(response["Location"]))
    assert not Scheme.objects.filter(year__year=2027).exists()


def test_only_the_office_turns_a_scenario_into_a_draft(
    personas: dict[str, User], scenario: Scenario, next_year: AssessmentYear
) -> None:
    for name, user in personas.items():
        if name == "office":
            continue
        client = login(Client(), user)
        response = client.post(reverse("analysis:draft", args=[scenario.pk]), {"reason": "x"})
        assert response.status_code == 403, name
        assert client.get(reverse("analysis:draft", args=[scenario.pk])).status_code == 403
    assert not Scheme.objects.filter(year=next_year).exists()
    office_client = login(Client(), personas["office"])
    assert office_client.get(reverse("analysis:draft", args=[scenario.pk])).status_code == 405
    assert office_client.post(reverse("analysis:draft", args=[999]), {}).status_code == 404


def _tree_in_two_categories() -> list[Any]:
    from jixiao.scheme.tree import NodeData

    both = {"JG": D(100), "ZF": D(100)}
    return [
        NodeData("1", None, 1, "实绩", "individual", points=both),
        NodeData(
            "1.1",
            "1",
            2,
            "依法行政",
            "common",
            method="deduction",
            params={"per_occurrence": "1"},
            points={"JG": D(40), "ZF": D(40)},
        ),
        NodeData(
            "1.2",
            "1",
            2,
            "完成率",
            "individual",
            method="completion",
            points={"JG": D(60), "ZF": D(60)},
        ),
    ]


def test_a_parameter_that_would_differ_between_categories_is_refused() -> None:
    from jixiao.analysis.drafting import DraftError, apply_scenario

    scales = {"JG": D(100), "ZF": D(100)}
    one_category = {"JG": {"points": {"1.1": "60"}}}  # 按次扣分 per occurrence follows the points
    with pytest.raises(DraftError, match="各考核类别的计分方法或参数不一致"):
        apply_scenario(_tree_in_two_categories(), one_category, scales)
    both = {"JG": {"points": {"1.1": "60"}}, "ZF": {"points": {"1.1": "60"}}}
    nodes = {n.code: n for n in apply_scenario(_tree_in_two_categories(), both, scales)}
    assert nodes["1.1"].points == {"JG": D(60), "ZF": D(60)}
    assert nodes["1.1"].params == {"per_occurrence": "1.5"}
    assert nodes["1.2"].points == {"JG": D(40), "ZF": D(40)}


def test_an_indicator_dropped_in_one_category_keeps_its_points_in_the_other() -> None:
    from jixiao.analysis.drafting import apply_scenario

    scales = {"JG": D(100), "ZF": D(100)}
    nodes = {
        n.code: n
        for n in apply_scenario(_tree_in_two_categories(), {"ZF": {"drop": ["1.1"]}}, scales)
    }
    assert nodes["1.1"].points == {"JG": D(40)}
    assert nodes["1.2"].points == {"JG": D(60), "ZF": D(100)}
    gone = apply_scenario(
        _tree_in_two_categories(), {"ZF": {"drop": ["1.1"]}, "JG": {"drop": ["1.1"]}}, scales
    )
    assert [n.code for n in gone] == ["1", "1.2"]
