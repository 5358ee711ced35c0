"""The permission matrix of the 群众反映 queue — and a refused triage changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.complaints import actions
from jixiao.complaints.models import Complaint, ComplaintStatus
from jixiao.core.testing import login, page_text

pytestmark = pytest.mark.django_db
PERSONAS = [
    "office",
    "dept",
    "dept_leader",
    "other_dept",
    "unit",
    "other_unit",
    "reviewer",
    "inspector",
    "supervision",
    "leader",
    "sysadmin",
    "secadmin",
    "auditadmin",
]
TRIAGE = {"office": 200, "supervision": 200}


@pytest.fixture
def complaint(db: None) -> Complaint:
    return actions.submit_complaint(
        unit=None,
        window="综合窗口",
        problem="证明开不出来，各部门互相推。",
        place_time="4月初",
        phone="13812345678",
        device="d",
        address="10.0.0.1",
    )


@pytest.mark.parametrize("name", ["complaints:queue", "complaints:detail"])
def test_each_role_gets_what_the_matrix_says(
    name: str, personas: dict[str, User], complaint: Complaint
) -> None:
    url = reverse(name, args=[complaint.pk] if name.endswith("detail") else [])
    got = {p: login(Client(), personas[p]).get(url).status_code for p in PERSONAS}
    assert got == {p: TRIAGE.get(p, 403) for p in PERSONAS}


def test_a_refused_triage_by_post_changes_nothing(
    personas: dict[str, User], complaint: Complaint
) -> None:
    url = reverse("complaints:act", args=[complaint.pk])
    for p in PERSONAS:
        if p not in TRIAGE:
            assert login(Client(), personas[p]).post(url, {"action": "accept"}).status_code == 403
    assert Complaint.objects.get().status == ComplaintStatus.NEW
    login(Client(), personas["supervision"]).post(url, {"action": "accept"})
    assert Complaint.objects.get().status == ComplaintStatus.ACCEPTED


def test_the_queue_searches_and_shows_words_and_a_masked_phone(
    supervision: User, complaint: Complaint
) -> None:
    client = login(Client(), supervision)
    text = page_text(client.get(reverse("complaints:queue"), {"q": "互相推"}))
    assert complaint.receipt in text
    assert "待处理" in text
    assert complaint.receipt not in page_text(
        client.get(reverse("complaints:queue"), {"q": "电梯"})
    )
    detail = page_text(client.get(reverse("complaints:detail", args=[complaint.pk])))
    assert "138****5678" in detail
    assert "13812345678" not in detail
    assert "None" not in detail


def test_merging_by_receipt_code_from_the_page(supervision: User, complaint: Complaint) -> None:
    other = actions.submit_complaint(
        unit=None,
        window="",
        problem="同一件事又反映一次。",
        place_time="",
        phone="",
        device="e",
        address=None,
    )
    client = login(Client(), supervision)
    client.post(
        reverse("complaints:act", args=[other.pk]),
        {"action": "merge", "into": complaint.receipt.lower()},
    )
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (ComplaintStatus.MERGED, complaint)
    text = page_text(client.get(reverse("complaints:detail", args=[other.pk])))
    assert f"合并到： {complaint.receipt}" in text  # the history names the receipt, not an id
    assert "合并重复" in text


def test_the_supervision_home_shows_the_queue_panel(
    supervision: User, complaint: Complaint
) -> None:
    text = page_text(login(Client(), supervision).get("/"))
    assert "群众反映" in text
    assert "待甄别" in text


def test_the_api_serves_the_triage_roles_with_masked_phones(
    personas: dict[str, User], complaint: Complaint
) -> None:
    body = login(Client(), personas["supervision"]).get("/api/v1/complaints/complaints/").json()
    assert [(r["receipt"], r["phone"]) for r in body["results"]] == [
        (complaint.receipt, "138****5678")
    ]
    one = login(Client(), personas["office"]).get(f"/api/v1/complaints/complaints/{complaint.pk}/")
    assert one.json()["receipt"] == complaint.receipt
    assert (
        login(Client(), personas["unit"]).get("/api/v1/complaints/complaints/").status_code == 403
    )


def test_the_queue_keeps_its_query_count(
    supervision: User, unit_org, django_assert_max_num_queries
) -> None:
    for n in range(60):
        actions.submit_complaint(
            unit=unit_org if n % 2 else None,
            window="窗口",
            problem=f"第 {n} 件没有办成的事",
            place_time="",
            phone="",
            device="d",
            address=None,
        )
    client = login(Client(), supervision)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("complaints:queue"), {"q": "办成"})
    assert "东湖街道" in page_text(response)


def test_a_reviewed_burst_is_rejected_at_once_and_a_refused_bulk_changes_nothing(
    personas: dict[str, User], complaint: Complaint
) -> None:
    burst = [
        actions.submit_complaint(
            unit=None,
            window="",
            problem=f"刷屏 {n}",
            place_time="",
            phone="",
            device="x",
            address="10.9.9.9",
            quarantine_reason="同一地址短时间内提交过多",
        )
        for n in range(3)
    ]
    ids = [c.pk for c in burst]
    url = reverse("complaints:bulk")
    assert (
        login(Client(), personas["unit"])
        .post(url, {"complaint": ids, "action": "reject", "note": "刷屏"})
        .status_code
        == 403
    )
    client = login(Client(), personas["office"])
    # The genuine message in the list is not quarantined: the whole batch is refused.
    client.post(url, {"complaint": [*ids, complaint.pk], "action": "release"})
    assert Complaint.objects.filter(status=ComplaintStatus.QUARANTINED).count() == 3
    page = page_text(client.get(reverse("complaints:queue"), {"status": "quarantined"}))
    assert "甄别勾选的反映" in page
    client.post(url, {"complaint": ids, "action": "reject", "note": "同一地址刷屏"})
    assert set(Complaint.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "rejected"
    }
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.NEW
