"""Importing a task list: all or nothing, refusals by row and column in Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from jixiao.accounts.models import User
from jixiao.core.testing import login, page_text
from jixiao.org.models import Organization
from jixiao.supervision.models import SupervisionTask, TaskState

pytestmark = pytest.mark.django_db
HEAD = ["事项名称", "来源", "问题描述", "牵头单位", "办结时限", "等级", "配合单位"]


def _book(rows: list[list[object]]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("tasks.xlsx", out.getvalue())


def test_a_clean_list_is_imported_in_draft(
    supervision: User, unit_org: Organization, other_unit_org: Organization
) -> None:
    client = login(Client(), supervision)
    upload = _book(
        [
            ["窗口排队", "群众反映", "排队时间长", "东湖街道", "2026-06-30", "重点", "西关街道"],
            ["电梯加装", "领导批示", "进度滞后", "JD02", "2026/9/30", "", ""],
        ]
    )
    response = client.post(reverse("supervision:task_import"), {"year": "2026", "file": upload})
    assert response.status_code == 302
    tasks = list(SupervisionTask.objects.order_by("pk"))
    assert [t.title for t in tasks] == ["窗口排队", "电梯加装"]
    assert all(t.state == TaskState.DRAFT for t in tasks)
    assert tasks[0].level == "key"
    assert list(tasks[0].cooperating_units.all()) == [other_unit_org]


def test_one_bad_row_imports_nothing_and_says_where(
    supervision: User, unit_org: Organization
) -> None:
    client = login(Client(), supervision)
    upload = _book(
        [
            ["窗口排队", "群众反映", "排队时间长", "东湖街道", "2026-06-30", "", ""],
            ["电梯加装", "随手拍", "进度滞后", "不存在的单位", "下月底", "", ""],
        ]
    )
    response = client.post(reverse("supervision:task_import"), {"year": "2026", "file": upload})
    text = page_text(response)
    assert "第 3 行「来源」" in text
    assert "没有这个单位" in text
    assert "日期应写作 2026-06-30" in text
    assert not SupervisionTask.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(supervision: User) -> None:
    client = login(Client(), supervision)
    upload = SimpleUploadedFile("tasks.xlsx", b"not a workbook")
    text = page_text(client.post(reverse("supervision:task_import"), {"file": upload}))
    assert "未导入" in text
