"""In the browser: a unit enters its month's progress on the grid (keyboard, Ctrl+S), and
the 绩效比拼 board draws its charts and rotates its panels on the big screen."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from jixiao.accounts.models import User
from jixiao.core.testing import PASSWORD
from jixiao.monitoring import actions
from jixiao.monitoring.models import Progress
from jixiao.monitoring.tests.conftest import Monitored

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".jx-page-head h1")


def _page(browser: Any, errors: list[str], **kwargs: Any) -> Any:
    context = browser.new_context(locale="zh-CN", **kwargs)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_unit_enters_its_progress_with_the_keyboard_and_sees_its_light(
    browser: Any, live_server: Any, monitored: Monitored, unit: User
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1360, "height": 900})
    _login(page, live_server.url, unit.username)
    page.goto(f"{live_server.url}/monitoring/2026/mine/?month=10")
    page.click("text=填报本月进度")
    field = page.locator(f"input[name='value-{monitored.target.pk}']")
    field.fill("1000")
    field.press("Tab")
    page.keyboard.type("按计划推进")
    page.screenshot(path=str(ARTIFACTS / "monitoring-progress.png"), full_page=True)
    page.keyboard.press("Control+s")
    page.wait_for_selector("text=已保存 1 项进度草稿")
    row = Progress.objects.get(target=monitored.target, month=10)
    assert (row.value, row.narrative, row.is_draft) == (D(1000), "按计划推进", True)
    assert "草稿" in page.inner_text("tbody")
    page.click("text=提交本月进度")
    page.wait_for_selector("text=已提交 1 项进度")
    assert not Progress.objects.get(target=monitored.target, month=10).is_draft
    assert "绿灯" in page.inner_text("tbody")
    assert [e for e in errors if "Content Security Policy" in e] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_board_draws_its_charts_and_rotates_its_panels_on_the_big_screen(
    browser: Any, live_server: Any, monitored: Monitored, unit: User, office: User
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    actions.enter_progress(unit, monitored.target, 10, D(900))
    actions.publish_report(office, monitored.world.scheme, 10)
    errors: list[str] = []
    page = _page(browser, errors, viewport={"width": 1920, "height": 1080})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _login(page, live_server.url, unit.username)
    page.goto(f"{live_server.url}/monitoring/2026/board/?month=10&screen=1&every=3")
    page.wait_for_selector("#jx-board-progress canvas")
    assert page.locator(".jx-board-panel.is-shown").count() == 1
    assert "数据盘点" in page.inner_text(".jx-board-panel.is-shown")
    page.screenshot(path=str(ARTIFACTS / "monitoring-board-screen.png"))
    page.wait_for_selector(".jx-board-screen[data-panel='1']", timeout=10_000)
    assert "重大项目推进" in page.inner_text(".jx-board-panel.is-shown")
    page.goto(f"{live_server.url}/monitoring/2026/board/?month=10")
    page.wait_for_selector("#jx-board-lights canvas")
    assert monitored.world.unit.name in page.inner_text(".jx-board-grid")  # 月度排行
    page.screenshot(path=str(ARTIFACTS / "monitoring-board.png"), full_page=True)
    assert [e for e in errors if "Content Security Policy" in e] == []
    assert all(u.startswith(live_server.url) for u in requests)  # nothing from another host
