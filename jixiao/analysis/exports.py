"""Excel export of a run's quality report, through the house's escaping door
(`core.excel.safe_cell`), audited like every export."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from jixiao.analysis.loading import CategoryState
from jixiao.analysis.report import category_report
from jixiao.audit.models import AuditAction
from jixiao.audit.records import record
from jixiao.core.excel import XLSX_CONTENT_TYPE, safe_cell, workbook_response_bytes
from jixiao.scoring.engine.fragility import DECISION_LABELS, DECISIONS
from jixiao.scoring.models import ScoreRun

INDICATOR_HEADER = [
    "类别",
    "指标编码",
    "指标名称",
    "分值",
    "适用单位数",
    "平均得分",
    "满分比例",
    "打和牌",
    "标准差",
    "四分位距",
    "区分度（与其余总分相关）",
    "缺报率",
    "失分占比",
]


def _bold(sheet: object) -> None:
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = Font(bold=True)


def quality_workbook(run: ScoreRun, states: list[CategoryState]) -> Workbook:
    workbook = Workbook()
    indicators = workbook.active
    assert indicators is not None
    indicators.title = "指标质量"
    indicators.append(INDICATOR_HEADER)
    pairs = workbook.create_sheet("高度相关指标")
    pairs.append(["类别", "指标一", "指标二", "相关系数"])
    units = workbook.create_sheet("排名稳健性")
    header = ["类别", "单位编码", "单位名称", "总分", "名次", "等次"]
    for name in DECISIONS:
        header += [f"{DECISION_LABELS[name]}：加分改变", f"{DECISION_LABELS[name]}：减分改变"]
    units.append([*header, "模拟名次区间（5%）", "模拟名次区间（95%）"])
    hinge_sheet = workbook.create_sheet("不足0.1分的决定")
    hinge_sheet.append(["类别", "单位编码", "单位名称", "决定", "方向", "相差分数"])
    for state in states:
        rep = category_report(state)
        category = safe_cell(state.name)
        for i in rep.quality.indicators:
            indicators.append(
                [
                    category,
                    safe_cell(i.code),
                    safe_cell(i.name),
                    i.points,
                    i.units,
                    round(i.mean, 4),
                    round(i.full_share, 4),
                    "是" if i.flat else "",
                    round(i.std, 4),
                    round(i.iqr, 4),
                    None if i.discrimination is None else round(i.discrimination, 4),
                    round(i.missing_rate, 4),
                    round(i.lost_share, 4),
                ]
            )
        for p in rep.quality.pairs:
            pairs.append(
                [category, safe_cell(p.first), safe_cell(p.second), round(p.correlation, 4)]
            )
        for u in rep.units:
            margins = [m for name in DECISIONS for m in u.margins[name]]
            interval = rep.interval(u.unit_code) or (None, None)
            units.append(
                [
                    category,
                    safe_cell(u.unit_code),
                    safe_cell(state.unit_names.get(u.unit_code, "")),
                    u.total,
                    u.rank,
                    safe_cell(u.grade),
                    *margins,
                    *interval,
                ]
            )
        for h in rep.hinges:
            hinge_sheet.append(
                [
                    category,
                    safe_cell(h.unit_code),
                    safe_cell(state.unit_names.get(h.unit_code, "")),
                    DECISION_LABELS[h.decision],
                    "加分" if h.direction == "up" else "减分",
                    h.margin,
                ]
            )
    for sheet in (indicators, pairs, units, hinge_sheet):
        _bold(sheet)
    return workbook


def quality_response(run: ScoreRun, states: list[CategoryState]) -> HttpResponse:
    data = workbook_response_bytes(quality_workbook(run, states))
    record(AuditAction.EXPORT, run, after={"format": "xlsx", "report": "quality"})
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    name = f"指标质量与排名稳健性-{run.year.year}-第{run.number}版.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
