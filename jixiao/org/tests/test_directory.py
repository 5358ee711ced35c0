from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.core.testing import login
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment
from jixiao.org.tests.factories import (
    AssessmentYearFactory,
    OrganizationFactory,
    UnitCategoryFactory,
    UnitEnrollmentFactory,
)


@pytest.fixture
def year(db: None) -> AssessmentYear:
    year = AssessmentYearFactory(year=2026, is_current=True)
    UnitCategoryFactory(year=year, code="JD", name="街道类", scale=1000)
    UnitCategoryFactory(year=year, code="DQ", name="党群类", scale=100)
    return year


def workbook_upload(
    rows: list[list[object]], header: list[str] | None = None, name: str = "orgs.xlsx"
) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(
        header
        or ["编码", "名称", "简称", "类型", "数据采集单位", "被考核单位", "考核类别", "编制数"]
    )
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_the_office_reads_the_directory_but_cannot_edit(
    office_client: Client, unit_org: Organization
) -> None:
    assert office_client.get(reverse("org:organization_list")).status_code == 200
    assert office_client.get(reverse("org:organization_create")).status_code == 403
    response = office_client.post(
        reverse("org:organization_detail", args=[unit_org.pk]), {"name": "改名"}
    )
    assert response.status_code == 403
    unit_org.refresh_from_db()
    assert unit_org.name == "东湖街道"


def test_departments_and_units_do_not_see_the_directory(
    department_client: Client, unit_client: Client
) -> None:
    for client in (department_client, unit_client):
        assert client.get(reverse("org:organization_list")).status_code == 403


def test_the_system_admin_edits_an_organization_and_it_is_audited(
    system_admin_client: Client, unit_org: Organization
) -> None:
    response = system_admin_client.post(
        reverse("org:organization_detail", args=[unit_org.pk]),
        {
            "name": "东湖街道办事处",
            "kind": "street",
            "is_assessed_unit": "on",
            "is_active": "on",
            "sort_order": 3,
            "version": unit_org.version,
            "reason": "更名",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(
        object_type="org.organization", object_id=str(unit_org.pk)
    ).latest("at")
    assert event.before["name"] == "东湖街道"
    assert event.after["name"] == "东湖街道办事处"
    assert event.reason == "更名"


def test_a_stale_edit_does_not_overwrite_a_newer_one(
    system_admin_client: Client, unit_org: Organization
) -> None:
    data = {
        "name": "第一次",
        "kind": "street",
        "is_assessed_unit": "on",
        "is_active": "on",
        "sort_order": 0,
        "version": unit_org.version,
    }
    system_admin_client.post(reverse("org:organization_detail", args=[unit_org.pk]), data)
    data["name"] = "第二次（基于旧版本）"
    response = system_admin_client.post(
        reverse("org:organization_detail", args=[unit_org.pk]), data
    )
    assert "已被他人修改" in response.content.decode()
    unit_org.refresh_from_db()
    assert unit_org.name == "第一次"


def test_an_import_creates_updates_and_enrolls_in_one_go(
    system_admin_client: Client, year: AssessmentYear, unit_org: Organization
) -> None:
    upload = workbook_upload(
        [
            ["JD01", "东湖街道", "东湖", "街道", "否", "是", "街道类", 88],
            ["QWB", "区委办公室", "区委办", "机关部门", "否", "是", "DQ", "２５"],
        ]
    )
    response = system_admin_client.post(
        reverse("org:organization_import"), {"file": upload}, follow=True
    )
    assert "新增 1 个，更新 1 个" in response.content.decode()
    assert Organization.objects.get(code="QWB").short_name == "区委办"
    assert UnitEnrollment.objects.get(unit__code="QWB").staffing == 25  # full-width digits accepted
    assert UnitEnrollment.objects.get(unit=unit_org).category.code == "JD"
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() >= 4


def test_one_bad_row_imports_nothing_and_names_every_problem(
    system_admin_client: Client, year: AssessmentYear
) -> None:
    upload = workbook_upload(
        [
            ["A1", "甲单位", "", "机关部门", "是", "是", "党群类", 10],
            ["A1", "乙单位", "", "机关部门", "是", "是", "", ""],
            ["A3", "丙单位", "", "外星", "也许", "是", "不存在类", "-3"],
        ]
    )
    response = system_admin_client.post(reverse("org:organization_import"), {"file": upload})
    page = response.content.decode()
    assert "未导入任何数据" in page
    for expected in (
        "与第 2 行重复",
        "须为以下之一",
        "请填写“是”或“否”",
        "没有类别“不存在类”",
        "编制数必须是正整数（大于 0）；未登记请留空。",
    ):
        assert expected in page, expected
    assert not Organization.objects.filter(code__in=["A1", "A3"]).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><table><tr><td>x</td></tr></table></html>", "网页（HTML）"),
        ("编码,名称\nA,B\n".encode(), "不是有效的 Excel"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "不支持旧版 .xls"),
    ],
    ids=["html-renamed", "csv-renamed", "old-xls"],
)
def test_files_that_are_not_workbooks_get_a_clear_message(
    system_admin_client: Client, year: AssessmentYear, content: bytes, message: str
) -> None:
    upload = io.BytesIO(content)
    upload.name = "orgs.xlsx"
    response = system_admin_client.post(reverse("org:organization_import"), {"file": upload})
    assert message in response.content.decode()


def test_a_workbook_with_wrong_columns_is_refused(
    system_admin_client: Client, year: AssessmentYear
) -> None:
    upload = workbook_upload([["x", "y"]], header=["单位", "地址"])
    response = system_admin_client.post(reverse("org:organization_import"), {"file": upload})
    assert "缺少必需的列：编码、名称、类型" in response.content.decode()


def test_the_export_round_trips_through_the_import(
    system_admin_client: Client, year: AssessmentYear, unit_org: Organization
) -> None:
    UnitEnrollmentFactory(unit=unit_org, category=UnitCategory.objects.get(code="JD"), staffing=77)
    OrganizationFactory(code="EVIL", name="=cmd|' /C calc'!A0", kind="other")
    exported = system_admin_client.get(reverse("org:organization_export"))
    wb = load_workbook(io.BytesIO(exported.content))
    names = [row[1] for row in wb.active.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in names  # exported text can never run as a formula
    before = list(Organization.objects.order_by("code").values_list("code", "name", "kind"))
    upload = io.BytesIO(exported.content)
    upload.name = "orgs.xlsx"
    response = system_admin_client.post(
        reverse("org:organization_import"), {"file": upload}, follow=True
    )
    assert "新增 0 个" in response.content.decode()
    assert "EVIL" in [c for c, *_ in before]


def test_users_of_a_unit_see_only_their_own_organization_in_the_api(
    unit: User, other_unit_org: Organization
) -> None:
    client = login(Client(), unit)
    data = client.get("/api/v1/org/organizations/").json()
    assert [o["code"] for o in data["results"]] == ["JD01"]
    assert client.get(f"/api/v1/org/organizations/{other_unit_org.pk}/").status_code == 404


def test_a_unit_is_enrolled_in_one_category_per_year(
    system_admin_client: Client, year: AssessmentYear, unit_org: Organization
) -> None:
    jd = UnitCategory.objects.get(code="JD")
    UnitEnrollmentFactory(unit=unit_org, category=jd)
    response = system_admin_client.post(
        reverse("org:enrollment_create", args=[year.pk]),
        {"unit": unit_org.pk, "category": UnitCategory.objects.get(code="DQ").pk},
    )
    assert response.status_code == 200  # the form refuses: the unit is no longer offered
    assert UnitEnrollment.objects.filter(unit=unit_org).count() == 1


def test_a_staffing_of_zero_is_refused_in_the_import_as_not_positive(
    system_admin_client: Client, year: AssessmentYear
) -> None:
    upload = workbook_upload([["A1", "甲单位", "", "机关部门", "否", "是", "党群类", 0]])
    page = system_admin_client.post(
        reverse("org:organization_import"), {"file": upload}
    ).content.decode()
    assert "编制数必须是正整数（大于 0）；未登记请留空。" in page
    assert not Organization.objects.filter(code="A1").exists()


def test_a_staffing_of_zero_is_refused_in_the_enrollment_form(
    year: AssessmentYear, unit_org: Organization
) -> None:
    from jixiao.org.forms import EnrollmentForm

    category = UnitCategory.objects.get(code="JD")
    form = EnrollmentForm({"unit": unit_org.pk, "category": category.pk, "staffing": 0}, year=year)
    assert form.errors["staffing"] == ["编制数必须是正整数（大于 0）；未登记请留空。"]
    blank = EnrollmentForm(
        {"unit": unit_org.pk, "category": category.pk, "staffing": ""}, year=year
    )
    assert blank.is_valid(), blank.errors  # blank: not registered yet


def test_an_organization_history_reads_as_words(
    system_admin_client: Client, unit_org: Organization
) -> None:
    data = {
        "name": "东湖街道办事处",
        "kind": "agency",
        "is_assessed_unit": "on",
        "is_active": "on",
        "sort_order": 0,
        "version": unit_org.version,
    }
    system_admin_client.post(reverse("org:organization_detail", args=[unit_org.pk]), data)
    page = system_admin_client.get(reverse("org:organization_detail", args=[unit_org.pk]))
    history = page.content.decode().split("变更记录", 1)[1].split("</table>", 1)[0]
    assert "名称：" in history
    assert "机关部门" in history  # the kind by its label
    assert "kind" not in history
    assert "None" not in history


def test_a_duplicate_category_code_is_refused_in_a_sentence(
    system_admin_client: Client, year: AssessmentYear
) -> None:
    response = system_admin_client.post(
        reverse("org:year_detail", args=[year.pk]),
        {"cat-code": "JD", "cat-name": "另一个街道类", "cat-scale": 1000, "cat-sort_order": 0},
    )
    assert response.status_code == 200
    assert "本年度已有使用这个编码的考核类别，请换一个编码。" in response.content.decode()
    assert UnitCategory.objects.filter(year=year, code="JD").count() == 1
