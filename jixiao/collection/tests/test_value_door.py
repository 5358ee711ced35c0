"""One value door for the grid, the Excel upload and the API: a number beyond the column,
a hidden character or an overlong reason is a Chinese field error there, never a 500, and
a re-upload of the same file changes nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.collection import spreadsheet
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import Act
from jixiao.core.testing import login
from jixiao.core.values import REASON_MAX_LENGTH

TOO_BIG = "12345678901234567"


def _grid_post(world: World, department: User, value: str, reason: str) -> Any:
    unit = world.unit.pk
    return login(Client(), department).post(
        reverse("collection:workspace", args=[world.period.pk]) + f"?indicator={world.direct.pk}",
        {f"u{unit}.value": value, f"u{unit}.reason": reason, f"u{unit}.version": ""},
    )


def _grid_errors(response: Any) -> str:
    rows = response.context["rows"]
    return " ".join(" ".join(r.errors) for r in rows)


def test_the_grid_refuses_a_value_beyond_the_column_in_chinese(
    world: World, department: User
) -> None:
    response = _grid_post(world, department, TOO_BIG, "依据台账")
    assert response.status_code == 422
    assert "数值超出范围（整数部分最多 16 位）" in _grid_errors(response)
    assert not Entry.objects.exists()


def test_the_grid_refuses_a_nul_or_an_overlong_reason_in_chinese(
    world: World, department: User
) -> None:
    response = _grid_post(world, department, "8", "依据\x00台账")
    assert "计分说明含有不可见的控制字符" in _grid_errors(response)
    response = _grid_post(world, department, "8", "说" * (REASON_MAX_LENGTH + 1))
    assert "计分说明不能超过 2000 个字" in _grid_errors(response)
    assert not Entry.objects.exists()


def test_the_grid_stores_the_rounded_value_and_scores_from_it(
    world: World, department: User
) -> None:
    _grid_post(world, department, "9.123456", "依据台账")
    entry = Entry.objects.get()
    assert (entry.value, entry.score) == (Decimal("9.1235"), Decimal("9.1235"))
    audit_rows = AuditEvent.objects.count()
    entry_version = entry.version
    # The same typing again is no change: no new version, no audit row.
    _grid_post(world, department, "9.123456", "依据台账")
    entry.refresh_from_db()
    assert entry.version == entry_version
    assert AuditEvent.objects.count() == audit_rows


def _upload(world: World, department: User, value: Any, reason: Any = "说明") -> Any:
    wb = spreadsheet.build_template(world.period, department.organization)
    ws = wb[spreadsheet.SHEET]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 3).value == "A01" and ws.cell(row, 1).value == "JD01":
            ws.cell(row, 8).value = value
            ws.cell(row, 11).value = reason
    buffer = io.BytesIO()
    wb.save(buffer)
    return spreadsheet.import_workbook(
        department, world.period, SimpleUploadedFile("填报.xlsx", buffer.getvalue())
    )


def test_an_upload_refuses_a_value_beyond_the_column_in_chinese(
    world: World, department: User
) -> None:
    for value in (TOO_BIG, int(TOO_BIG)):
        report = _upload(world, department, value)
        assert "数值超出范围" in " ".join(str(e) for e in report.errors)
    assert not Entry.objects.exists()


def test_an_upload_refuses_an_overlong_reason_in_chinese(world: World, department: User) -> None:
    report = _upload(world, department, 8, "说" * (REASON_MAX_LENGTH + 1))
    assert "计分说明不能超过 2000 个字" in " ".join(str(e) for e in report.errors)
    assert not Entry.objects.exists()


def test_uploading_the_same_file_twice_with_extra_decimals_changes_nothing(
    world: World, department: User
) -> None:
    first = _upload(world, department, 9.123456)
    assert (first.created, first.updated) == (1, 0)
    entry = Entry.objects.get()
    assert (entry.value, entry.score) == (Decimal("9.1235"), Decimal("9.1235"))
    audit_rows = AuditEvent.objects.count()
    again = _upload(world, department, 9.123456)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.count() == audit_rows
    assert Entry.objects.get().version == entry.version


def _recheck_answer(world: World, department: User, unit: User, **answer: Any) -> Any:
    entry = f.make_entry(
        world.period,
        world.deduction,
        world.unit,
        status=EntryStatus.PUBLISHED,
        value="1",
        score="8",
    )
    client = login(Client(), unit)
    url = reverse("api_entry_transition", args=[entry.pk])
    client.post(
        url,
        {"action": Act.REQUEST_RECHECK, "version": 1, "reason": "无事故"},
        content_type="application/json",
    )
    data = {"action": Act.ANSWER_RECHECK, "version": 2, "reason": "经核实", "outcome": "changed"}
    response = login(Client(), department).post(
        url, {**data, **answer}, content_type="application/json"
    )
    entry.refresh_from_db()
    return response, entry


def test_the_api_refuses_a_value_beyond_the_column_in_chinese(
    world: World, department: User, unit: User
) -> None:
    response, entry = _recheck_answer(world, department, unit, value=TOO_BIG, new_reason="核实")
    assert response.status_code == 400
    assert "数值超出范围" in response.json()["detail"]
    assert (entry.value, entry.status) == (Decimal(1), EntryStatus.RECHECK_REQUESTED)


def test_the_api_refuses_a_nul_reason(world: World, department: User, unit: User) -> None:
    response, entry = _recheck_answer(world, department, unit, value="0", new_reason="无\x00事故")
    assert response.status_code == 400
    assert entry.status == EntryStatus.RECHECK_REQUESTED


def test_the_api_refuses_an_overlong_reason_in_chinese(
    world: World, department: User, unit: User
) -> None:
    response, entry = _recheck_answer(
        world, department, unit, value="0", new_reason="说" * (REASON_MAX_LENGTH + 1)
    )
    assert response.status_code == 400
    assert "2000" in response.content.decode()
    assert entry.status == EntryStatus.RECHECK_REQUESTED


def test_a_return_reason_with_hidden_characters_is_refused(world: World, office: User) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    response = login(Client(), office).post(
        reverse("api_entry_transition", args=[entry.pk]),
        {"action": Act.RETURN, "version": 1, "reason": "请\x1b核实"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "控制字符" in response.json()["detail"]
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_every_reason_form_field_has_the_one_limit_and_refuses_control_characters() -> None:
    from jixiao.collection.forms import AnswerForm, BonusEventForm, ExceptionForm, RecheckForm

    for form_class, name in (
        (RecheckForm, "reason"),
        (AnswerForm, "answer"),
        (AnswerForm, "new_reason"),
        (ExceptionForm, "reason"),
        (BonusEventForm, "description"),
    ):
        hidden = form_class(data={name: "依据\x07台账"})
        hidden.is_valid()
        assert "控制字符" in str(hidden.errors.get(name)), (form_class, name)
        long = form_class(data={name: "说" * (REASON_MAX_LENGTH + 1)})
        long.is_valid()
        assert "2000" in str(long.errors.get(name)), (form_class, name)
