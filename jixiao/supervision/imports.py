"""Importing a city's existing task list from Excel/CSV (through `core/excel.py`).

Columns: 事项名称, 来源 (上级交办/领导批示/部门反馈/考核发现/群众反映), 问题描述, 牵头单位
(name or code), 办结时限 (2026-06-30), optional 等级 (一般/重点), 整改措施, 配合单位 (names
separated by 、or ,). Every row is checked first; nothing is written unless every row is
valid (all-or-nothing), and each refusal names its row and column in Chinese. Imported
tasks are raised in 立项 through `actions.create_task` (audited), for 督查室 to hand over.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.accounts.models import User
from jixiao.core.excel import RowError, SpreadsheetError, read_upload
from jixiao.core.values import clean_text
from jixiao.core.workflow import TransitionRefused
from jixiao.org.models import Organization
from jixiao.supervision import actions
from jixiao.supervision.actions import TaskDraft
from jixiao.supervision.models import Level, SourceKind, SupervisionTask

REQUIRED = ("事项名称", "来源", "问题描述", "牵头单位", "办结时限")
OPTIONAL = ("等级", "整改措施", "配合单位")
MAX_ROWS = 5000


class ImportRefused(Exception):
    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("；".join(messages))


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip().replace("/", "-").replace(".", "-")
    text = re.sub(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", r"\1-\2-\3", text)
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    except (ValueError, TypeError):
        raise ValueError(_("日期应写作 2026-06-30")) from None


def _text(
    cells: dict[str, Any],
    row: int,
    problems: list[RowError],
    column: str,
    limit: int,
    required: bool,
) -> str:
    try:
        value = clean_text(cells.get(column), max_length=limit)
    except ValueError as error:
        problems.append(RowError(row, column, str(error)))
        return ""
    if required and not value:
        problems.append(RowError(row, column, _("不能为空")))
    return value


def import_tasks(user: User, upload: Any, year: int) -> list[SupervisionTask]:
    if user.role != "supervision":
        raise ImportRefused([_("只有督查室可以导入督办事项。")])
    try:
        table = read_upload(upload, REQUIRED, OPTIONAL)
    except SpreadsheetError as error:
        raise ImportRefused([str(error)]) from error
    errors: list[str] = [str(e) for e in table.errors]
    if len(table.rows) > MAX_ROWS:
        raise ImportRefused([_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}])
    if not table.rows and not errors:
        raise ImportRefused([_("文件中没有数据行。")])
    orgs: dict[str, Organization] = {}
    for org in Organization.objects.active():
        orgs[org.name] = org
        orgs[org.code] = org
        if org.short_name:
            orgs.setdefault(org.short_name, org)
    kinds = {str(label): value for value, label in SourceKind.choices}
    levels = {str(label): value for value, label in Level.choices}
    drafts: list[TaskDraft] = []
    for row, cells in table.rows:
        problems: list[RowError] = []

        def text(
            column: str,
            limit: int = 2000,
            *,
            required: bool = True,
            cells: dict[str, Any] = cells,
            row: int = row,
            problems: list[RowError] = problems,
        ) -> str:
            return _text(cells, row, problems, column, limit, required)

        title = text("事项名称", 200)
        problem = text("问题描述")
        measures = text("整改措施", required=False)
        kind = kinds.get(text("来源", 20))
        if kind is None and not any(p.column == "来源" for p in problems):
            problems.append(
                RowError(row, "来源", _("应为上级交办、领导批示、部门反馈、考核发现或群众反映"))
            )
        level_text = text("等级", 10, required=False) or str(Level.NORMAL.label)
        level = levels.get(level_text)
        if level is None:
            problems.append(RowError(row, "等级", _("应为一般或重点")))
        lead = orgs.get(text("牵头单位", 100))
        if lead is None and not any(p.column == "牵头单位" for p in problems):
            problems.append(RowError(row, "牵头单位", _("没有这个单位")))
        coop: list[Organization] = []
        for name in re.split(r"[、,，;；]", text("配合单位", 500, required=False)):
            if name.strip():
                found = orgs.get(name.strip())
                if found is None:
                    problems.append(
                        RowError(row, "配合单位", _("没有单位“%(n)s”") % {"n": name.strip()})
                    )
                elif found not in coop:
                    coop.append(found)
        try:
            deadline = _date(cells.get("办结时限"))
        except ValueError as error:
            problems.append(RowError(row, "办结时限", str(error)))
            deadline = date(year, 12, 31)
        if problems:
            errors.extend(str(p) for p in problems)
            continue
        assert lead is not None
        assert kind is not None
        assert level is not None
        if lead in coop:
            errors.append(str(RowError(row, "配合单位", _("牵头单位不能同时是配合单位"))))
            continue
        drafts.append(
            TaskDraft(
                year=year,
                title=title,
                source_kind=kind,
                problem=problem,
                measures=measures,
                lead_unit=lead,
                deadline=deadline,
                level=level,
                cooperating_units=coop,
            )
        )
    if errors:
        raise ImportRefused(errors[:200])
    with transaction.atomic():
        try:
            return [actions.create_task(user, d) for d in drafts]
        except TransitionRefused as error:
            raise ImportRefused(error.messages) from error
