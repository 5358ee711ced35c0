"""The public 群众反映 window: no login, a receipt code, masked phones, bursts kept for
review, never a 500."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from jixiao.complaints.models import Complaint, ComplaintStatus
from jixiao.core.testing import page_text
from jixiao.org.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _send(client: Client, problem: str = "办理退休手续，窗口说系统不通，跑了三次。", **extra: str):
    return client.post(reverse("complain:report"), {"problem": problem, **extra})


def test_a_citizen_reports_without_login_and_gets_a_receipt_code(unit_org: Organization) -> None:
    client = Client()
    page = client.get(reverse("complain:report"))
    assert page.status_code == 200
    assert "东湖街道" in page_text(page)
    assert "jxd" in page.cookies
    response = _send(client, unit=str(unit_org.pk), window="社保窗口", phone="138 1234 5678")
    complaint = Complaint.objects.get()
    assert complaint.receipt in page_text(response)
    assert re.fullmatch(r"[A-Z2-9]{10}", complaint.receipt)
    assert (complaint.unit, complaint.window, complaint.phone) == (
        unit_org,
        "社保窗口",
        "13812345678",
    )
    assert complaint.status == ComplaintStatus.NEW
    assert complaint.masked_phone == "138****5678"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"problem": "太差"}, "至少 5 个字"),
        ({"problem": "办" * 1001}, "不能超过 1000 个字"),
        ({"phone": "12345"}, "请填写正确的手机号码"),
        ({"unit": "99999999999999999999999"}, "请从列表中选择单位"),
        ({"problem": "窗口\x00没人"}, "控制字符"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(fields: dict, message: str) -> None:
    data = {"problem": "办理退休手续没有办成。", **fields}
    response = Client().post(reverse("complain:report"), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Complaint.objects.exists()


def test_landlines_with_an_area_code_and_full_width_digits_are_accepted() -> None:
    _send(Client(), phone="０５７１-８６００１２３４")
    assert Complaint.objects.get().phone == "057186001234"
    assert Complaint.objects.get().masked_phone == "057*****1234"


@override_settings(COMPLAINT_BURST_PER_ADDRESS=3, COMPLAINT_LIMIT_PER_ADDRESS=6)
def test_a_burst_from_one_address_is_quarantined_then_refused_never_deleted() -> None:
    statuses = [
        _send(Client(), f"第 {n} 条：证明开不出来，各部门互相推。").status_code for n in range(8)
    ]
    assert statuses == [200] * 6 + [400] * 2
    stored = list(Complaint.objects.order_by("pk").values_list("status", "quarantine_reason"))
    assert [s for s, _r in stored] == ["new"] * 3 + ["quarantined"] * 3
    assert stored[-1][1] == "同一地址短时间内提交过多"


def test_the_same_text_again_and_again_is_quarantined() -> None:
    for n in range(4):
        _send(Client(REMOTE_ADDR=f"10.0.0.{n}"), "同一段话反复提交，看看会怎样。")
    assert list(Complaint.objects.order_by("pk").values_list("status", flat=True)) == [
        "new",
        "new",
        "quarantined",
        "quarantined",
    ]


def test_the_receipt_code_shows_the_state_but_never_the_quarantine() -> None:
    _send(Client())
    complaint = Complaint.objects.get()
    Complaint.objects.filter(pk=complaint.pk).update(status=ComplaintStatus.QUARANTINED)
    text = page_text(Client().get(reverse("complain:lookup"), {"code": complaint.receipt.lower()}))
    assert "待处理" in text
    assert "待甄别" not in text
    assert "没有找到" in page_text(Client().get(reverse("complain:lookup"), {"code": "NOPE"}))


def test_the_pages_are_plain_and_need_nothing_from_another_host() -> None:
    html = Client().get(reverse("complain:report")).content.decode()
    assert 'name="viewport"' in html
    assert "http://" not in html
    assert "https://" not in html
    assert "<script" not in html


@override_settings(ROOT_URLCONF="jixiao.urls_public")
def test_the_public_server_mounts_the_window_and_nothing_of_the_office() -> None:
    client = Client()
    assert client.get("/c/").status_code == 200
    assert client.get("/c/status/").status_code == 200
    assert client.get("/complaints/").status_code == 404
