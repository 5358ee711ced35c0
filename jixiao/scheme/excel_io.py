"""Excel round-trip of an indicator tree: one row per indicator, readable and editable.

The name of an indicator is written in the column of its level (一级 / 二级 / 三级指标),
so the sheet reads like the Word tables offices use today; 编码 / 上级编码 carry the
structure. Points have one column per unit category, headed "党群类分值[DQ]" (the code in
brackets is what counts on import). Parameters are JSON. Rows keep sibling order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.core.excel import (
    FORMULA_PREFIXES,
    RowError,
    SpreadsheetError,
    parse_decimal,
    read_upload,
    safe_cell,
)
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import DataPeriod, IndicatorKind, Scheme
from jixiao.scheme.paramtext import params_from_text, params_to_text
from jixiao.scheme.tree import NodeData, canonical_params
from jixiao.scoring.engine.methods import METHODS

SHEET = "指标体系"
LEVEL_COLUMNS = ["一级指标", "二级指标", "三级指标"]
REQUIRED = ["编码", "上级编码", *LEVEL_COLUMNS, "类型"]
OPTIONAL = [
    "层级",
    "定性",
    "数据采集单位编码",
    "数据采集单位",
    "数据周期",
    "须按期报送",
    "计分方法",
    "计分参数",
    "加分上限",
    "扣分上限",
    "适用单位",
    "评分标准",
    "说明",
]
CATEGORY_HEADER = re.compile(r"\[([A-Za-z0-9][A-Za-z0-9._-]{0,31})\]$")
YES, NO = "是", "否"
KIND_BY_LABEL = {str(label): value for value, label in IndicatorKind.choices}
PERIOD_BY_LABEL = {str(label): value for value, label in DataPeriod.choices}
METHOD_BY_LABEL = {spec.label: code for code, spec in METHODS.items()}
KIND_LABEL = {v: k for k, v in KIND_BY_LABEL.items()}
PERIOD_LABEL = {v: k for k, v in PERIOD_BY_LABEL.items()}


def category_header(category: UnitCategory) -> str:
    return f"{category.name}分值[{category.code}]"


def _columns(categories: Sequence[UnitCategory]) -> list[str]:
    return [
        "层级",
        "编码",
        "上级编码",
        *LEVEL_COLUMNS,
        "类型",
        "定性",
        "数据采集单位编码",
        "数据采集单位",
        "数据周期",
        "须按期报送",
        "计分方法",
        "计分参数",
        *[category_header(c) for c in categories],
        "加分上限",
        "扣分上限",
        "适用单位",
        "评分标准",
        "说明",
    ]


def export_workbook(scheme: Scheme) -> Workbook:
    categories = list(UnitCategory.objects.filter(year=scheme.year))
    nodes = load_nodes(scheme)
    owners = dict(
        Organization.objects.filter(code__in={n.owner_code for n in nodes}).values_list(
            "code", "name"
        )
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    columns = _columns(categories)
    ws.append(columns)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    level_fill = PatternFill("solid", fgColor="F3F6FA")
    bonus_fill = PatternFill("solid", fgColor="FFF4E5")
    for node in nodes:
        names = ["", "", ""]
        names[node.level - 1] = node.name
        row = [
            node.level,
            safe_cell(node.code),
            safe_cell(node.parent_code or ""),
            *[safe_cell(n) for n in names],
            KIND_LABEL.get(node.kind, node.kind),
            YES if node.is_qualitative else NO,
            safe_cell(node.owner_code or ""),
            safe_cell(owners.get(node.owner_code or "", "")),
            PERIOD_LABEL.get(node.period, node.period),
            YES if node.must_report else NO,
            METHODS[node.method].label if node.method in METHODS else node.method,
            safe_cell(params_to_text(node.params)),
            *[node.points.get(c.code, "") for c in categories],
            node.bonus_cap if node.bonus_cap is not None else "",
            node.penalty_cap if node.penalty_cap is not None else "",
            "、".join(node.unit_codes),
            safe_cell(node.standard),
            safe_cell(node.description),
        ]
        ws.append(row)
        if node.level == 1 or node.is_bonus:
            for cell in ws[ws.max_row]:
                cell.fill = bonus_fill if node.is_bonus else level_fill
                if node.level == 1:
                    cell.font = Font(bold=True)
    _add_validations(ws, columns)
    widths = {
        "层级": 6,
        "编码": 14,
        "上级编码": 12,
        "一级指标": 16,
        "二级指标": 20,
        "三级指标": 28,
        "类型": 11,
        "定性": 6,
        "数据采集单位编码": 10,
        "数据采集单位": 18,
        "数据周期": 8,
        "须按期报送": 8,
        "计分方法": 11,
        "计分参数": 30,
        "适用单位": 14,
        "评分标准": 50,
        "说明": 30,
    }
    for index, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(name, 12)
    ws.freeze_panes = "D2"
    _help_sheets(wb, categories)
    return wb


def _add_validations(ws: Any, columns: list[str]) -> None:
    def letter(name: str) -> str:
        return get_column_letter(columns.index(name) + 1)

    for name, values in (
        ("类型", list(KIND_BY_LABEL)),
        ("定性", [YES, NO]),
        ("须按期报送", [YES, NO]),
        ("数据周期", list(PERIOD_BY_LABEL)),
        ("计分方法", list(METHOD_BY_LABEL)),
    ):
        rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        ws.add_data_validation(rule)
        rule.add(f"{letter(name)}2:{letter(name)}3000")


def _help_sheets(wb: Workbook, categories: Sequence[UnitCategory]) -> None:
    guide = wb.create_sheet("填写说明")
    for line in (
        _("每行一个指标。指标名称写在其层级对应的列（一级指标 / 二级指标 / 三级指标）中。"),
        _("“编码”是指标的唯一标识，导入时按编码匹配；二级、三级指标须填写“上级编码”。"),
        _("同一上级下的指标按行的先后排序。"),
        _("分值列按考核类别分列，列名方括号内是类别编码；留空表示该指标不适用于该类别。"),
        _("加扣分指标不计入上级分值合计，须填写加分上限和扣分上限。"),
        _("计分参数为 JSON，也可写成“参数=值; 参数=值”，参数名见“计分方法”工作表。"),
        _("适用单位填写单位编码，用顿号分隔；留空表示适用类别内的全部单位。"),
        _("不要合并单元格，不要使用公式；任何一行有错，整个文件都不会导入。"),
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    methods = wb.create_sheet("计分方法")
    methods.append([_("计分方法"), _("编码"), _("参数"), _("计分公式")])
    for cell in methods[1]:
        cell.font = Font(bold=True)
    for code, spec in METHODS.items():
        params = "；".join(
            f"{p.name}（{p.label}{'，必填' if p.required else ''}）" for p in spec.params
        )
        methods.append([spec.label, code, params or "—", spec.formula_hint])
    for col, width in zip("ABCD", (14, 18, 60, 70), strict=True):
        methods.column_dimensions[col].width = width
    orgs = wb.create_sheet("单位编码")
    orgs.append([_("编码"), _("名称"), _("数据采集单位"), _("被考核单位")])
    for cell in orgs[1]:
        cell.font = Font(bold=True)
    for org in Organization.objects.active().filter(
        is_department=True
    ) | Organization.objects.active().filter(is_assessed_unit=True):
        orgs.append(
            [
                safe_cell(org.code),
                safe_cell(org.name),
                YES if org.is_department else "",
                YES if org.is_assessed_unit else "",
            ]
        )
    orgs.column_dimensions["B"].width = 30


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    # Undo safe_cell's apostrophe on text we exported ourselves.
    if text.startswith("'") and text[1:2] and text[1] in "".join(FORMULA_PREFIXES):
        text = text[1:]
    return text


def _code_list(value: Any) -> tuple[str, ...]:
    text = _text(value)
    parts = re.split(r"[、,，;；\s]+", text)
    return tuple(sorted({p for p in parts if p}))


def parse_workbook(
    upload: IO[bytes],
) -> tuple[list[NodeData], dict[str, tuple[str, int]], list[RowError]]:
    """Nodes, where-by-code and row errors; raises SpreadsheetError for a bad file."""
    table = read_upload(
        upload,
        REQUIRED,
        OPTIONAL,
        SHEET,
        matching=lambda header: bool(CATEGORY_HEADER.search(header)),
        accept_csv=False,
    )
    category_columns: dict[str, str] = {}
    for name in table.headers:
        match = CATEGORY_HEADER.search(name)
        if match and name not in OPTIONAL:
            category_columns[name] = match.group(1)
    if not category_columns:
        raise SpreadsheetError(
            _("没有找到分值列（列名形如“党群类分值[DQ]”）。请使用系统导出的模板。")
        )
    errors = list(table.errors)
    nodes: list[NodeData] = []
    where: dict[str, tuple[str, int]] = {}
    order: dict[str | None, int] = {}
    for row, values in table.rows:
        node, row_errors = _parse_row(row, values, category_columns)
        errors.extend(row_errors)
        if node is None:
            continue
        sort_order = order.get(node.parent_code, 0)
        order[node.parent_code] = sort_order + 1
        nodes.append(replace(node, sort_order=sort_order))
        if node.code in where:
            errors.append(
                RowError(row, "编码", _("与第 %(r)d 行重复") % {"r": where[node.code][1]})
            )
        else:
            where[node.code] = (_("第 %(r)d 行") % {"r": row}, row)
    if not table.rows:
        errors.append(RowError(2, "", _("文件中没有指标行")))
    return nodes, where, errors


def _parse_row(
    row: int, values: dict[str, Any], category_columns: dict[str, str]
) -> tuple[NodeData | None, list[RowError]]:
    errors: list[RowError] = []
    code = _text(values.get("编码"))
    if not code:
        errors.append(RowError(row, "编码", _("不能为空")))
    elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", code):
        errors.append(RowError(row, "编码", _("只能包含字母、数字、点、横线和下划线，最长 32 位")))
    names = [(i + 1, _text(values.get(col))) for i, col in enumerate(LEVEL_COLUMNS)]
    filled = [(level, name) for level, name in names if name]
    level, name = 1, ""
    if len(filled) != 1:
        errors.append(
            RowError(row, "一级指标", _("指标名称须且只能填在一级、二级、三级指标中的一列"))
        )
    else:
        level, name = filled[0]
    stated = values.get("层级")
    if stated not in (None, "") and str(stated).strip() != str(level) and len(filled) == 1:
        errors.append(
            RowError(row, "层级", _("与指标名称所在列（第 %(l)d 级）不一致") % {"l": level})
        )
    parent = _text(values.get("上级编码")) or None
    if level > 1 and parent is None:
        errors.append(RowError(row, "上级编码", _("二级、三级指标须填写上级编码")))
    if level == 1 and parent is not None:
        errors.append(RowError(row, "上级编码", _("一级指标不能有上级编码")))
    kind_text = _text(values.get("类型"))
    kind = KIND_BY_LABEL.get(kind_text) or (kind_text if kind_text in KIND_LABEL else None)
    if kind is None:
        errors.append(
            RowError(row, "类型", _("须为以下之一：%(k)s") % {"k": "、".join(KIND_BY_LABEL)})
        )
    qualitative_text = _text(values.get("定性"))
    if qualitative_text not in ("", YES, NO):
        errors.append(RowError(row, "定性", _("请填写“是”或“否”")))
    must_report_text = _text(values.get("须按期报送"))
    if must_report_text not in ("", YES, NO):
        errors.append(RowError(row, "须按期报送", _("请填写“是”或“否”")))
    period_text = _text(values.get("数据周期"))
    period = (
        PERIOD_BY_LABEL.get(period_text)
        or (period_text if period_text in PERIOD_LABEL else None)
        or (None if period_text else "annual")
    )
    if period is None:
        errors.append(
            RowError(row, "数据周期", _("须为以下之一：%(k)s") % {"k": "、".join(PERIOD_BY_LABEL)})
        )
    method_text = _text(values.get("计分方法"))
    method = METHOD_BY_LABEL.get(method_text) or (method_text if method_text in METHODS else None)
    if method_text and method is None:
        errors.append(
            RowError(
                row,
                "计分方法",
                _("“%(m)s”不是系统中的计分方法，须为：%(k)s")
                % {"m": method_text, "k": "、".join(METHOD_BY_LABEL)},
            )
        )
    params: dict[str, Any] = {}
    try:
        params = params_from_text(_text(values.get("计分参数")))
    except ValueError as error:
        errors.append(RowError(row, "计分参数", str(error)))
    points: dict[str, Decimal] = {}
    for column, category in category_columns.items():
        try:
            number = parse_decimal(values.get(column), digits=12)
        except ValueError as error:
            errors.append(RowError(row, column, str(error)))
            continue
        if number is not None:
            if number < 0:
                errors.append(RowError(row, column, _("分值不能为负")))
            points[category] = number
    caps: list[Decimal | None] = []
    for column in ("加分上限", "扣分上限"):
        try:
            cap = parse_decimal(values.get(column), digits=12)
        except ValueError as error:
            errors.append(RowError(row, column, str(error)))
            cap = None
        if cap is not None and cap < 0:
            errors.append(RowError(row, column, _("不能为负")))
        caps.append(cap)
    if errors:
        return None, errors
    assert kind is not None
    assert period is not None
    return (
        NodeData(
            code=code,
            parent_code=parent,
            level=level,
            name=name,
            kind=kind,
            is_qualitative=qualitative_text == YES,
            description=_text(values.get("说明")),
            standard=_text(values.get("评分标准")),
            owner_code=_text(values.get("数据采集单位编码")) or None,
            period=period,
            must_report=must_report_text == YES,
            method=method or "",
            params=canonical_params(method or "", params),
            bonus_cap=caps[0],
            penalty_cap=caps[1],
            points=points,
            unit_codes=_code_list(values.get("适用单位")),
        ),
        [],
    )
