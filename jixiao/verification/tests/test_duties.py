"""三定 duties: the all-or-nothing import, linking indicators, the coverage check per unit
and per category, and its Excel export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from jixiao.accounts.models import User
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import TransitionRefused
from jixiao.core.concurrency import EditConflict
from jixiao.core.excel import read_upload
from jixiao.core.testing import login, page_text
from jixiao.org.models import Organization
from jixiao.verification import actions, duties
from jixiao.verification.models import Duty

pytestmark = pytest.mark.django_db
HEADER = ["单位编码", "单位名称", "序号", "职责内容"]


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("三定职责.xlsx", buffer.getvalue())


def _import(office: User, world: World, rows: list[list[Any]]) -> tuple[Any, Any]:
    table = read_upload(_xlsx(rows), duties.REQUIRED, duties.COLUMNS)
    parsed, errors = duties.parse_table(table, world.scheme.year)
    if errors:
        return None, errors
    return actions.import_duties(office, world.scheme.year, parsed), []


def _three_duties(office: User, world: World) -> list[Duty]:
    code = world.unit.code
    counts, errors = _import(
        office,
        world,
        [
            [code, world.unit.name, 1, "拟订并组织实施国民经济和社会发展规划"],
            [code, "", 2, "统筹重大项目布局"],
            [code, "", 3, "负责安全生产监督管理"],
        ],
    )
    assert errors == []
    assert counts["created"] == 3
    return list(Duty.objects.filter(unit=world.unit).order_by("number"))


def test_a_file_with_one_bad_row_imports_nothing_and_names_every_problem(
    world: World, office: User
) -> None:
    counts, errors = _import(
        office,
        world,
        [
            [world.unit.code, "", 1, "统筹重大项目布局"],
            ["NOPE", "", 2, "某项职责"],
            [world.unit.code, "", "二", "某项职责"],
            [world.unit.code, "", 1, "重复的序号"],
            [world.unit.code, "", 4, ""],
        ],
    )
    assert counts is None
    text = [str(e) for e in errors]
    assert text == [
        f"第 3 行「单位编码」：{world.scheme.year.year} 年度没有编码为 NOPE 的被考核单位",
        "第 4 行「序号」：“二”不是有效的数字",
        "第 5 行「序号」：与第 2 行的单位和序号重复",
        "第 6 行「职责内容」：不能为空",
    ]
    assert not Duty.objects.exists()


def test_a_second_import_keeps_links_of_kept_numbers_and_drops_missing_ones(
    world: World, office: User
) -> None:
    _first, second, third = _three_duties(office, world)
    actions.link_duty(office, second, [world.direct.pk], second.version)
    counts, _errors = _import(
        office,
        world,
        [
            [world.unit.code, "", 1, "拟订并组织实施国民经济和社会发展规划"],
            [world.unit.code, "", 2, "统筹推进重大项目建设"],
        ],
    )
    assert counts == {"created": 0, "updated": 1, "unchanged": 1, "deleted": 1}
    second.refresh_from_db()
    assert second.text == "统筹推进重大项目建设"
    assert list(second.indicators.all()) == [world.direct]
    assert not Duty.objects.filter(pk=third.pk).exists()


def test_coverage_names_uncovered_duties_and_indicators_matching_no_duty(
    world: World, office: User
) -> None:
    first, second, third = _three_duties(office, world)
    actions.link_duty(office, first, [world.completion.pk], first.version)
    actions.link_duty(office, second, [world.direct.pk, world.rank.pk], second.version)
    units, categories = duties.coverage(world.scheme.year)
    mine = next(u for u in units if u.unit == world.unit)
    assert mine.uncovered == [third]
    individual = {i.code for i in mine.indicators}
    assert {"A01", "A02", "A03"} <= individual
    assert {i.code for i in mine.unmatched} == individual - {"A01", "A02", "A03"}
    other = next(u for u in units if u.unit == world.other_unit)
    assert not other.has_duties
    assert other.unmatched == []  # no duties imported: not counted
    (category,) = categories
    assert (category.units, category.units_with_duties, category.duties) == (2, 1, 3)
    assert category.uncovered == 1
    assert category.covered_share == 67


def test_a_duty_links_only_indicators_that_apply_to_its_unit_and_checks_the_version(
    world: World, office: User, inspector: User, other_department_org: Organization
) -> None:
    (duty, *_rest) = _three_duties(office, world)
    elsewhere = f.make_indicator(
        world.scheme, "Z01", other_department_org, points={}, name="不适用的指标"
    )
    with pytest.raises(TransitionRefused, match="不适用"):
        actions.link_duty(office, duty, [elsewhere.pk], duty.version)
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        actions.link_duty(inspector, duty, [world.direct.pk], duty.version)
    stale = duty.version
    actions.link_duty(office, duty, [world.direct.pk], stale)
    with pytest.raises(EditConflict):
        actions.link_duty(office, duty, [], stale)
    assert list(duty.indicators.all()) == [world.direct]


def test_the_office_imports_links_and_reads_the_gap_on_the_pages(
    world: World, office: User
) -> None:
    client = login(Client(), office)
    url = reverse("verification:duties") + f"?year={world.scheme.year.year}"
    response = client.post(
        url,
        {
            "file": _xlsx(
                [[world.unit.code, "", 1, "统筹重大项目布局"], [world.unit.code, "", 2, "安全生产"]]
            )
        },
    )
    assert response.status_code == 302
    duty = Duty.objects.get(unit=world.unit, number=1)
    unit_page = client.get(
        reverse("verification:duty_unit", args=[world.unit.pk]) + f"?year={world.scheme.year.year}"
    )
    text = page_text(unit_page)
    assert "统筹重大项目布局" in text
    assert "职责未覆盖" in text
    assert f'id="d{duty.pk}-i{world.direct.pk}"' in unit_page.content.decode()
    client.post(
        reverse("verification:duty_link", args=[duty.pk]),
        {"indicator": [str(world.direct.pk)], "version": str(duty.version)},
    )
    assert list(duty.indicators.all()) == [world.direct]
    overview = page_text(client.get(url))
    assert "第 2 项" in overview  # still uncovered
    assert "未导入三定职责" in overview  # the other unit


def test_a_refused_upload_shows_the_row_errors_and_writes_nothing(
    world: World, office: User
) -> None:
    client = login(Client(), office)
    url = reverse("verification:duties") + f"?year={world.scheme.year.year}"
    response = client.post(url, {"file": _xlsx([["NOPE", "", 1, "x"]])})
    assert response.status_code == 200
    assert "没有编码为 NOPE 的被考核单位" in page_text(response)
    assert not Duty.objects.exists()


def test_the_coverage_export_has_a_sheet_per_view(
    world: World, office: User, django_assert_max_num_queries: Any
) -> None:
    _three_duties(office, world)
    client = login(Client(), office)
    url = reverse("verification:duties") + f"?year={world.scheme.year.year}&format=xlsx"
    response = client.get(url)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按类别汇总", "职责对应", "指标无对应职责"]
    rows = list(workbook["职责对应"].iter_rows(values_only=True))
    assert rows[1][2:4] == (1, "拟订并组织实施国民经济和社会发展规划")
    assert rows[1][5] == "职责未覆盖"
    with django_assert_max_num_queries(20):
        client.get(reverse("verification:duties") + f"?year={world.scheme.year.year}")


def test_before_there_is_a_year_the_pages_say_so(office: User, department: User) -> None:
    duties_page = login(Client(), office).get(reverse("verification:duties"))
    assert "还没有考核年度" in page_text(duties_page)
    negative = login(Client(), department).get(reverse("verification:negative"))
    assert "本年度还没有考核方案" in page_text(negative)
