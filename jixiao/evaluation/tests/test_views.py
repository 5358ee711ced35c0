"""The pages: who may open what, the ballot page for accounts and for codes."""

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.roles import Role
from jixiao.core.testing import PERSONA_USERNAMES, login, make_user
from jixiao.evaluation import actions
from jixiao.evaluation.models import Ballot, DistributionPolicy, Reviewer
from jixiao.evaluation.tests.factories import ballot_post, make_setup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", PERSONA_USERNAMES)
def test_only_the_office_and_leaders_see_rounds(personas, username):
    setup = make_setup()
    client = login(Client(), personas[username])
    allowed = username in ("office", "leader")
    assert client.get(reverse("evaluation:round_list")).status_code == (200 if allowed else 403)
    detail = client.get(reverse("evaluation:round_detail", args=[setup.round.pk]))
    assert detail.status_code == (200 if allowed else 403)
    create = client.get(reverse("evaluation:round_create"))
    assert create.status_code == (200 if username == "office" else 403)
    ballots = client.get(reverse("evaluation:my_ballots"))
    assert ballots.status_code == (200 if username == "reviewer" else 403)


def test_a_reviewer_cannot_open_another_reviewers_ballot(reviewer):
    setup = make_setup()
    actions.open_round(setup.round)
    someone = make_user("rev2", Role.REVIEWER, reviewer.organization)
    other = actions.add_reviewer_accounts(setup.round, setup.leaders, [someone])[0]
    client = login(Client(), reviewer)
    assert client.get(reverse("evaluation:ballot", args=[other.pk])).status_code == 404
    post = {**ballot_post(setup, [80] * 5), "do": "submit"}
    assert client.post(reverse("evaluation:ballot", args=[other.pk]), post).status_code == 404
    assert not Ballot.objects.exists()


def test_a_reviewer_saves_a_draft_then_submits(reviewer):
    setup = make_setup()
    actions.open_round(setup.round)
    mine = actions.add_reviewer_accounts(setup.round, setup.leaders, [reviewer])[0]
    client = login(Client(), reviewer)
    url = reverse("evaluation:ballot", args=[mine.pk])
    page = client.get(url)
    assert "机关部门01" in page.content.decode()
    client.post(url, {**ballot_post(setup, [90, 85, "", "", ""]), "do": "save"})
    mine.refresh_from_db()
    assert len(mine.draft) == 2
    assert 'value="85"' in client.get(url).content.decode()
    done = client.post(
        url, {**ballot_post(setup, [90, 85, 80, 75, 70]), "do": "submit"}, follow=True
    )
    assert "不能再修改" in done.content.decode()
    assert Ballot.objects.count() == 1


def test_the_second_tab_is_told_clearly(reviewer):
    setup = make_setup()
    actions.open_round(setup.round)
    mine = actions.add_reviewer_accounts(setup.round, setup.leaders, [reviewer])[0]
    client = login(Client(), reviewer)
    url = reverse("evaluation:ballot", args=[mine.pk])
    client.post(url, {**ballot_post(setup, [90, 85, 80, 75, 70]), "do": "submit"})
    second = client.post(url, {**ballot_post(setup, [60] * 5), "do": "submit"})
    assert second.status_code == 409
    assert "已在其他页面提交" in second.content.decode()
    assert Ballot.objects.count() == 1


def test_the_refuse_policy_keeps_the_input_and_says_what_to_change(reviewer):
    setup = make_setup(policy=DistributionPolicy.REFUSE)
    actions.open_round(setup.round)
    mine = actions.add_reviewer_accounts(setup.round, setup.leaders, [reviewer])[0]
    client = login(Client(), reviewer)
    url = reverse("evaluation:ballot", args=[mine.pk])
    page = client.post(url, {**ballot_post(setup, [95, 92, 85, 80, 70]), "do": "submit"})
    text = page.content.decode()
    assert "最多 1 个" in text
    assert 'value="92"' in text
    assert not Ballot.objects.exists()


def test_a_ballot_code_opens_one_ballot_once(client):
    setup = make_setup()
    actions.open_round(setup.round)
    code = actions.issue_codes(setup.round, setup.grassroots, 1)[0].code
    url = reverse("evaluation:code_ballot", args=[code])
    assert "机关部门01" in client.get(url).content.decode()
    done = client.post(url, {**ballot_post(setup, [90, 85, 80, 75, 70]), "do": "submit"})
    assert "评议码已失效" in done.content.decode()
    used = client.get(url)
    assert "评议码已使用" in used.content.decode()
    again = client.post(url, {**ballot_post(setup, [60] * 5), "do": "submit"})
    assert "已在其他页面提交" in again.content.decode()
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize("code", ["NOPE0000", "x" * 40, "%00", "ABCDEFGH", "../../etc"])
def test_an_unknown_or_malformed_code_gets_a_friendly_page(client, code):
    make_setup()
    response = client.get(f"/evaluation/b/{code}/")
    assert response.status_code == 404
    assert "评议码无效" in response.content.decode()


def test_typed_codes_are_forgiving_about_case_and_dashes(client):
    setup = make_setup()
    actions.open_round(setup.round)
    code = actions.issue_codes(setup.round, setup.grassroots, 1)[0].code
    typed = f"{code[:4].lower()}-{code[4:]}"
    response = client.post(reverse("evaluation:code_entry"), {"code": typed}, follow=True)
    assert "机关部门01" in response.content.decode()


def test_the_office_sets_up_and_runs_a_round_through_the_pages(office_client):
    setup = make_setup()
    url = reverse("evaluation:round_setup", args=[setup.round.pk, "weights"])
    office_client.post(
        url,
        {
            "round_indicator": setup.ri.pk,
            f"w-{setup.leaders.pk}": "70",
            f"w-{setup.grassroots.pk}": "30",
            "items": "令行禁止、有呼必应 30\n综合评价 70",
        },
    )
    assert sorted(w.weight for w in setup.ri.weights.all()) == [30, 70]
    assert [i.name for i in setup.ri.items.all()] == ["令行禁止、有呼必应", "综合评价"]
    bad = office_client.post(
        url, {"round_indicator": setup.ri.pk, f"w-{setup.leaders.pk}": "70"}, follow=True
    )
    assert "应为 100%" in bad.content.decode()
    office_client.post(
        reverse("evaluation:round_setup", args=[setup.round.pk, "codes"]),
        {"group": setup.grassroots.pk, "count": 3},
    )
    assert Reviewer.objects.with_codes().count() == 3
    pdf = office_client.get(reverse("evaluation:slips", args=[setup.round.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    status = reverse("evaluation:round_status", args=[setup.round.pk])
    office_client.post(status, {"to": "open"})
    setup.round.refresh_from_db()
    assert setup.round.status == "open"
    refused = office_client.post(status, {"to": "closed"}, follow=True)
    assert "请确认票数不足" in refused.content.decode()
    office_client.post(status, {"to": "closed", "acknowledge": "1"})
    setup.round.refresh_from_db()
    assert setup.round.status == "closed"


def test_the_round_list_and_dashboard_take_a_fixed_number_of_queries(
    office_client, django_assert_max_num_queries
):
    from jixiao.evaluation import satisfaction

    setup = make_setup()
    for i in range(5):
        actions.create_round(
            type(setup.round)(year=setup.round.year, scheme=setup.round.scheme, name=f"轮次{i}")
        )
    window = satisfaction.add_window(setup.units[0], "窗口")
    for n in range(30):
        Client().post(
            reverse("rate:rate", args=[window.code]), {"choice": 1 + n % 5, "comment": f"意见{n}"}
        )
    with django_assert_max_num_queries(12):
        assert office_client.get(reverse("evaluation:round_list")).status_code == 200
    with django_assert_max_num_queries(18):  # 30 comments, 2 windows: not per row
        assert office_client.get(reverse("evaluation:dashboard")).status_code == 200


def test_the_reviewers_home_lists_ballots_to_cast_and_counts_those_cast(reviewer):
    setup = make_setup()
    actions.open_round(setup.round)
    mine = actions.add_reviewer_accounts(setup.round, setup.leaders, [reviewer])[0]
    client = login(Client(), reviewer)
    home = client.get("/").content.decode()
    assert "去评议" in home
    assert reverse("evaluation:ballot", args=[mine.pk]) in home
    actions.cast_ballot(mine, ballot_post(setup, [90, 85, 80, 75, 70]))
    home = client.get("/").content.decode()
    assert "已提交 1 张评议票" in home
    assert "去评议" not in home
