"""An observer files a note from a phone (390 px wide); the unit then reads it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from jixiao.accounts.models import User
from jixiao.core.testing import PASSWORD
from jixiao.observers.models import Observation, ObservationStatus
from jixiao.observers.tests.factories import a_point_at, observing

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("main")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_observer_files_a_note_with_a_photo_on_a_phone_and_the_unit_reads_it(
    browser: Any, live_server: Any, observer: User, unit: User, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    point = a_point_at(unit.organization)
    observing(observer, unit.organization)
    photo = tmp_path / "site.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, live_server.url, observer.username)
    assert "东湖街道 · 全部观测点" in page.inner_text("main")
    page.click("main >> text=新建观察记录")
    page.select_option("#id_unit", str(unit.organization_id))
    page.select_option("#id_point", str(point.pk))
    page.check("input[name=rating][value='4']")
    page.fill("#id_text", "窗口八分钟办结，导办员主动引导老人。")
    page.set_input_files("#photos", str(photo))
    # Nothing is wider than the phone: no sideways scrolling on site.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "observers-phone-form.png"), full_page=True)
    page.on("dialog", lambda d: d.accept())
    page.click("button[name=submit][value='1']")
    page.wait_for_selector("text=观察记录已提交")
    note = Observation.objects.get()
    assert note.status == ObservationStatus.SUBMITTED
    assert note.photos.count() == 1
    assert [e for e in errors if "Content Security Policy" in e] == []
    context.close()

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    _login(page, live_server.url, unit.username)
    page.goto(f"{live_server.url}/observers/")
    assert "窗口八分钟办结" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "observers-unit-phone.png"), full_page=True)
    context.close()
