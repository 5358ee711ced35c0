"""Result rules (结果运用规则) edited by the office: pages, validation, optimistic locking,
audit, their use by the next computation, and award amounts (考核系数, YQ) on the
rankings, the report card and the Excel export."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core.testing import PERSONA_USERNAMES, download_from_job, login
from jixiao.scoring import actions
from jixiao.scoring.models import CategoryRules, RankingsAudience, UnitResult, YearRules
from jixiao.scoring.outcomes import payouts
from jixiao.scoring.tests.factories import World, liwan_world, publish

D = Decimal
pytestmark = pytest.mark.django_db

SCORES = [95, 90, 85, 80, 75, 70, 65, 60, 55, 50]


@pytest.fixture
def world() -> World:
    return liwan_world(SCORES)


def rules_post(version: int = 0, **changes: Any) -> dict[str, Any]:
    data = {
        "excellent_share": "20%",
        "good_share": "60%",
        "fourth_grade_count": "1",
        "fourth_grade_below": "",
        "model_count": "1",
        "advance_count": "1",
        "advance_min_rise": "1",
        "warning_bottom": "2",
        "warn_consecutive": "on",
        "award_base": "12,345.67",
        "category_factor": "1.2",
        "coefficient_excellent": "1.5",
        "coefficient_good": "1.2",
        "coefficient_pass": "1",
        "coefficient_fourth": "0.5",
        "last_place_zero": "",
        "version": str(version),
        "reason": "2026 年度结果运用办法",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def edit_url(world: World) -> str:
    return reverse("scoring:rules_category", args=[world.categories["ZF"].pk])


@pytest.mark.parametrize("name", list(PERSONA_USERNAMES))
def test_only_the_office_opens_or_saves_the_rules_pages(
    world: World, personas: dict[str, User], name: str
) -> None:
    client = login(Client(), personas[name])
    role = personas[name].role
    expected = 200 if role == "office" else 403
    pages = [
        reverse("scoring:rules") + "?year=2026",
        edit_url(world),
        reverse("scoring:rules_year", args=[2026]),
    ]
    for url in pages:
        assert client.get(url).status_code == expected, (name, url)
    if role != "office":
        assert client.post(edit_url(world), rules_post()).status_code == 403
        post = {"quarterly": "on", "weights": "25/25/25/25", "version": "0"}
        assert client.post(reverse("scoring:rules_year", args=[2026]), post).status_code == 403
        assert not CategoryRules.objects.exists()
        assert not YearRules.objects.exists()


def test_the_rules_page_lists_every_category_with_defaults_and_links_from_the_index(
    world: World, office_client: Client
) -> None:
    page = office_client.get(reverse("scoring:rules") + "?year=2026").content.decode()
    assert "政府及法检类" in page
    assert "默认规则" in page
    assert "前 30%" in page  # shares are shown as percentages
    index = office_client.get(reverse("scoring:index")).content.decode()
    assert reverse("scoring:rules") in index


def test_saving_creates_the_rules_with_an_audit_record_and_redirects(
    world: World, office_client: Client
) -> None:
    response = office_client.post(edit_url(world), rules_post())
    assert response.status_code == 302
    rules = CategoryRules.objects.get(category=world.categories["ZF"])
    assert rules.excellent_share == D("0.2")
    assert rules.good_share == D("0.6")
    assert rules.award_base == D("12345.67")
    assert rules.version == 1
    event = AuditEvent.objects.get(object_type="scoring.categoryrules")
    assert event.action == AuditAction.CREATE
    assert event.reason == "2026 年度结果运用办法"
    page = office_client.get(reverse("scoring:rules") + "?year=2026").content.decode()
    assert "12345.67" in page
    assert "默认规则" not in page


def test_an_update_is_audited_with_before_and_after(world: World, office_client: Client) -> None:
    office_client.post(edit_url(world), rules_post())
    response = office_client.post(edit_url(world), rules_post(version=1, excellent_share="30%"))
    assert response.status_code == 302
    rules = CategoryRules.objects.get()
    assert rules.excellent_share == D("0.3")
    assert rules.version == 2
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.before == {"excellent_share": "0.2000"}
    assert event.after == {"excellent_share": "0.3000"}


def test_a_stale_form_does_not_overwrite_someone_elses_save(
    world: World, office_client: Client
) -> None:
    office_client.post(edit_url(world), rules_post())
    office_client.post(edit_url(world), rules_post(version=1, model_count="2"))
    # A form rendered at version 1 comes back after the save above.
    response = office_client.post(edit_url(world), rules_post(version=1, model_count="5"))
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert CategoryRules.objects.get().model_count == 2
    # Two people creating the rules at once: the second is refused too.
    response = office_client.post(edit_url(world), rules_post(version=0, model_count="7"))
    assert "已被他人修改" in response.content.decode()
    assert CategoryRules.objects.get().model_count == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"excellent_share": "0"}, "优秀比例应大于 0 且不超过 100%"),
        ({"excellent_share": "130%"}, "优秀比例应大于 0 且不超过 100%"),
        ({"excellent_share": "三成"}, "不是有效的数字"),
        ({"good_share": "10%"}, "良好累计比例必须大于优秀比例"),
        ({"fourth_grade_below": "101"}, "分数不能高于本类别满分 100"),
        ({"award_base": "-1"}, "不能小于 0"),
        ({"award_base": "1.234"}, "最多 2 位小数"),
        ({"category_factor": "0"}, "类别系数应大于 0 且不超过 10"),
        ({"coefficient_good": "1.6"}, "等次系数应逐级不增"),
        ({"coefficient_pass": "11"}, "系数不能超过 10"),
        ({"warning_bottom": "-1"}, "0"),
    ],
)
def test_bad_rules_get_a_chinese_message_and_nothing_is_saved(
    world: World, office_client: Client, changes: dict[str, str], message: str
) -> None:
    response = office_client.post(edit_url(world), rules_post(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CategoryRules.objects.exists()
    assert not AuditEvent.objects.filter(object_type="scoring.categoryrules").exists()


def test_the_next_computation_uses_the_saved_grades_awards_and_warnings(
    world: World, office_client: Client, office: User
) -> None:
    office_client.post(edit_url(world), rules_post(advance_count="0"))
    run = actions.compute_run(world.year, user=office)
    grades = dict(
        UnitResult.objects.filter(run=run).values_list("unit__code", "grade").order_by("position")
    )
    # 10 units: 优秀 = top 20% (2), 良好 = up to 60% (next 4), 第四等次 = last one.
    assert grades == {
        "U00": "优秀",
        "U01": "优秀",
        "U02": "良好",
        "U03": "良好",
        "U04": "良好",
        "U05": "良好",
        "U06": "合格",
        "U07": "合格",
        "U08": "合格",
        "U09": "第四等次",
    }
    awards = {
        code: [a[0] for a in awards]
        for code, awards in UnitResult.objects.filter(run=run).values_list("unit__code", "awards")
        if awards
    }
    assert awards == {"U00": ["标兵"], "U01": ["优秀"]}
    warned = sorted(
        code
        for code, warnings in UnitResult.objects.filter(run=run).values_list(
            "unit__code", "warnings"
        )
        if warnings
    )
    assert warned == ["U08", "U09"]
    assert run.categories.get().rules["award_base"] == "12345.67"


def test_award_amounts_worked_example() -> None:
    """Base 12,345.67 元, category factor 1.2 (front line), 优秀 1.5, 良好 1.2, 合格 1.0,
    第四等次 0.5: 12,345.67 × 1.5 × 1.2 = 22,222.206 → 22,222.21 元;
    × 1.2 × 1.2 = 17,777.7648 → 17,777.76; × 1.2 = 14,814.804 → 14,814.80;
    × 0.5 × 1.2 = 7,407.402 → 7,407.40; with 末位零绩效 the last place gets 0."""
    rules = {
        "award_base": "12345.67",
        "category_factor": "1.2",
        "coefficients": {"优秀": "1.5", "良好": "1.2", "合格": "1", "第四等次": "0.5"},
        "last_place_zero": False,
    }
    rows = [("A", "优秀", 1), ("B", "良好", 2), ("C", "合格", 3), ("D", "第四等次", 4)]
    result = payouts(rules, rows, "ZF")
    assert {c: p.coefficient for c, p in result.items()} == {
        "A": D("1.80"),
        "B": D("1.44"),
        "C": D("1.2"),
        "D": D("0.60"),
    }
    assert {c: p.amount for c, p in result.items()} == {
        "A": D("22222.21"),
        "B": D("17777.76"),
        "C": D("14814.80"),
        "D": D("7407.40"),
    }
    zero_last = payouts({**rules, "last_place_zero": True}, rows, "ZF")
    assert zero_last["D"].amount == D("0.00")
    assert zero_last["C"].amount == D("14814.80")
    assert payouts({**rules, "award_base": None}, rows) == {}


def test_award_amounts_appear_on_rankings_card_and_excel(
    world: World, office_client: Client, office: User
) -> None:
    office_client.post(edit_url(world), rules_post(last_place_zero="on"))
    run = actions.compute_run(world.year, user=office)
    rankings = office_client.get(reverse("scoring:rankings", args=[run.pk])).content.decode()
    assert "奖励金额（元）" in rankings
    assert "22222.21" in rankings  # 优秀
    assert "17777.76" in rankings  # 良好
    assert "14814.80" in rankings  # 合格
    # Filtered to one grade, the amounts still come from the whole category.
    filtered = office_client.get(
        reverse("scoring:rankings", args=[run.pk]) + "?grade=第四等次"
    ).content.decode()
    assert "0.00" in filtered  # 末位零绩效
    assert "7407.40" not in filtered
    top = UnitResult.objects.get(run=run, unit__code="U00")
    card = office_client.get(reverse("scoring:card", args=[run.pk, top.unit_id])).content.decode()
    assert "考核系数" in card
    assert "22222.21" in card
    response = download_from_job(office_client, reverse("scoring:export_xlsx", args=[run.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["成绩汇总"]
    header = [c.value for c in sheet[1]]
    amount_col = header.index("奖励金额（元）")
    amounts = {row[2]: row[amount_col] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert D(str(amounts["U00"])) == D("22222.21")
    assert D(str(amounts["U09"])) == D("0")
    pdf = office_client.get(reverse("scoring:card_pdf", args=[run.pk, top.unit_id]))
    assert pdf.status_code == 200


def test_a_published_run_keeps_its_rules_and_amounts_after_the_rules_change(
    world: World, office_client: Client, office: User
) -> None:
    office_client.post(edit_url(world), rules_post())
    run = actions.compute_run(world.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    office_client.post(edit_url(world), rules_post(version=1, award_base="100"))
    top = UnitResult.objects.get(run=run, unit__code="U00")
    card = office_client.get(reverse("scoring:card", args=[run.pk, top.unit_id])).content.decode()
    assert "22222.21" in card
    newer = actions.compute_run(world.year, user=office)
    top = UnitResult.objects.get(run=newer, unit__code="U00")
    card = office_client.get(reverse("scoring:card", args=[newer.pk, top.unit_id])).content.decode()
    assert "180.00" in card


def test_no_award_base_means_no_amount_columns(
    world: World, office_client: Client, office: User
) -> None:
    run = actions.compute_run(world.year, user=office)
    rankings = office_client.get(reverse("scoring:rankings", args=[run.pk])).content.decode()
    assert "奖励金额" not in rankings


def test_the_quarterly_option_is_validated_and_saved_with_audit(
    world: World, office_client: Client
) -> None:
    url = reverse("scoring:rules_year", args=[2026])
    # The page says how quarters are formed (and no longer that it is not wired).
    page = office_client.get(url).content.decode()
    assert "季度积分的计算尚未接入" not in page
    assert "年度数据归第四季度" in page
    bad = office_client.post(url, {"quarterly": "on", "weights": "30/30/30/30", "version": "0"})
    assert "四个季度的权重合计必须为 100%" in bad.content.decode()
    bad = office_client.post(url, {"quarterly": "on", "weights": "50/50", "version": "0"})
    assert "请填写四个季度的权重" in bad.content.decode()
    bad = office_client.post(url, {"quarterly": "on", "weights": "", "version": "0"})
    assert "启用季度积分时必须填写季度权重" in bad.content.decode()
    assert not YearRules.objects.exists()
    ok = office_client.post(url, {"quarterly": "on", "weights": "20%/20%/20%/40%", "version": "0"})
    assert ok.status_code == 302
    rules = YearRules.objects.get()
    assert rules.quarterly is True
    assert rules.quarter_weights == ["0.2", "0.2", "0.2", "0.4"]
    assert AuditEvent.objects.filter(object_type="scoring.yearrules").count() == 1
    stale = office_client.post(url, {"weights": "0.25,0.25,0.25,0.25", "version": "0"})
    assert "已被他人修改" in stale.content.decode()
    assert YearRules.objects.get().quarterly is True
