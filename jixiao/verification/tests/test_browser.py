"""An inspector records a correction in the browser; the department sees it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jixiao.accounts.models import User
from jixiao.collection.models import EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import PASSWORD
from jixiao.verification import actions
from jixiao.verification.models import CorrectionStatus, ItemStatus

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".jx-page-head h1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_inspector_records_a_correction_that_the_department_then_sees(
    browser: Any, live_server: Any, world: World, office: User, inspector: User, department: User
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    check = actions.draw_sample(office, world.period, fraction=Decimal(1), seed=1)
    item = check.items.get()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server.url, inspector.username)
    page.click("text=察访核验")
    page.click(f"a[href='/verification/checks/{check.pk}/']")
    page.click(f"a[href='/verification/items/{item.pk}/']")
    page.check("input[name=accurate][value='0']")
    page.fill("#note", "现场台账只有 5 项")
    page.fill("#value", "5")
    page.fill("#reason", "现场核实仅完成 5 项")
    page.screenshot(path=str(ARTIFACTS / "verification-finding.png"), full_page=True)
    page.click("text=提交核验结论")
    page.wait_for_selector("text=核验结论已登记")
    assert "待部门确认" in page.inner_text("main")
    item.refresh_from_db()
    assert item.status == ItemStatus.INACCURATE
    assert item.correction.status == CorrectionStatus.PROPOSED
    assert [e for e in errors if "Content Security Policy" in e] == []
    context.close()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, department.username)
    page.click("text=核验更正")
    assert "现场核实仅完成 5 项" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "verification-department.png"), full_page=True)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_links_a_duty_to_an_indicator_with_the_keyboard_only(
    browser: Any, live_server: Any, world: World, office: User
) -> None:
    from django.conf import settings
    from django.test import Client

    from jixiao.core.testing import login
    from jixiao.verification.models import Duty

    duty = Duty.objects.create(
        year=world.scheme.year, unit=world.unit, number=1, text="统筹重大项目"
    )
    client = login(Client(), office)  # past the second factor, as the CSP test does
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    year = world.scheme.year.year
    page.goto(f"{live_server.url}/verification/duties/units/{world.unit.pk}/?year={year}")
    assert "职责未覆盖" in page.inner_text("main")
    page.focus(f"#d{duty.pk}-i{world.direct.pk}")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # on to the next indicator, then to the button
    page.focus(f"#duty-{duty.pk} button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已保存第 1 项职责的对应指标" in page.inner_text("main")
    assert page.is_checked(f"#d{duty.pk}-i{world.direct.pk}")
    page.screenshot(path=str(ARTIFACTS / "verification-duties.png"), full_page=True)
    assert list(duty.indicators.all()) == [world.direct]
    context.close()
