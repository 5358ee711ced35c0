"""Targets through the Excel door: export, and an import that is all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jixiao.accounts.models import User
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login, page_text
from jixiao.monitoring.models import Breakdown, Target

pytestmark = pytest.mark.django_db


def _upload(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "指标编码",
            "单位编码",
            "年度目标",
            "1月",
            "2月",
            "3月",
            "4月",
            "5月",
            "6月",
            "7月",
            "8月",
            "9月",
            "10月",
            "11月",
            "12月",
        ]
    )
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("目标.xlsx", data.getvalue())


def test_a_department_imports_targets_even_and_typed(world: World, department: User) -> None:
    typed = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]
    upload = _upload(
        [["A02", world.unit.code, 1200], ["a02", world.other_unit.code, "120", *typed]]
    )
    client = login(Client(), department)
    response = client.post(reverse("monitoring:targets_import"), {"file": upload}, follow=True)
    assert "已导入 2 项年度目标" in page_text(response)
    even = Target.objects.get(unit=world.unit)
    assert (even.breakdown, D(even.milestones[5])) == (Breakdown.EVEN, D(600))
    by_hand = Target.objects.get(unit=world.other_unit)
    assert (by_hand.breakdown, D(by_hand.milestones[0])) == (Breakdown.TYPED, D(10))


def test_one_bad_row_and_nothing_is_imported(world: World, department: User) -> None:
    upload = _upload(
        [["A02", world.unit.code, 1200], ["A02", "NOPE", 100], ["B01", world.unit.code, 5]]
    )
    response = login(Client(), department).post(
        reverse("monitoring:targets_import"), {"file": upload}, follow=True
    )
    text = page_text(response)
    assert "第 3 行「单位编码」：没有这个被考核单位" in text
    assert "导入未完成" in text
    assert not Target.objects.exists()


def test_another_department_cannot_import_targets_for_indicators_it_does_not_own(
    world: World, other_department: User
) -> None:
    upload = _upload([["A02", world.unit.code, 1200]])
    login(Client(), other_department).post(reverse("monitoring:targets_import"), {"file": upload})
    assert not Target.objects.exists()


def test_the_export_lists_the_targets_and_their_plan_in_words(
    world: World, department: User
) -> None:
    upload = _upload([["A02", world.unit.code, 1200]])
    client = login(Client(), department)
    client.post(reverse("monitoring:targets_import"), {"file": upload})
    response = client.get(reverse("monitoring:targets_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("指标编码", "指标名称", "单位编码", "单位名称", "年度目标")
    assert rows[1][0] == "A02"
    assert rows[1][5] == "按月平均"
    assert rows[1][-1] == "草稿"
