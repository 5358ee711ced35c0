"""Screens at work: the grid, the preview, rechecks end to end, queues, dashboard."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import (
    Entry,
    EntryStatus,
    EvidenceFile,
    Notification,
    RecheckRequest,
    RecheckStatus,
)
from jixiao.collection.tasks import email_notifications
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login, page_text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def _grid(world: World) -> str:
    return reverse("collection:workspace", args=[world.period.pk]) + f"?indicator={world.direct.pk}"


def test_the_grid_shows_every_unit_and_what_is_missing(
    world: World, department_client: Client
) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    response = department_client.get(_grid(world))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.slot.unit.code for r in rows] == ["JD01", "JD02"]
    assert [r.editable for r in rows] == [False, True]
    tabs = {t.indicator.code: t.missing for t in response.context["tabs"]}
    assert tabs == {"A01": 1, "A02": 2, "A03": 2, "A04": 2}
    assert "Ctrl" in response.content.decode()


def test_the_grid_page_runs_a_bounded_number_of_queries(
    world: World, department_client: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        unit = f.make_org_unit(f"JD{i + 10}", world.category)
        f.make_entry(world.period, world.direct, unit)
    with django_assert_max_num_queries(25):
        response = department_client.get(_grid(world))
    assert len(response.context["rows"]) == 32


def test_saving_the_grid_creates_drafts(world: World, department_client: Client) -> None:
    response = department_client.post(
        _grid(world),
        {
            f"u{world.unit.pk}.value": "8",
            f"u{world.unit.pk}.reason": "依据台账",
            f"u{world.unit.pk}.version": "",
            f"u{world.other_unit.pk}.value": "",
            f"u{world.other_unit.pk}.version": "",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.unit, entry.value, entry.score, entry.reason) == (
        world.unit,
        Decimal("8"),
        Decimal("8"),
        "依据台账",
    )


def test_the_grid_shows_what_was_typed_as_text_never_as_markup(
    world: World, department_client: Client
) -> None:
    hostile = '"><script>alert(1)</script>'
    entry = f.make_entry(world.period, world.direct, world.unit, reason=hostile)
    Entry.objects.filter(pk=entry.pk).update(status="returned", review_comment=hostile)
    body = department_client.get(_grid(world)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert body.count("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") == 2  # reason, comment
    assert f'<a href="/collection/entries/{entry.pk}/"' in body


def test_a_conflicting_save_keeps_the_users_input_on_the_page(
    world: World, department_client: Client
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, value="8")
    Entry.objects.filter(pk=entry.pk).update(value=Decimal("6"), version=2)  # someone else saved
    response = department_client.post(
        _grid(world), {f"u{world.unit.pk}.value": "9.5", f"u{world.unit.pk}.version": "1"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "已被他人修改" in body
    assert 'value="9.5"' in body  # nothing the user typed is lost
    assert Entry.objects.get().value == Decimal("6")


def test_invalid_values_are_explained_and_kept(world: World, department_client: Client) -> None:
    response = department_client.post(
        _grid(world), {f"u{world.unit.pk}.value": "12", f"u{world.unit.pk}.version": ""}
    )
    assert response.status_code == 422
    assert "“得分”必须在 0 至 10 之间" in response.content.decode()
    assert not Entry.objects.exists()


def test_the_preview_shows_the_engines_score_as_you_type(
    world: World, department_client: Client
) -> None:
    url = reverse("collection:preview", args=[world.period.pk])
    u = world.unit.pk
    response = department_client.get(
        url,
        {
            "indicator": world.completion.pk,
            "unit": u,
            f"u{u}.value": "90",
            f"u{u}.reference": "120",
        },
    )
    body = response.content.decode()
    assert "15" in body
    assert "20" in body
    rank = department_client.get(url, {"indicator": world.rank.pk, "unit": u, f"u{u}.value": "3"})
    assert "排名类指标在计分时计算" in rank.content.decode()
    full = department_client.get(
        url, {"indicator": world.direct.pk, "unit": u, f"u{u}.value": "10"}
    )
    assert "满分须填写计分说明" in full.content.decode()


def test_submitting_from_the_workspace_lists_what_is_wrong(
    world: World, department_client: Client
) -> None:
    f.make_entry(world.period, world.direct, world.unit, value="10", score="10")
    response = department_client.post(
        reverse("collection:submit", args=[world.period.pk]),
        {"indicator": world.direct.pk},
        follow=True,
    )
    assert "满分须填写计分说明" in response.content.decode()
    assert Entry.objects.get().status == EntryStatus.DRAFT


def test_the_upload_page_shows_row_errors(world: World, department_client: Client) -> None:
    data = "单位编码,指标编码,数值\nJD01,A01,99\n".encode()
    response = department_client.post(
        reverse("collection:upload", args=[world.period.pk]),
        {"file": SimpleUploadedFile("x.csv", data)},
    )
    assert response.status_code == 422
    errors = response.context["report"].errors
    assert [(e.row, e.message) for e in errors] == [(2, "“得分”必须在 0 至 10 之间")]
    assert "“得分”必须在 0 至 10 之间" in response.content.decode()


def test_evidence_is_checked_by_content_not_by_name(
    world: World, department_client: Client, settings: Any
) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit)
    url = reverse("collection:evidence_upload", args=[entry.pk])
    department_client.post(url, {"file": SimpleUploadedFile("台账.pdf", PDF)})
    department_client.post(url, {"file": SimpleUploadedFile("照片.png", PNG)})
    fake = department_client.post(
        url, {"file": SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" + b"\0" * 100)}, follow=True
    )
    assert "不支持的文件类型" in fake.content.decode()
    html = department_client.post(
        url, {"file": SimpleUploadedFile("a.pdf", b"<html><script>x</script></html>")}, follow=True
    )
    assert "不支持的文件类型" in html.content.decode()
    settings.UPLOAD_MAX_BYTES = 10
    big = department_client.post(url, {"file": SimpleUploadedFile("b.pdf", PDF)}, follow=True)
    assert "超过大小上限" in big.content.decode()
    stored = list(EvidenceFile.objects.order_by("pk"))
    assert [(e.original_name, e.content_type, e.extension) for e in stored] == [
        ("台账.pdf", "application/pdf", ".pdf"),
        ("照片.png", "image/png", ".png"),
    ]
    assert not stored[0].file.name.endswith("台账.pdf")  # stored under a random name


def test_office_documents_with_macros_are_refused_as_evidence(
    world: World, department_client: Client
) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", "macro")
    entry = f.make_entry(world.period, world.direct, world.unit)
    response = department_client.post(
        reverse("collection:evidence_upload", args=[entry.pk]),
        {"file": SimpleUploadedFile("a.docx", buffer.getvalue())},
        follow=True,
    )
    assert "宏" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_a_recheck_runs_end_to_end_through_the_screens(
    world: World, personas: dict[str, User]
) -> None:
    office, dept, unit = (login(Client(), personas[n]) for n in ("office", "dept", "unit"))
    entry = f.make_entry(
        world.period,
        world.direct,
        world.unit,
        status=EntryStatus.PUBLISHED,
        value="6",
        score="6",
        reason="少报一项",
    )
    act = reverse("collection:entry_action", args=[entry.pk])
    unit.post(
        act,
        {
            "action": "request_recheck",
            "reason": "已按期完成，见附件",
            "file": SimpleUploadedFile("证明.pdf", PDF),
        },
    )
    request = RecheckRequest.objects.get()
    assert request.evidence.count() == 1
    assert Notification.objects.filter(
        recipient=personas["dept"], text__contains="复核申请"
    ).exists()
    dept.post(
        act,
        {
            "action": "answer_recheck",
            "outcome": "changed",
            "answer": "核实后更正",
            "value": "9",
            "new_reason": "补充材料属实",
        },
    )
    entry.refresh_from_db()
    assert (entry.status, entry.value, entry.score) == (
        EntryStatus.RECHECK_ANSWERED,
        Decimal("9"),
        Decimal("9"),
    )
    request.refresh_from_db()
    assert request.before["value"] == "6.0000"
    assert request.after["value"] == "9.0000"  # as stored, like before
    office.post(act, {"action": "confirm_recheck"})
    entry.refresh_from_db()
    request.refresh_from_db()
    assert (entry.status, request.status) == (EntryStatus.FINAL, RecheckStatus.CONFIRMED)
    page = unit.get(reverse("collection:unit_entries")).content.decode()
    assert "核实后更正" in page


def test_an_upheld_answer_changes_no_value(world: World, personas: dict[str, User]) -> None:
    entry = f.make_entry(
        world.period, world.direct, world.unit, status=EntryStatus.PUBLISHED, value="6", score="6"
    )
    act = reverse("collection:entry_action", args=[entry.pk])
    login(Client(), personas["unit"]).post(act, {"action": "request_recheck", "reason": "有异议"})
    login(Client(), personas["dept"]).post(
        act, {"action": "answer_recheck", "outcome": "upheld", "answer": "经核实无误"}
    )
    entry.refresh_from_db()
    assert (entry.status, entry.value) == (EntryStatus.RECHECK_ANSWERED, Decimal("6"))


def test_the_office_dashboard_shows_completion_and_who_is_late(
    world: World, office_client: Client, department: User, django_assert_max_num_queries: Any
) -> None:
    world.period.deadline = timezone.now() - timedelta(hours=2)
    world.period.save()
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    f.make_entry(world.period, world.other, world.unit, status=EntryStatus.SUBMITTED)
    f.make_entry(world.period, world.other, world.other_unit, status=EntryStatus.APPROVED)
    with django_assert_max_num_queries(25):
        response = office_client.get(reverse("collection:period_detail", args=[world.period.pk]))
    rows = {r.department.code: r for r in response.context["board"].departments}
    assert (rows["FGJ"].completion.total, rows["FGJ"].completion.submitted, rows["FGJ"].late) == (
        8,
        1,
        True,
    )
    assert (rows["JYJ"].completion.total, rows["JYJ"].completion.submitted, rows["JYJ"].late) == (
        2,
        2,
        False,
    )
    assert response.context["board"].queues["submitted"] == 2


def test_one_click_remind_notifies_and_emails_the_late_department(
    world: World,
    office_client: Client,
    department: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_HOST = "smtp.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    department.email = "dept@example.org"
    department.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("collection:remind", args=[world.period.pk, department.organization_id]),
            follow=True,
        )
    assert "已提醒" in response.content.decode()
    note = Notification.objects.get(recipient=department)
    assert "尚有 8 项数据未提交" in note.text
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["dept@example.org"]]
    assert email_notifications([note.pk]) == 0  # running the task again sends nothing
    assert len(mail.outbox) == 1


def test_the_review_queue_bulk_approves_and_guards_its_queries(
    world: World, office_client: Client, django_assert_max_num_queries: Any
) -> None:
    entries = [
        f.make_entry(
            world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED, value="8"
        ),
        f.make_entry(
            world.period,
            world.direct,
            world.other_unit,
            status=EntryStatus.SUBMITTED,
            value="10",
            score="10",
        ),
    ]
    with django_assert_max_num_queries(20):
        office_client.get(reverse("collection:review_queue"))
    office_client.post(
        reverse("collection:bulk_action"), {"action": "approve", "entry": [e.pk for e in entries]}
    )
    statuses = dict(Entry.objects.values_list("pk", "status"))
    assert statuses == {
        entries[0].pk: EntryStatus.APPROVED,
        entries[1].pk: EntryStatus.AWAITING_CONFIRMATION,
    }


def test_the_leader_confirms_from_the_queue(world: World, personas: dict[str, User]) -> None:
    entry = f.make_entry(
        world.period, world.direct, world.unit, status=EntryStatus.AWAITING_CONFIRMATION
    )
    login(Client(), personas["dept"]).post(
        reverse("collection:bulk_action"), {"action": "confirm", "entry": [entry.pk]}
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.AWAITING_CONFIRMATION  # not the leader
    login(Client(), personas["dept_leader"]).post(
        reverse("collection:bulk_action"), {"action": "confirm", "entry": [entry.pk]}
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED


def test_the_bell_counts_unread_notifications(
    world: World, unit: User, unit_client: Client
) -> None:
    Notification.objects.create(recipient=unit, text="数据已公示", link="/")
    response = unit_client.get(reverse("core:home"))
    body = response.content.decode()
    assert "消息通知（1）" in body
    assert "数据已公示" in body


def test_the_office_home_counts_what_waits_for_review_and_lists_open_periods(
    world: World, office_client: Client
) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    f.make_entry(world.period, world.direct, world.other_unit, status=EntryStatus.SUBMITTED)
    f.make_entry(world.period, world.deduction, world.unit, status=EntryStatus.APPROVED)
    text = page_text(office_client.get(reverse("core:home")))
    assert "数据采集与审核" in text
    assert "2 待初审" in text
    assert "1 待公示" in text
    assert f"{world.period.name} 截止" in text


def test_the_department_home_shows_returned_data_and_its_progress(
    world: World, department_client: Client
) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.RETURNED)
    f.make_entry(world.period, world.deduction, world.unit, status=EntryStatus.SUBMITTED)
    text = page_text(department_client.get(reverse("core:home")))
    assert "1 条数据被退回，请修改后重新提交。" in text
    assert world.period.name in text
    assert "已提交 1/" in text


def test_the_unit_home_counts_its_published_data(world: World, unit_client: Client) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.PUBLISHED)
    f.make_entry(world.period, world.direct, world.other_unit, status=EntryStatus.PUBLISHED)
    text = page_text(unit_client.get(reverse("core:home")))
    assert "1 已公示数据" in text
    assert "0 复核申请待答复" in text
