"""A unit answers a task in the browser: it accepts, reports progress and asks to close
out; 督查室 sees the report. No CSP violation on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jixiao.accounts.models import User
from jixiao.core.testing import PASSWORD
from jixiao.org.models import Organization
from jixiao.supervision.models import TaskState
from jixiao.supervision.tests.factories import in_state

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".jx-page-head h1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_unit_accepts_reports_and_asks_to_close_out_a_task(
    browser: Any, live_server: Any, supervision: User, unit: User, unit_org: Organization
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    task = in_state(TaskState.ASSIGNED, unit_org, supervision, title="窗口排队时间过长")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server.url, unit.username)
    page.goto(f"{live_server.url}/supervision/")
    page.click("text=窗口排队时间过长")
    page.click("button[name=action][value=accept]")
    page.wait_for_selector("text=已办理：领办")
    page.fill("#reason", "已增设两个办事窗口，高峰期排队缩短至15分钟")
    page.click("button[name=action][value=report]")
    page.wait_for_selector("text=已办理：报送推进情况")
    page.fill("#reason", "排队时间稳定在10分钟以内，申请销号")
    page.click("button[name=action][value=request_close]")
    page.wait_for_selector("text=已办理：申请销号")
    page.screenshot(path=str(ARTIFACTS / "supervision-unit-answer.png"), full_page=True)
    task.refresh_from_db()
    assert task.state == TaskState.CLOSE_REQUESTED
    assert [e for e in errors if "Content Security Policy" in e] == []
    context.close()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, supervision.username)
    page.goto(f"{live_server.url}/supervision/tasks/{task.pk}/")
    assert "已增设两个办事窗口" in page.inner_text("main")
    context.close()
