"""The first journey: each role logs in through the real login page (with its second
factor where required) and lands on its own home page. Runs in Debian's chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import User
from jixiao.core.testing import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

# What each role must see on its home page: proof it landed on its own work.
HOME_MARKERS = {
    "office": "考核对象",
    "dept": "我的账号",
    "unit": "我的账号",
    "reviewer": "我的账号",
    "inspector": "我的账号",
    "supervision": "我的账号",
    "leader": "我的账号",
    "observer": "观察任务",
    "sysadmin": "账号概况",
    "secadmin": "登录安全",
    "auditadmin": "审计概况",
}


def _collect_foreign(sink: list[str]) -> Any:
    def on_request(request: Any) -> None:
        if urlparse(request.url).hostname not in ("localhost", "127.0.0.1"):
            sink.append(request.url)

    return on_request


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_logs_in_and_sees_its_home_page(
    browser: Any, live_server: Any, personas: dict[str, User]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for username, marker in HOME_MARKERS.items():
        user = personas[username]
        context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 860})
        page = context.new_page()
        foreign: list[str] = []
        page.on("request", _collect_foreign(foreign))
        page.goto(f"{live_server.url}/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        if user.requires_two_factor:
            page.wait_for_selector("#id_token")
            device = TOTPDevice.objects.get(user=user)
            page.fill("#id_token", f"{totp(device.bin_key):06d}")
            page.click("button[type=submit]")
        page.wait_for_selector(".jx-page-head h1")
        assert "您好" in page.inner_text(".jx-page-head h1"), username
        assert marker in page.inner_text("main"), username
        assert user.get_role_display() in page.inner_text(".jx-topbar"), username
        page.screenshot(path=str(ARTIFACTS / f"home-{username}.png"), full_page=True)
        assert foreign == [], f"{username}: requests to other hosts {foreign}"
        context.close()
