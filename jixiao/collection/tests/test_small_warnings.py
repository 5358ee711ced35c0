"""Small things that used to mislead: a submit that leaves units blank, an upload error
with no column, a reminder that reached nobody."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.accounts.roles import Role
from jixiao.audit.models import AuditEvent
from jixiao.collection.models import EntryStatus, Notification
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import make_org, make_user


def _grid(world: World) -> str:
    return reverse("collection:workspace", args=[world.period.pk]) + f"?indicator={world.direct.pk}"


def test_submitting_an_indicator_asks_first_and_names_the_blank_units(
    world: World, department_client: Client
) -> None:
    f.make_entry(world.period, world.direct, world.unit)
    page = department_client.get(_grid(world)).content.decode()
    button = re.search(r"<button[^>]*data-blank-check[^>]*>", page, re.S)
    assert button is not None
    assert "还有 1 个单位没有填报（空白）" in button.group(0)


def test_submitting_an_indicator_warns_about_the_units_left_blank(
    world: World, department_client: Client
) -> None:
    f.make_entry(world.period, world.direct, world.unit, reason="依据台账")
    response = department_client.post(
        reverse("collection:submit", args=[world.period.pk]), {"indicator": world.direct.pk}
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert "已提交 1 条数据，等待绩效办初审。" in texts
    assert "还有 1 个单位没有填报（空白），不在本次提交之列，请补报后再提交。" in texts


def test_a_complete_indicator_submits_without_a_blank_warning(
    world: World, department_client: Client
) -> None:
    for unit in (world.unit, world.other_unit):
        f.make_entry(world.period, world.direct, unit, reason="依据台账")
    page = department_client.get(_grid(world)).content.decode()
    assert "没有填报（空白）。提交本指标只提交" not in page.split("data-blank-template")[0]
    response = department_client.post(
        reverse("collection:submit", args=[world.period.pk]), {"indicator": world.direct.pk}
    )
    assert not any("空白" in str(m) for m in get_messages(response.wsgi_request))


def test_every_upload_error_names_its_column(world: World, department_client: Client) -> None:
    f.make_entry(world.period, world.direct, world.other_unit, status=EntryStatus.SUBMITTED)
    data = "单位编码,指标编码,数值,基准值\nJD01,A01,99,\nJD01,A02,5,0\nJD02,A01,9,\n".encode()
    response = department_client.post(
        reverse("collection:upload", args=[world.period.pk]),
        {"file": SimpleUploadedFile("x.csv", data)},
    )
    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert errors == {(2, "数值"), (3, "基准值"), (4, "状态")}
    table = response.content.decode().split("<tbody>", 1)[1]
    assert "<td></td>" not in table


def _remind(client: Client, world: World, department_pk: int) -> list[str]:
    response = client.post(reverse("collection:remind", args=[world.period.pk, department_pk]))
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_reminder_that_reaches_nobody_says_so_and_why(
    world: World, office_client: Client
) -> None:
    lonely = make_org("TJJ", name="区统计局", is_department=True)
    f.make_indicator(world.scheme, "C01", lonely, points={world.category: 10})
    texts = _remind(office_client, world, lonely.pk)
    assert texts == [
        "区统计局还没有开通填报账号，提醒发不出去，未催办。"
        "请系统管理员为该单位开通填报员或负责人账号，或先电话联系。"
    ]
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(reason="催办").exists()


def test_a_reminder_to_disabled_accounts_says_they_are_disabled(
    world: World, office_client: Client
) -> None:
    lonely = make_org("TJJ", name="区统计局", is_department=True)
    f.make_indicator(world.scheme, "C01", lonely, points={world.category: 10})
    make_user("tjj", Role.DEPARTMENT, lonely, is_active=False)
    (text,) = _remind(office_client, world, lonely.pk)
    assert text.startswith("区统计局的账号都已停用，提醒发不出去，未催办。")


def test_a_batch_approve_keeps_the_queue_filtered(world: World, office_client: Client) -> None:
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.SUBMITTED)
    queue = reverse("collection:review_queue")
    page = office_client.get(queue, {"period": world.period.pk}).content.decode()
    assert f'name="period" value="{world.period.pk}"' in page
    response = office_client.post(
        reverse("collection:bulk_action"),
        {"action": "approve", "entry": [entry.pk], "period": world.period.pk, "department": ""},
    )
    assert response.url == f"{queue}?period={world.period.pk}"
    refused = office_client.post(
        reverse("collection:bulk_action"), {"action": "approve", "period": world.period.pk}
    )
    assert refused.url == f"{queue}?period={world.period.pk}"


def test_the_dashboard_says_which_late_department_cannot_be_reminded(
    world: World, office_client: Client, department: Any
) -> None:
    lonely = make_org("TJJ", name="区统计局", is_department=True)
    f.make_indicator(world.scheme, "C01", lonely, points={world.category: 10})
    page = office_client.get(reverse("collection:period_detail", args=[world.period.pk]))
    rows = {r.department.code: r.reachable for r in page.context["board"].departments}
    assert rows[lonely.code] is False
    assert rows[department.organization.code] is True
    assert "未开通账号，无法催办" in page.content.decode()
