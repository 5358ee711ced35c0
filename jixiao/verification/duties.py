"""三定 duties (主要职责) and how the year's indicators cover them (职责对应, Jiangsu).

Each assessed unit's 三定 regulation lists its main duties; the office imports them from
Excel (one row per duty: 单位编码, 序号, 职责内容) and links each duty to the indicators
that assess it. The check the office runs while building next year's scheme:

* a duty is **covered** when it is linked to at least one leaf indicator that applies
  to the unit (points in its category, and the unit in the indicator's 适用单位 if the
  indicator names any); otherwise it is **职责未覆盖**;
* an **individual** (业绩 / 个性) leaf that applies to the unit and is linked to none of
  its duties **matches no duty** (指标无对应职责). Common, evaluation and bonus–penalty
  indicators apply to every unit alike and are not tied to one unit's duties;
* a unit without imported duties is listed as such and counts in neither.

Everything is read in a fixed number of queries whatever the number of units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jixiao.core.excel import RowError, Table, parse_decimal, safe_cell
from jixiao.core.values import clean_text
from jixiao.org.models import AssessmentYear, Organization, UnitCategory, UnitEnrollment
from jixiao.scheme.models import Indicator, IndicatorKind, IndicatorPoints
from jixiao.verification.models import Duty

COLUMNS = ["单位编码", "单位名称", "序号", "职责内容"]
REQUIRED = ["单位编码", "序号", "职责内容"]


# -- import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRow:
    row: int
    unit: Organization
    number: int
    text: str


def parse_table(table: Table, year: AssessmentYear) -> tuple[list[DutyRow], list[RowError]]:
    """Every row checked before anything is written; the errors name row and column."""
    errors = list(table.errors)
    enrolled = {
        e.unit.code: e.unit for e in UnitEnrollment.objects.filter(year=year).select_related("unit")
    }
    seen: dict[tuple[str, int], int] = {}
    rows: list[DutyRow] = []
    for row, values in table.rows:
        row_errors: list[RowError] = []
        code = str(values.get("单位编码") or "").strip()
        unit = enrolled.get(code)
        if not code:
            row_errors.append(RowError(row, "单位编码", _("不能为空")))
        elif unit is None:
            row_errors.append(
                RowError(
                    row,
                    "单位编码",
                    _("%(y)s 年度没有编码为 %(c)s 的被考核单位") % {"y": year.year, "c": code},
                )
            )
        number = 0
        try:
            parsed = parse_decimal(values.get("序号"), digits=4, places=0)
            if parsed is None or parsed <= 0 or parsed != parsed.to_integral_value():
                raise ValueError(_("须为正整数"))
            number = int(parsed)
        except ValueError as error:
            row_errors.append(RowError(row, "序号", str(error)))
        text = ""
        try:
            text = clean_text(values.get("职责内容"))
            if not text:
                raise ValueError(_("不能为空"))
        except ValueError as error:
            row_errors.append(RowError(row, "职责内容", str(error)))
        if unit is not None and number:
            first = seen.setdefault((code, number), row)
            if first != row:
                row_errors.append(
                    RowError(row, "序号", _("与第 %(r)d 行的单位和序号重复") % {"r": first})
                )
        errors.extend(row_errors)
        if not row_errors and unit is not None:
            rows.append(DutyRow(row, unit, number, text))
    if not table.rows and not errors:
        errors.append(RowError(1, "", _("文件中没有职责数据。")))
    return rows, errors


# -- coverage ----------------------------------------------------------------------------


@dataclass
class UnitCoverage:
    unit: Organization
    category: UnitCategory
    duties: list[Duty] = field(default_factory=list)
    linked: dict[int, list[Indicator]] = field(default_factory=dict)  # duty pk → indicators
    indicators: list[Indicator] = field(default_factory=list)  # individual leaves that apply
    unmatched: list[Indicator] = field(default_factory=list)

    @property
    def uncovered(self) -> list[Duty]:
        return [d for d in self.duties if not self.linked.get(d.pk)]

    @property
    def has_duties(self) -> bool:
        return bool(self.duties)


@dataclass
class CategoryCoverage:
    category: UnitCategory
    units: int = 0
    units_with_duties: int = 0
    duties: int = 0
    uncovered: int = 0
    indicators: int = 0
    unmatched: int = 0

    @property
    def covered_share(self) -> int | None:
        """Covered duties in percent (None before any duty is imported)."""
        if not self.duties:
            return None
        return round((self.duties - self.uncovered) * 100 / self.duties)


def applicable_leaves(year: AssessmentYear) -> tuple[list[Indicator], Any, Any]:
    """(leaves, points keys {(indicator, category)}, explicit units {indicator: {unit}})."""
    leaves = list(
        Indicator.objects.filter(scheme__year=year, children__isnull=True)
        .exclude(method="")
        .order_by("sort_order", "code")
    )
    ids = [i.pk for i in leaves]
    points = set(
        IndicatorPoints.objects.filter(indicator_id__in=ids).values_list(
            "indicator_id", "category_id"
        )
    )
    explicit: dict[int, set[int]] = defaultdict(set)
    through: Any = Indicator.units.through
    for indicator_id, unit_id in through.objects.filter(indicator_id__in=ids).values_list(
        "indicator_id", "organization_id"
    ):
        explicit[indicator_id].add(unit_id)
    return leaves, points, explicit


def applies(
    indicator: Indicator, unit_id: int, category_id: int, points: Any, explicit: Any
) -> bool:
    only = explicit.get(indicator.pk)
    return (indicator.pk, category_id) in points and (not only or unit_id in only)


def coverage(
    year: AssessmentYear, unit: Organization | None = None
) -> tuple[list[UnitCoverage], list[CategoryCoverage]]:
    """Per unit and per category, in the category and unit order of the year."""
    enrollments = UnitEnrollment.objects.filter(year=year).select_related("unit", "category")
    if unit is not None:
        enrollments = enrollments.filter(unit=unit)
    enrollments = enrollments.order_by("category__sort_order", "unit__sort_order", "unit__code")
    leaves, points, explicit = applicable_leaves(year)
    by_pk = {i.pk: i for i in leaves}
    duties: dict[int, list[Duty]] = defaultdict(list)
    duty_rows = Duty.objects.filter(year=year).order_by("unit_id", "number")
    if unit is not None:
        duty_rows = duty_rows.filter(unit=unit)
    for duty in duty_rows:
        duties[duty.unit_id].append(duty)
    links: dict[int, list[int]] = defaultdict(list)
    through: Any = Duty.indicators.through
    for duty_id, indicator_id in through.objects.filter(duty__in=duty_rows).values_list(
        "duty_id", "indicator_id"
    ):
        links[duty_id].append(indicator_id)
    units: list[UnitCoverage] = []
    categories: dict[int, CategoryCoverage] = {}
    for e in enrollments:
        cov = UnitCoverage(e.unit, e.category, duties.get(e.unit_id, []))
        linked_ids: set[int] = set()
        for duty in cov.duties:
            found = [
                by_pk[i]
                for i in links.get(duty.pk, [])
                if i in by_pk and applies(by_pk[i], e.unit_id, e.category_id, points, explicit)
            ]
            cov.linked[duty.pk] = sorted(found, key=lambda i: (i.sort_order, i.code))
            linked_ids.update(i.pk for i in found)
        cov.indicators = [
            i
            for i in leaves
            if i.kind == IndicatorKind.INDIVIDUAL
            and applies(i, e.unit_id, e.category_id, points, explicit)
        ]
        if cov.has_duties:
            cov.unmatched = [i for i in cov.indicators if i.pk not in linked_ids]
        units.append(cov)
        cat = categories.setdefault(e.category_id, CategoryCoverage(e.category))
        cat.units += 1
        if cov.has_duties:
            cat.units_with_duties += 1
            cat.duties += len(cov.duties)
            cat.uncovered += len(cov.uncovered)
            cat.indicators += len(cov.indicators)
            cat.unmatched += len(cov.unmatched)
    return units, list(categories.values())


def linkable(year: AssessmentYear, unit: Organization) -> list[Indicator]:
    """The leaves a duty of this unit may be linked to: those that apply to the unit."""
    enrollment = UnitEnrollment.objects.filter(year=year, unit=unit).first()
    if enrollment is None:
        return []
    leaves, points, explicit = applicable_leaves(year)
    return [i for i in leaves if applies(i, unit.pk, enrollment.category_id, points, explicit)]


# -- export ------------------------------------------------------------------------------


def _bold_header(sheet: Any, headers: list[str]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def coverage_workbook(year: AssessmentYear) -> Workbook:
    """Three sheets: per category, every duty with its indicators, indicators with no duty."""
    units, categories = coverage(year)
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = _("按类别汇总")
    _bold_header(
        summary,
        [
            _("考核类别"),
            _("单位数"),
            _("已导入职责的单位"),
            _("职责数"),
            _("职责未覆盖"),
            _("覆盖率（%）"),
            _("业绩指标（单位×指标）"),
            _("指标无对应职责"),
        ],
    )
    for c in categories:
        summary.append(
            [
                safe_cell(c.category.name),
                c.units,
                c.units_with_duties,
                c.duties,
                c.uncovered,
                c.covered_share,
                c.indicators,
                c.unmatched,
            ]
        )
    sheet = workbook.create_sheet(_("职责对应"))
    _bold_header(
        sheet, [_("考核类别"), _("单位"), _("序号"), _("职责内容"), _("对应指标"), _("覆盖情况")]
    )
    for u in units:
        if not u.has_duties:
            sheet.append(
                [
                    safe_cell(u.category.name),
                    safe_cell(u.unit.name),
                    None,
                    _("未导入三定职责"),
                    "",
                    "",
                ]
            )
            continue
        for duty in u.duties:
            linked = u.linked.get(duty.pk, [])
            sheet.append(
                [
                    safe_cell(u.category.name),
                    safe_cell(u.unit.name),
                    duty.number,
                    safe_cell(duty.text),
                    safe_cell("；".join(f"{i.code} {i.name}" for i in linked)),
                    _("已覆盖") if linked else _("职责未覆盖"),
                ]
            )
    loose = workbook.create_sheet(_("指标无对应职责"))
    _bold_header(loose, [_("考核类别"), _("单位"), _("指标编码"), _("指标名称")])
    for u in units:
        for indicator in u.unmatched:
            loose.append(
                [
                    safe_cell(u.category.name),
                    safe_cell(u.unit.name),
                    safe_cell(indicator.code),
                    safe_cell(indicator.name),
                ]
            )
    for ws, widths in (
        (summary, [16, 8, 14, 8, 10, 10, 18, 14]),
        (sheet, [16, 20, 6, 60, 40, 12]),
        (loose, [16, 20, 12, 40]),
    ):
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        ws.freeze_panes = "A2"
    return workbook
