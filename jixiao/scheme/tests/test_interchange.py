import io
import json
from dataclasses import replace
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.audit.context import acting_as
from jixiao.core.excel import workbook_response_bytes
from jixiao.scheme import actions, excel_io, jsonio
from jixiao.scheme.interchange import import_nodes
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import Indicator, Scheme
from jixiao.scheme.tests.conftest import small_tree


def upload(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name  # type: ignore[attr-defined]
    return f


def workbook_bytes(scheme: Scheme) -> bytes:
    return workbook_response_bytes(excel_io.export_workbook(scheme))


def excel_import(scheme: Scheme, data: bytes) -> list[Any]:
    nodes, where, errors = excel_io.parse_workbook(upload(data, "x.xlsx"))
    if errors:
        return errors
    return import_nodes(scheme, nodes, where, "测试").errors


@pytest.fixture
def empty_draft(last_scheme: Scheme, year: Any, office: Any) -> Scheme:
    # `last_scheme` is the small tree in 2025; the 2026 draft starts empty.
    with acting_as(office):
        return actions.create_scheme(year, "空白方案")


def test_excel_export_then_import_gives_the_identical_tree(
    last_scheme: Scheme, empty_draft: Scheme, office: Any
) -> None:
    with acting_as(office):
        assert excel_import(empty_draft, workbook_bytes(last_scheme)) == []
    assert load_nodes(empty_draft) == load_nodes(last_scheme)


def test_excel_round_trip_of_the_demo_scheme_is_lossless(db: None, office: Any) -> None:
    from jixiao.org import demo as org_demo
    from jixiao.scheme.demo import build_demo

    with acting_as(office):
        district = org_demo.build()
        build_demo(district)
        scheme = Scheme.objects.get(year__year=2026)
        data = workbook_bytes(scheme)
        target = Scheme.objects.get(year__year=2025)
        # Import into the 2026 tree itself (through an open revision): nothing changes.
        revision = actions.start_revision(scheme, "round trip", office)
        before = load_nodes(scheme)
        assert excel_import(scheme, data) == []
        assert load_nodes(scheme) == before
        actions.cancel_revision(revision)
        doc = jsonio.export_bytes(scheme)
        _doc, nodes, _where, errors = jsonio.parse_document(upload(doc, "s.json"))
        assert errors == []
        assert nodes == before
    assert target.status == "closed"


def test_json_export_then_import_gives_the_identical_tree(
    last_scheme: Scheme, empty_draft: Scheme, office: Any
) -> None:
    data = jsonio.export_bytes(last_scheme)
    doc, nodes, where, errors = jsonio.parse_document(upload(data, "s.json"))
    assert errors == []
    assert jsonio.check_categories(doc, empty_draft) == []  # type: ignore[arg-type]
    with acting_as(office):
        assert import_nodes(empty_draft, nodes, where, "测试").errors == []
    assert load_nodes(empty_draft) == load_nodes(last_scheme)


def test_json_documents_are_checked_against_the_schema(db: None) -> None:
    doc = {
        "format": "jixiao-scheme",
        "version": 1,
        "categories": [{"code": "AG", "scale": 50}],
        "indicators": [
            {
                "code": "A",
                "level": 4,
                "name": "x",
                "kind": "odd",
                "points": {"AG": "-1"},
                "extra": 1,
            }
        ],
    }
    _doc, _nodes, _where, errors = jsonio.parse_document(upload(json.dumps(doc).encode(), "s.json"))
    text = "\n".join(str(e) for e in errors)
    assert "categories[0]（AG）.scale" in text
    assert "indicators[0]（A）" in text
    assert "不认识的字段：extra" in text
    assert "必须是以下之一" in text


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"not json", "不是有效的 JSON"),
        (b'{"format": "other"}', "不是 Jixiao 考核方案文件"),
        (b'{"format": "jixiao-scheme", "version": 2}', "不支持的格式版本"),
        (b"\xff\xfe{", "UTF-8"),
    ],
)
def test_bad_json_files_get_chinese_errors(db: None, payload: bytes, expected: str) -> None:
    _doc, _nodes, _where, errors = jsonio.parse_document(upload(payload, "s.json"))
    assert expected in str(errors[0])


def test_json_schema_lists_exactly_the_registry_methods() -> None:
    from jixiao.scoring.engine.methods import METHODS

    enum = jsonio.schema()["$defs"]["indicator"]["properties"]["method"]["anyOf"][0]["enum"]
    assert set(enum) == set(METHODS)


def _rows(scheme: Scheme) -> Workbook:
    return load_workbook(io.BytesIO(workbook_bytes(scheme)))


def test_points_that_do_not_add_up_are_refused_and_nothing_changes(
    draft: Scheme, office: Any
) -> None:
    wb = _rows(draft)
    ws = wb["指标体系"]
    header = [c.value for c in ws[1]]
    col = header.index("机关类分值[AG]") + 1
    ws.cell(row=3, column=col, value=39)  # A1 in AG: 40 -> 39
    ws.cell(row=3, column=header.index("三级指标") + 1, value=None)
    ws.cell(row=3, column=header.index("二级指标") + 1, value="重点工作完成率（改）")
    before = load_nodes(draft)
    with acting_as(office):
        errors = excel_import(draft, workbook_response_bytes(wb))
    assert any("下级指标分值合计" in str(e) for e in errors)
    assert load_nodes(draft) == before


def _unescaped(wb: Any) -> bytes:
    """A hostile file: saved without the export door, so "=1+1" stays a formula."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_row_errors_name_the_row_and_the_column(draft: Scheme, office: Any) -> None:
    wb = _rows(draft)
    ws = wb["指标体系"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("计分方法") + 1, value="拍脑袋")
    ws.cell(row=4, column=header.index("数据采集单位编码") + 1, value="NOBODY")
    ws.cell(row=5, column=header.index("机关类分值[AG]") + 1, value="=1+1")
    ws.cell(row=6, column=header.index("计分参数") + 1, value="{bad json")
    before = load_nodes(draft)
    with acting_as(office):
        errors = [str(e) for e in excel_import(draft, _unescaped(wb))]
    assert any("第 3 行「计分方法」" in e and "拍脑袋" in e for e in errors)
    assert any("第 5 行「机关类分值[AG]」" in e and "公式" in e for e in errors)
    assert any("第 6 行「计分参数」" in e for e in errors)
    assert load_nodes(draft) == before


def test_unknown_owner_codes_are_refused(draft: Scheme, office: Any) -> None:
    wb = _rows(draft)
    ws = wb["指标体系"]
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("数据采集单位编码") + 1, value="NOBODY")
    with acting_as(office):
        errors = [str(e) for e in excel_import(draft, workbook_response_bytes(wb))]
    assert errors == ["第 3 行：数据采集单位编码“NOBODY”不存在"]


def test_merged_cells_wrong_columns_and_renamed_files_are_refused(draft: Scheme) -> None:
    from jixiao.core.excel import SpreadsheetError

    wb = _rows(draft)
    wb["指标体系"].merge_cells("D2:E2")
    with pytest.raises(SpreadsheetError, match="合并单元格"):
        excel_io.parse_workbook(upload(workbook_response_bytes(wb), "x.xlsx"))
    wb = _rows(draft)
    wb["指标体系"].delete_cols(2)
    with pytest.raises(SpreadsheetError, match="缺少必需的列"):
        excel_io.parse_workbook(upload(workbook_response_bytes(wb), "x.xlsx"))
    with pytest.raises(SpreadsheetError, match="不是有效的 Excel"):
        excel_io.parse_workbook(upload(b"%PDF-1.4 pretending", "x.xlsx"))


def test_oversized_files_are_refused(draft: Scheme, settings: Any) -> None:
    from jixiao.core.excel import SpreadsheetError

    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(SpreadsheetError, match="大小上限"):
        excel_io.parse_workbook(upload(workbook_bytes(draft), "x.xlsx"))


def test_importing_into_a_published_scheme_is_refused(published: Scheme, office: Any) -> None:
    nodes = [replace(n, name="改名") if n.code == "C1" else n for n in small_tree()]
    with acting_as(office), pytest.raises(actions.SchemeActionError, match="锁定"):
        import_nodes(published, nodes, {}, "x")
    assert Indicator.objects.get(scheme=published, code="C1").name == "上级表彰"
