"""What each role reads on the registry's pages, the Excel doors, and the homes."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jixiao.accounts.models import User
from jixiao.core.testing import login, page_text
from jixiao.inspections import actions
from jixiao.inspections.models import CalendarDay, Inspection, InspectionStatus, Violation
from jixiao.inspections.tests.conftest import Registry, plan, register
from jixiao.org.tests.factories import AssessmentYearFactory, UnitCategoryFactory

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]], name: str = "plan.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


HEADER = ["检查名称", "检查内容", "被检查单位", "考核类别", "开始日期", "结束日期"]


def _next_year() -> int:
    """A year far enough ahead that every row is registered in time, whatever today is."""
    number = timezone.localdate().year + 1
    year = AssessmentYearFactory.create(year=number, is_current=False)
    UnitCategoryFactory.create(year=year, code="JD", name="街道类")
    return number


def test_a_department_imports_its_plan_all_or_nothing_with_row_errors_in_chinese(
    department: User, registry: Registry
) -> None:
    client = login(Client(), department)
    y = _next_year()
    url = reverse("inspections:import") + f"?year={y}"
    bad = _xlsx(
        [
            HEADER,
            ["项目督查", "台账", "JD01、西关街道", "", f"{y}-12-14", f"{y}-12-15"],
            ["", "台账", "不存在街道", "", f"{y}/13/1", f"{y}-12-15"],
            ["营商检查", "服务", "", "街道类", f"{y}-12-01", f"{y}-11-30"],
        ]
    )
    text = page_text(client.post(url, {"file": bad}))
    assert "未导入任何数据" in text
    assert "请填写检查名称" in text
    assert "没有找到单位“不存在街道”" in text
    assert "不是有效的日期" in text
    assert "结束日期不能早于开始日期" in text
    assert not Inspection.objects.exists()

    good = _xlsx(
        [
            HEADER,
            ["项目督查", "台账", "JD01、西关街道", "", f"{y}-12-21", f"{y}-12-22"],
            ["营商检查", "服务", "", "街道类", date(y, 12, 24), f"{y}年12月25日"],
        ]
    )
    response = client.post(url, {"file": good})
    assert response.status_code == 302, page_text(response)
    rows = Inspection.objects.order_by("pk")
    assert [(i.name, i.status, i.units.count()) for i in rows] == [
        ("项目督查", InspectionStatus.SUBMITTED, 2),
        ("营商检查", InspectionStatus.SUBMITTED, 0),
    ]


def test_a_late_row_is_refused_when_late_registrations_are_refused(
    department: User, registry: Registry
) -> None:
    client = login(Client(), department)
    tomorrow = timezone.localdate() + timedelta(days=1)
    if tomorrow.year != registry.year.year:
        AssessmentYearFactory.create(year=tomorrow.year, is_current=False)
    soon = _xlsx([HEADER, ["明天检查", "台账", "JD01", "", tomorrow, tomorrow]])
    url = reverse("inspections:import") + f"?year={tomorrow.year}"
    text = page_text(client.post(url, {"file": soon}))
    assert "须在检查开始前至少 15 个工作日登记" in text
    assert not Inspection.objects.exists()


def test_the_office_reads_the_plan_with_words_and_merge_flags(
    department: User, other_department: User, office: User, registry: Registry
) -> None:
    register(department, registry, plan("项目督查", units=(registry.unit,)))
    register(other_department, registry, plan("营商检查", category=registry.streets))
    text = page_text(login(Client(), office).get(reverse("inspections:index")))
    assert "建议统筹合并" in text
    assert "2026 年第 12 周" in text
    assert "街道类（整个类别）" in text
    assert "待审核" in text
    assert "None" not in text


def test_units_read_the_visits_and_not_other_streets_visits(
    department: User, unit: User, registry: Registry
) -> None:
    register(department, registry, plan("点名检查", units=(registry.unit,)))
    register(department, registry, plan("别处检查", units=(registry.other_unit,)))
    text = page_text(login(Client(), unit).get(reverse("inspections:index")))
    assert "点名检查" in text
    assert "别处检查" not in text


def test_violations_page_and_excel_name_the_department_and_the_shortfall(
    department: User, office: User, registry: Registry
) -> None:
    inspection = actions.save_inspection(
        department,
        plan("节前检查", start=date(2026, 9, 28), units=(registry.unit,)),
        year=registry.year,
    )
    with pytest.raises(actions.TransitionRefused):
        actions.transition(department, inspection, "submit", today=date(2026, 9, 18))
    client = login(Client(), office)
    text = page_text(client.get(reverse("inspections:violations")))
    assert "逾期登记被拒" in text
    assert "区发展和改革局" in text
    response = client.get(reverse("inspections:violations") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert next(sheet.iter_rows(min_row=2, values_only=True))[:6] == (
        "区发展和改革局",
        "逾期登记被拒",
        "节前检查",
        "2026-09-28",
        "2026-09-18",
        6,
    )
    client.post(
        reverse("inspections:violations"),
        {"department": department.organization_id, "name": "未报备的暗访", "note": "街道反映"},
    )
    assert Violation.objects.filter(kind="unregistered", name="未报备的暗访").exists()


def test_the_office_keeps_the_calendar_table_through_the_page_and_excel(office: User) -> None:
    client = login(Client(), office)
    client.post(
        reverse("inspections:calendar"), {"day": "2027-01-01", "is_workday": "0", "note": "元旦"}
    )
    assert CalendarDay.objects.get().note == "元旦"
    upload = _xlsx(
        [
            ["日期", "类型", "说明"],
            ["2027-02-06", "工作日", "春节调休"],
            ["2027-01-01", "休息日", "元旦"],
        ],
        "calendar.xlsx",
    )
    assert client.post(reverse("inspections:calendar_import"), {"file": upload}).status_code == 302
    assert dict(CalendarDay.objects.values_list("day", "is_workday")) == {
        date(2027, 1, 1): False,
        date(2027, 2, 6): True,
    }
    bad = _xlsx([["日期", "类型"], ["2027-02-07", "上午班"]], "calendar.xlsx")
    text = page_text(client.post(reverse("inspections:calendar_import"), {"file": bad}))
    assert "类型须为“工作日”或“休息日”" in text
    page = page_text(client.get(reverse("inspections:calendar")))
    assert "春节调休" in page
    assert "2027 年的节假日安排" in page  # the package does not know 2027 yet
    exported = load_workbook(
        io.BytesIO(client.get(reverse("inspections:calendar") + "?format=xlsx").content)
    )
    assert exported.active is not None
    assert exported.active.max_row == 3


def test_a_department_registers_through_the_form_and_sees_the_earliest_start(
    department: User, registry: Registry
) -> None:
    client = login(Client(), department)
    page = page_text(client.get(reverse("inspections:new")))
    assert "最早可于" in page
    response = client.post(
        reverse("inspections:new"),
        {
            "name": "年末安全检查",
            "content": "消防",
            "target_kind": "units",
            "units": [registry.unit.pk],
            "start": f"{registry.year.year}-12-28",
            "end": f"{registry.year.year}-12-29",
            "draft": "1",
        },
    )
    assert response.status_code == 302
    assert Inspection.objects.get().status == InspectionStatus.DRAFT


@pytest.mark.parametrize("who", ["office", "supervision", "dept", "unit"])
def test_the_home_page_shows_the_registry_panel(
    who: str, personas: dict[str, User], registry: Registry
) -> None:
    register(
        personas["dept"],
        registry,
        plan("项目督查", start=date(2026, 12, 28), units=(registry.unit,)),
        today=date(2026, 11, 2),
    )
    text = page_text(login(Client(), personas[who]).get("/"))
    assert "督查检查考核计划" in text


def test_the_api_lists_what_the_pages_show(
    department: User, unit: User, other_unit: User, registry: Registry
) -> None:
    named = register(department, registry, plan("点名检查", units=(registry.unit,)))
    body = login(Client(), unit).get("/api/v1/inspections/inspections/").json()
    assert [(r["id"], r["units"], r["department"]) for r in body["results"]] == [
        (named.pk, ["JD01"], "FGJ")
    ]
    assert (
        login(Client(), other_unit).get(f"/api/v1/inspections/inspections/{named.pk}/").status_code
        == 404
    )
    assert login(Client(), unit).get("/api/v1/inspections/violations/").status_code == 403


def test_the_list_keeps_its_query_count_as_the_plan_grows(
    department: User, office: User, registry: Registry, django_assert_max_num_queries
) -> None:
    for n in range(30):
        data = plan(
            f"检查{n}",
            start=date(2026, 3, 2 + n % 20),
            category=registry.streets if n % 3 else None,
            units=() if n % 3 else (registry.unit, registry.third),
        )
        register(department, registry, data)
    client = login(Client(), office)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("inspections:index"))
    assert "建议统筹合并" in page_text(response)
    with django_assert_max_num_queries(15):
        client.get(reverse("inspections:violations"))


def test_a_late_registration_through_the_form_stays_a_draft_and_says_why(
    department: User, registry: Registry
) -> None:
    client = login(Client(), department)
    tomorrow = timezone.localdate() + timedelta(days=1)
    if tomorrow.year != registry.year.year:
        AssessmentYearFactory.create(year=tomorrow.year, is_current=False)
    response = client.post(
        reverse("inspections:new") + f"?year={tomorrow.year}",
        {
            "name": "临时检查",
            "content": "消防",
            "target_kind": "units",
            "units": [registry.unit.pk],
            "start": tomorrow.isoformat(),
            "end": tomorrow.isoformat(),
            "submit": "1",
        },
        follow=True,
    )
    text = page_text(response)
    assert "不予登记" in text
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    assert Violation.objects.get().kind == "refused"
