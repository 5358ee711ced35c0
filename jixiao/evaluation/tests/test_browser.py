"""In Debian's chromium: a reviewer stopped by the live distribution counter, and the
public rating page on a phone-sized screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from jixiao.evaluation import actions, satisfaction
from jixiao.evaluation.models import Ballot, DistributionPolicy
from jixiao.evaluation.public_models import SatisfactionRating
from jixiao.evaluation.tests.factories import make_setup

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _foreign(sink: list[str]) -> Any:
    def on_request(request: Any) -> None:
        if urlparse(request.url).hostname not in ("localhost", "127.0.0.1"):
            sink.append(request.url)

    return on_request


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_is_stopped_by_the_live_counter_then_submits(browser: Any, live_server: Any):
    ARTIFACTS.mkdir(exist_ok=True)
    setup = make_setup(n_units=5, policy=DistributionPolicy.REFUSE)
    actions.open_round(setup.round)
    code = actions.issue_codes(setup.round, setup.leaders, 1)[0].code
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    foreign: list[str] = []
    page.on("request", _foreign(foreign))
    page.goto(f"{live_server.url}/evaluation/b/{code}/")
    cells = page.locator("input.jx-score")
    assert cells.count() == 5
    for i, score in enumerate(["95", "92", "85", "80", "70"]):
        cells.nth(i).fill(score)
    counter = page.locator("td.jx-dist")
    assert "2/最多 1" in counter.inner_text()
    assert "is-bad" in (counter.get_attribute("class") or "")
    assert page.locator("#jx-submit").is_disabled()
    assert page.locator("#jx-dist-block").is_visible()
    page.screenshot(path=str(ARTIFACTS / "ballot-stopped.png"), full_page=True)
    cells.nth(1).fill("88")
    assert "is-ok" in (counter.get_attribute("class") or "")
    assert page.locator("#jx-submit").is_enabled()
    page.click("#jx-submit")
    page.wait_for_selector("text=感谢您参与评议")
    assert Ballot.objects.count() == 1
    assert foreign == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_rating_page_works_on_a_phone(browser: Any, live_server: Any):
    ARTIFACTS.mkdir(exist_ok=True)
    setup = make_setup(n_units=1)
    window = satisfaction.add_window(setup.units[0], "综合窗口", "户籍办理\n社保咨询")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    foreign: list[str] = []
    page.on("request", _foreign(foreign))
    page.goto(f"{live_server.url}/r/{window.code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "rating-phone.png"), full_page=True)
    page.select_option("#item", "社保咨询")
    page.fill("#comment", "窗口人员很耐心")
    page.tap("button.choice.c4")
    page.wait_for_selector("text=感谢您的评价")
    page.screenshot(path=str(ARTIFACTS / "rating-phone-thanks.png"), full_page=True)
    rating = SatisfactionRating.objects.get()
    assert (rating.choice, rating.item, rating.comment) == (4, "社保咨询", "窗口人员很耐心")
    assert foreign == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_sees_the_distribution_counter_turn_red_in_the_collection_grid(
    browser: Any, live_server: Any, department: Any
):
    from django.urls import reverse

    from jixiao.collection.tests.test_browser import _page
    from jixiao.evaluation.tests.test_qualitative import _qualitative

    ARTIFACTS.mkdir(exist_ok=True)
    setup = make_setup(n_units=5)
    indicator = _qualitative(setup, department, ["8"] * 5, DistributionPolicy.REFUSE)
    page = _page(browser, live_server, department)
    url = reverse("collection:workspace", args=[setup.period.pk])
    page.goto(f"{live_server.url}{url}?indicator={indicator.pk}")
    cells = page.locator('input[data-col="1"]:not([disabled])')
    n = cells.count()
    assert n >= 5
    for i in range(n):  # one at ≥ 9 of 10 points, two below 8, the rest between
        cells.nth(i).fill("9.2" if i == 0 else "7" if i >= n - 2 else "8.5")
    counter = page.locator(".jx-dist")
    assert "is-ok" in (counter.get_attribute("class") or "")
    cells.nth(1).fill("9.5")  # a second unit at ≥ 9: more than 30% of n allows
    assert "is-bad" in (counter.get_attribute("class") or "")
    assert "≥9：2/最多 1" in counter.inner_text()
    page.screenshot(path=str(ARTIFACTS / "grid-distribution-red.png"), full_page=True)
    cells.nth(0).focus()
    page.keyboard.press("Enter")  # the shared grid keyboard: down the column
    assert cells.nth(1).evaluate("el => el === document.activeElement")
    page.context.close()
