"""Phone and print, in Debian's chromium: at 390×844 a unit reads its card and its
entries and a department fills its grid one unit at a time, with a collapsed menu and
nothing wider than the screen; printed pages carry the content only, on A4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus
from jixiao.core.models import Job, JobState
from jixiao.core.testing import PASSWORD
from jixiao.org.models import Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience, ScoreRun
from jixiao.scoring.tests.factories import World, publish, zhangjiagang_world

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1360, "height": 860}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(department_org: Organization, unit_org: Organization) -> World:
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    w.entry(unit_org.code, "1.1.1", 95, 100)
    w.entry(unit_org.code, "2", 91)
    return w


@pytest.fixture
def published(world: World, office: User, unit_org: Organization) -> ScoreRun:
    run = actions.compute_run(world.year, user=office)
    run = publish(run, user=office, audience=RankingsAudience.UNITS)
    # What the unit reads on its data page: its entries, published for recheck.
    Entry.objects.filter(unit=unit_org).update(
        status=EntryStatus.PUBLISHED, published_at=timezone.now(), reason="按台账核定，佐证见附件。"
    )
    return run


def signed_in(browser: Any, live_server: Any, user: User, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".jx-page-head h1")
    return page


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_unit_reads_its_card_and_entries_on_a_phone(
    browser: Any, live_server: Any, unit: User, published: ScoreRun, unit_org: Organization
) -> None:
    page = signed_in(browser, live_server, unit, PHONE)
    # The menu is folded away behind a button, and opens over the page.
    assert not page.is_visible(".jx-nav")
    page.click(".jx-menu-toggle")
    page.wait_for_selector(".jx-nav", state="visible")
    assert page.get_by_role("link", name="考核结果").is_visible()
    page.goto(f"{live_server.url}/scoring/runs/{published.pk}/units/{unit_org.pk}/")
    assert "成绩单" in page.inner_text("h1")
    assert fits_the_screen(page)
    # Each indicator is a block: name on one line, the figures labelled under it.
    row = page.locator("table.jx-stack tbody tr", has_text="重点工作完成率")
    assert row.locator("td", has_text="重点工作完成率").bounding_box()["width"] > 150
    assert row.locator("td[data-label='失分']").is_visible()
    assert row.locator("td[data-label='计分说明']").bounding_box()["x"] >= 0
    shoot(page, "phone-unit-card")
    page.goto(f"{live_server.url}/collection/my/")
    assert "按台账核定" in page.inner_text("main")
    assert fits_the_screen(page)
    shoot(page, "phone-unit-entries")
    page.locator("table.jx-stack tbody tr a").first.click()
    page.wait_for_selector(".jx-page-head h1")
    assert fits_the_screen(page)  # one entry, where a recheck is asked for
    shoot(page, "phone-unit-entry")
    page.goto(f"{live_server.url}/scoring/runs/{published.pk}/units/{unit_org.pk}/explain/")
    assert fits_the_screen(page)


def test_a_department_fills_its_grid_one_unit_at_a_time_on_a_phone(
    browser: Any, live_server: Any, department: User, world: World, unit_org: Organization
) -> None:
    indicator = world.indicators["1.1.2"]  # JD01 has no entry for it yet: an editable row
    page = signed_in(browser, live_server, department, PHONE)
    page.goto(f"{live_server.url}/collection/")
    assert fits_the_screen(page)
    page.goto(
        f"{live_server.url}/collection/periods/{world.period.pk}/workspace/?indicator={indicator.pk}"
    )
    page.wait_for_selector(".jx-pager")
    assert fits_the_screen(page)
    assert page.locator("table.jx-grid tbody tr:visible").count() == 1
    # It opens on the unit still missing, and the inputs fit beside their labels.
    visible = page.locator("table.jx-grid tbody tr:visible")
    assert unit_org.name in visible.inner_text()
    box = visible.locator("input.num").first.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    shoot(page, "phone-department-grid")
    page.select_option(".jx-pager select", index=0)
    assert page.locator("table.jx-grid tbody tr:visible").count() == 1
    assert unit_org.name not in page.locator("table.jx-grid tbody tr:visible").inner_text()
    # On a desktop the whole grid stays, and Enter still moves down a column.
    desk = signed_in(browser, live_server, department, DESKTOP)
    desk.goto(
        f"{live_server.url}/collection/periods/{world.period.pk}/workspace/?indicator={indicator.pk}"
    )
    assert not desk.is_visible(".jx-pager")
    assert desk.locator("table.jx-grid tbody tr:visible").count() == len(world.units)
    assert desk.is_visible(".jx-nav")


def test_printed_pages_carry_the_content_only(
    browser: Any, live_server: Any, leader: User, published: ScoreRun, unit_org: Organization
) -> None:
    page = signed_in(browser, live_server, leader, DESKTOP)
    pages = {
        "rankings": f"/scoring/runs/{published.pk}/rankings/",
        "statistics": f"/scoring/runs/{published.pk}/statistics/",
        "card": f"/scoring/runs/{published.pk}/units/{unit_org.pk}/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.emulate_media(media="print")
        for chrome in (".jx-sidebar", ".jx-topbar", ".btn", ".jx-filter", ".nav-tabs"):
            assert all(not el.is_visible() for el in page.query_selector_all(chrome)), (
                name,
                chrome,
            )
        assert page.is_visible("h1")
        assert (
            page.eval_on_selector("table thead", "el => getComputedStyle(el).display")
            == "table-header-group"
        )
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"print-{name}.pdf").write_bytes(pdf)
        page.emulate_media(media="screen")


def test_the_batch_pdf_ends_on_a_job_page_with_its_download(
    browser: Any, live_server: Any, leader: User, published: ScoreRun
) -> None:
    page = signed_in(browser, live_server, leader, DESKTOP)
    page.goto(f"{live_server.url}/scoring/runs/{published.pk}/")
    page.get_by_role("button", name="全部成绩单 PDF").click()
    page.wait_for_selector(".jx-job-download")
    assert "已完成" in page.inner_text(".jx-job")
    assert page.get_attribute(".progress", "aria-valuenow") == "100"
    with page.expect_download() as download:
        page.click(".jx-job-download")
    assert download.value.suggested_filename.endswith(".pdf")
    page.reload()
    assert page.is_visible(".jx-job-download")
    page.goto(f"{live_server.url}/jobs/")
    assert "全部成绩单 PDF" in page.inner_text("main")
    shoot(page, "job-list")
    assert Job.objects.get().state == JobState.DONE
