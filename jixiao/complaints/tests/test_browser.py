"""In Debian's chromium: a citizen reports on a 390 px phone, keeps the receipt code and
looks the status up; nothing is requested from another host."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from jixiao.complaints.models import Complaint
from jixiao.org.tests.factories import AssessedUnitFactory

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_reports_on_a_phone_and_looks_the_status_up(browser: Any, live_server: Any):
    ARTIFACTS.mkdir(exist_ok=True)
    cache.clear()
    AssessedUnitFactory.create(code="JD01", name="东湖街道")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    foreign: list[str] = []
    page.on(
        "request",
        lambda r: (
            foreign.append(r.url)
            if urlparse(r.url).hostname not in ("localhost", "127.0.0.1")
            else None
        ),
    )
    page.goto(f"{live_server.url}/c/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#unit", label="东湖街道")
    page.fill("#window", "社保窗口")
    page.fill("#problem", "办理退休手续，窗口说系统不通，已经跑了三次。")
    page.fill("#phone", "13812345678")
    page.screenshot(path=str(ARTIFACTS / "complaint-phone.png"), full_page=True)
    page.tap("button.submit")
    page.wait_for_selector("text=您的反映已收到")
    receipt = page.inner_text(".code").strip()
    assert receipt == Complaint.objects.get().receipt
    page.tap('a:has-text("查询办理情况")')
    page.wait_for_selector("text=办理状态")
    assert "待处理" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "complaint-phone-status.png"), full_page=True)
    assert foreign == []
    context.close()
