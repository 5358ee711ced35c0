"""One entry from draft to final, clicked through in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login


def _page(browser: Any, live_server: Any, user: User, *, accept_dialogs: bool = True) -> Any:
    """A browser page logged in as `user` (past the second factor) via a test session."""
    client = login(Client(), user)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
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
    if accept_dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_entry_walks_from_draft_to_final_through_the_screens(
    browser: Any,
    live_server: Any,
    world: World,
    office: User,
    department: User,
    department_leader: User,
    unit: User,
) -> None:
    base = live_server.url
    unit_id = world.unit.pk

    # The department types full marks with a reason; the score appears as it types.
    dept = _page(browser, live_server, department)
    dept.goto(f"{base}/collection/periods/{world.period.pk}/workspace/?indicator={world.direct.pk}")
    dept.fill(f"input[name='u{unit_id}.value']", "10")
    dept.wait_for_selector(f"#score-{unit_id} .jx-score")
    assert "10" in dept.inner_text(f"#score-{unit_id}")
    dept.fill(f"textarea[name='u{unit_id}.reason']", "全年任务全部完成，见验收报告")
    dept.keyboard.press("Control+s")
    dept.wait_for_selector(".alert-success")
    dept.click("text=提交本指标")
    dept.wait_for_selector(".alert-success")
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.SUBMITTED

    # The office approves in the review queue: full marks go to the leader.
    desk = _page(browser, live_server, office)
    desk.goto(f"{base}/collection/review/")
    desk.check(f"input[name=entry][value='{entry.pk}']")
    desk.click("button[value=approve]")
    desk.wait_for_selector(".alert-success")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_CONFIRMATION

    boss = _page(browser, live_server, department_leader)
    boss.goto(f"{base}/collection/confirm/")
    boss.check(f"input[name=entry][value='{entry.pk}']")
    boss.click("button[value=confirm]")
    boss.wait_for_selector(".alert-success")

    desk.goto(f"{base}/collection/periods/{world.period.pk}/")
    desk.click("button[value=publish]")
    desk.wait_for_selector(".alert-success")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED

    # The unit sees it and asks for a recheck; the department upholds; the office confirms.
    street = _page(browser, live_server, unit)
    street.goto(f"{base}/collection/my/")
    street.click(f"a[href='/collection/entries/{entry.pk}/']")
    street.fill("textarea[name=reason]", "请核实第三项任务的验收时间")
    street.click("text=申请复核")
    street.wait_for_selector(".alert-success")

    dept.goto(f"{base}/collection/entries/{entry.pk}/")
    dept.check("input[name=outcome][value=upheld]")
    dept.fill("textarea[name=answer]", "经核实验收时间在考核期内，维持原结果")
    dept.click("text=提交答复")
    dept.wait_for_selector(".alert-success")

    desk.goto(f"{base}/collection/entries/{entry.pk}/")
    desk.click("button[value=confirm_recheck]")
    desk.wait_for_selector(".alert-success")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.FINAL
    street.goto(f"{base}/collection/entries/{entry.pk}/")
    assert "维持原结果" in street.content()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_submitting_an_indicator_names_the_blank_units_as_the_grid_stands(
    browser: Any, live_server: Any, world: World, department: User
) -> None:
    dept = _page(browser, live_server, department, accept_dialogs=False)
    asked: list[str] = []
    dept.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    url = f"{live_server.url}/collection/periods/{world.period.pk}/workspace/"
    dept.goto(f"{url}?indicator={world.direct.pk}")
    dept.fill(f"input[name='u{world.unit.pk}.value']", "8")  # typed, one unit still blank
    dept.click("text=提交本指标")
    assert any("还有 1 个单位没有填报（空白）" in text for text in asked), asked
    assert not Entry.objects.exists()  # dismissed: nothing submitted, nothing saved
