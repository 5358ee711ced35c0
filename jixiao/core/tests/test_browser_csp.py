"""Every role's main pages work under the Content-Security-Policy, and the API
documentation pages work offline. Runs in Debian's chromium.

A page "works" here when the browser reports no CSP violation (console "Refused to …"
or a `securitypolicyviolation` event), no uncaught script error, and no request to
another host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jixiao.accounts.models import User
from jixiao.collection.tests.conftest import World, world  # noqa: F401  (fixture)
from jixiao.core.testing import PASSWORD, login

# Registered before any page script runs: collects what the CSP refused.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


class Watch:
    """Everything a page did wrong, for one browser context."""

    def __init__(self, context: Any, base: str) -> None:
        self.problems: list[str] = []
        self.host = urlparse(base).hostname
        context.add_init_script(RECORD_VIOLATIONS)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("request", self._request)
        self.page.on("dialog", lambda dialog: dialog.accept())

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.problems.append(f"console: {message.text}")

    def _request(self, request: Any) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        if urlparse(request.url).hostname not in (self.host, "localhost", "127.0.0.1"):
            self.problems.append(f"foreign request: {request.url}")

    def visit(self, url: str, settle_ms: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None
        assert response.status < 400, f"{url}: HTTP {response.status}"
        assert "content-security-policy" in response.headers, url
        self.page.wait_for_timeout(settle_ms)
        self.collect(url)

    def collect(self, where: str) -> None:
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.append(f"{where}: CSP refused {violation}")
        self.page.evaluate("window.__csp = []")


def _session_context(browser: Any, live_server: Any, user: User) -> Any:
    """A browser context logged in as `user`, past the second factor (test session)."""
    client = login(Client(), user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 860})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_roles_main_pages_run_under_the_csp(
    browser: Any,
    live_server: Any,
    personas: dict[str, User],
    world: World,  # noqa: F811  (the collection tests' fixture, imported above)
) -> None:
    base = live_server.url
    extra = {
        "office": [f"/scheme/{world.scheme.pk}/"],  # inline style and script, with the nonce
        "dept": [f"/collection/periods/{world.period.pk}/workspace/?indicator={world.direct.pk}"],
        "observer": ["/observers/new/"],  # the on-site form (radios, date, photo input)
    }
    visited: dict[str, int] = {}
    problems: list[str] = []
    for username, user in personas.items():
        context = _session_context(browser, live_server, user)
        watch = Watch(context, base)
        watch.visit(f"{base}/")
        links = [a.get_attribute("href") for a in watch.page.query_selector_all(".jx-nav a")]
        pages = [*links, "/accounts/password/", *extra.get(username, [])]
        for path in dict.fromkeys(pages):
            watch.visit(base + path)
        visited[username] = len(pages) + 1
        problems += [f"{username} {p}" for p in watch.problems]
        context.close()
    assert problems == []
    assert all(n >= 3 for n in visited.values()), visited


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_login_and_second_factor_pages_and_the_declared_behaviours_work(
    browser: Any, live_server: Any, office: User
) -> None:
    from django.core.cache import cache

    cache.clear()  # the login throttle counts per address; earlier tests also log in
    context = browser.new_context(locale="zh-CN")
    watch = Watch(context, live_server.url)
    watch.visit(f"{live_server.url}/accounts/login/")
    watch.page.fill("#id_username", "office")
    watch.page.fill("#id_password", PASSWORD)
    watch.page.click("button[type=submit]")
    watch.page.wait_for_selector("#id_token")
    device = TOTPDevice.objects.get(user=office)
    watch.page.fill("#id_token", f"{totp(device.bin_key):06d}")
    watch.page.click("button[type=submit]")
    watch.page.wait_for_selector(".jx-page-head h1")
    watch.collect("after login")
    # <select data-autosubmit> replaced onchange=…: choosing a language reloads the page.
    with watch.page.expect_navigation():
        watch.page.select_option("select[name=language]", "en")
    assert watch.page.locator("html").get_attribute("lang") == "en"
    watch.collect("language switch")
    assert watch.problems == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_documentation_pages_work_offline(
    browser: Any, live_server: Any, office: User
) -> None:
    context = _session_context(browser, live_server, office)
    watch = Watch(context, live_server.url)
    watch.visit(f"{live_server.url}/api/docs/", settle_ms=0)
    watch.page.wait_for_selector("text=Jixiao API", timeout=20000)
    watch.page.wait_for_timeout(500)  # ReDoc's side menu (with its logo) renders last
    watch.collect("/api/docs/")
    watch.visit(f"{live_server.url}/api/docs/swagger/", settle_ms=0)
    watch.page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    watch.collect("/api/docs/swagger/")
    assert watch.problems == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_behaviours_that_replaced_inline_handlers_still_work(
    browser: Any,
    live_server: Any,
    office: User,
    world: World,  # noqa: F811
) -> None:
    from jixiao.collection.models import EntryStatus
    from jixiao.collection.tests import factories as f

    for indicator in (world.direct, world.deduction):
        f.make_entry(world.period, indicator, world.unit, status=EntryStatus.SUBMITTED)
    context = _session_context(browser, live_server, office)
    watch = Watch(context, live_server.url)
    # data-check-all (was onclick=…): one box ticks every entry of the review queue.
    watch.visit(f"{live_server.url}/collection/review/")
    boxes = watch.page.locator("input[name=entry]")
    assert boxes.count() == 2
    watch.page.check("input[data-check-all]")
    assert all(boxes.nth(i).is_checked() for i in range(2))
    # data-no-submit (was onsubmit="return false"): Enter in the tree filter stays put.
    watch.visit(f"{live_server.url}/scheme/{world.scheme.pk}/")
    watch.page.evaluate("window.__stayed = true")
    watch.page.fill("#tree-q", "A01")
    watch.page.press("#tree-q", "Enter")
    watch.page.wait_for_timeout(300)
    assert watch.page.evaluate("window.__stayed") is True
    watch.collect("behaviours")
    assert watch.problems == []
    context.close()
