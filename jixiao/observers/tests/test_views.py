"""What each role reads: the observer's workspace, a unit's own submitted notes, the
quarterly report as a page, a workbook and a PDF, the office's overview, the API and the
board's opinions."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.core.testing import login, page_text
from jixiao.observers.board import observer_opinions
from jixiao.observers.models import Observation, ObservationStatus
from jixiao.observers.tests.conftest import Field
from jixiao.observers.tests.factories import a_note

pytestmark = pytest.mark.django_db
Q4 = "?year=2026&quarter=4"


def test_the_observer_sees_assignments_and_drafts_at_home(field: Field, observer: User) -> None:
    text = page_text(login(Client(), observer).get(reverse("core:home")))
    assert "观察任务" in text
    assert "东湖街道 · 全部观测点" in text
    assert "西关街道 · 综治中心" in text
    assert "2026-10-10 东湖街道 · 草稿" in text


def test_the_unit_reads_submitted_notes_about_itself_only(field: Field, unit: User) -> None:
    text = page_text(login(Client(), unit).get(reverse("observers:index")))
    assert "窗口八分钟办结" in text
    assert "草稿：待补充照片" not in text
    assert "调解室无人值守" not in text


def test_the_observer_files_a_note_from_the_phone_form(
    field: Field, observer: User, unit: User
) -> None:
    client = login(Client(), observer)
    response = client.post(
        reverse("observers:new"),
        {
            "unit": unit.organization_id,
            "point": field.point.pk,
            "observed_on": "2026-11-02",
            "rating": "3",
            "text": "排队二十分钟",
            "submit": "1",
        },
    )
    note = Observation.objects.get(text="排队二十分钟")
    assert response.status_code == 302
    assert (note.status, note.get_rating_display()) == (ObservationStatus.SUBMITTED, "基本满意")
    text = page_text(client.get(reverse("observers:detail", args=[note.pk])))
    assert "基本满意" in text
    assert "2026年11月2日 · 已提交" in text


def test_a_refused_form_keeps_the_input_and_says_why(field: Field, observer: User) -> None:
    client = login(Client(), observer)
    response = client.post(
        reverse("observers:new"),
        {
            "unit": field.point.unit_id,
            "observed_on": "2099-01-01",
            "rating": "3",
            "text": "未来的观察",
        },
    )
    assert response.status_code == 200
    assert "观察日期不能晚于今天" in page_text(response)
    assert "未来的观察" in response.content.decode()
    assert not Observation.objects.filter(text="未来的观察").exists()


def test_the_office_returns_a_note_from_its_page(field: Field, office: User) -> None:
    client = login(Client(), office)
    url = reverse("observers:return", args=[field.submitted.pk])
    client.post(url, {"reason": "请补充照片"})
    text = page_text(client.get(reverse("observers:detail", args=[field.submitted.pk])))
    assert "已退回" in text
    assert "请补充照片" in text


def test_the_quarterly_report_counts_averages_and_quotes(
    field: Field, observer: User, unit: User
) -> None:
    a_note(observer, unit.organization, field.point, rating=3, text="高峰排队较长")
    client = login(Client(), unit)
    url = reverse("observers:report", args=[unit.organization_id]) + Q4
    text = page_text(client.get(url))
    assert "东湖街道 2026 年第 4 季度观察报告" in text
    assert "观察次数 2" in text
    assert "平均评价 3.50" in text
    assert "便民服务中心 2 3.50" in text
    assert "高峰排队较长" in text
    assert "草稿" not in text
    book = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    rows = [r for r in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert rows[1] == ("观察次数", 2, None, None, None)
    assert ("较满意", 1, None, None, None) in rows
    pdf = client.get(url + "&format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"NotoSansSC" in pdf.content


def test_the_overview_lists_each_observed_unit(field: Field, office: User) -> None:
    client = login(Client(), office)
    text = page_text(client.get(reverse("observers:overview") + Q4))
    assert "2026 年第 4 季度观察概况" in text
    assert "东湖街道 1 4.00 0" in text
    assert "西关街道 1 2.00 1" in text
    book = load_workbook(
        io.BytesIO(client.get(reverse("observers:overview") + Q4 + "&format=xlsx").content)
    )
    assert list(book.active.iter_rows(values_only=True))[1] == ("东湖街道", 1, 4, 0)  # type: ignore[union-attr]


def test_lists_and_reports_stay_within_a_fixed_number_of_queries(
    field: Field, observer: User, office: User, unit: User, django_assert_max_num_queries: object
) -> None:
    for i in range(15):
        a_note(observer, unit.organization, field.point, text=f"第{i}次")
    client = login(Client(), office)
    for url in (
        reverse("observers:index"),
        reverse("observers:overview") + Q4,
        reverse("observers:report", args=[unit.organization_id]) + Q4,
    ):
        with django_assert_max_num_queries(14):  # type: ignore[operator]
            assert client.get(url).status_code == 200


def test_the_api_is_scoped_like_the_pages(field: Field, observer: User, unit: User) -> None:
    def texts(user: User) -> set[str]:
        body = login(Client(), user).get("/api/v1/observers/observations/").json()
        return {row["text"] for row in body["results"]}

    assert texts(observer) == {field.submitted.text, field.draft.text, field.elsewhere.text}
    assert texts(unit) == {field.submitted.text}
    detail = login(Client(), unit).get(f"/api/v1/observers/observations/{field.draft.pk}/")
    assert detail.status_code == 404


def test_the_board_gets_plain_dicts_of_submitted_opinions(field: Field) -> None:
    opinions = observer_opinions(2026, limit=5)
    # Same day: the later submission first; never the draft.
    assert opinions == [
        {
            "unit": "西关街道",
            "point": "综治中心",
            "date": "2026-10-10",
            "rating": 2,
            "rating_label": "不太满意",
            "excerpt": "调解室无人值守，回访记录缺失。",
        },
        {
            "unit": "东湖街道",
            "point": "便民服务中心",
            "date": "2026-10-10",
            "rating": 4,
            "rating_label": "较满意",
            "excerpt": "窗口八分钟办结，导办主动。",
        },
    ]
    assert len(observer_opinions(2026, limit=1)) == 1
    assert observer_opinions(2025) == []
