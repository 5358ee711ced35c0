"""In the browser: the office sees the gaps on the run page, ticks them, says why, and
publishes; the unit's card then says why it has no figure. Runs in Debian's chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import User
from jixiao.core.testing import PASSWORD
from jixiao.scoring import actions
from jixiao.scoring.models import RunStatus, ScoreRun
from jixiao.scoring.tests.factories import make_world

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_acknowledges_each_gap_before_publishing(
    browser: Any, live_server: Any, personas: dict[str, User]
) -> None:
    office = personas["office"]
    w = make_world()
    w.category("JG", 100, "机关部门")
    for code in ("A", "B"):
        w.unit(code, "JG")
    w.indicator("1", None, 100, "direct", name="综合得分")
    w.entry("A", "1", 90)
    run = actions.compute_run(w.year, user=office)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", office.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#id_token")
    device = TOTPDevice.objects.get(user=office)
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("button[type=submit]")
    page.wait_for_selector(".jx-page-head h1")

    page.goto(f"{live_server.url}/scoring/runs/{run.pk}/")
    gaps = page.locator("#gaps")
    assert "单位B" in gaps.inner_text()
    assert "未报送" in gaps.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "scoring-run-gaps.png"), full_page=True)

    page.click("form[action$='/publish/'] button")  # refused: the gap is not acknowledged yet
    assert "尚未逐项确认" in page.inner_text("main")
    page.check("#gaps input[name=gap]")
    page.fill("#gap-reason", "单位B三次催报仍未报送")
    page.click("text=确认所选并记录原因")
    assert "已确认 1 项" in page.inner_text("main")
    page.click("form[action$='/publish/'] button")
    assert ScoreRun.objects.get(pk=run.pk).status == RunStatus.PUBLISHED

    page.goto(f"{live_server.url}/scoring/runs/{run.pk}/units/{w.units['B'].pk}/")
    assert "未报送：单位B三次催报仍未报送" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "scoring-card-gap.png"), full_page=True)
    context.close()
