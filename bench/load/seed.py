"""Seed and check the deadline-rush load test (run.py calls it; DATABASE_URL is the load
test's own database, with the demo district loaded).

`python bench/load/seed.py scale` (once, on the template database) scales the demo
district up to 60 clerk accounts (created as the system admin creates them,
`create_user`, their first password changed by themselves, `change_own_password`) and
one account per assessed unit. `... plan COUNTS_JSON OUT_JSON` splits the open period's
editable cells among the clerks and uploaders (no two locust users share a cell, so
every save has one author and the final value is known), the submitted entries among
the reviewers, and writes every locust user's session and work to OUT_JSON.

`python bench/load/seed.py verify PLAN_JSON ACKS_JSONL` compares what the server
acknowledged with the database and prints a JSON report: every acknowledged grid save
and upload is there with its last acknowledged value, every acknowledged approval is
approved, and the audit trail has exactly one row per acknowledged saved cell.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
CLERKS = 60
REASON = "按实际完成情况填报"


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    django.setup()


def _session(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # as if the second factor had been passed
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return str(session.session_key)


def _accounts() -> tuple[list[Any], list[Any]]:
    """60 clerk accounts over the departments, one account per assessed unit."""
    from jixiao.accounts.actions import change_own_password, create_user
    from jixiao.accounts.models import User
    from jixiao.accounts.roles import Role
    from jixiao.audit.context import acting_as
    from jixiao.core.testing import PASSWORD
    from jixiao.org.models import Organization

    admin = User.objects.get(username="sysadmin")
    departments = list(Organization.objects.departments().order_by("code"))
    clerks = list(User.objects.filter(role=Role.DEPARTMENT, is_active=True).order_by("username"))
    with acting_as(admin):
        n = 0
        while len(clerks) < CLERKS:
            department = departments[n % len(departments)]
            n += 1
            username = f"{department.code.lower()}_load{n}"
            if User.objects.filter(username=username).exists():
                continue
            clerks.append(
                create_user(
                    admin,
                    User(
                        username=username,
                        last_name=department.short_name or department.name,
                        first_name="填报员",
                        organization=department,
                        role=Role.DEPARTMENT,
                    ),
                    PASSWORD,
                    reason="负载测试：增开填报员账号",
                )
            )
        units = []
        for unit in Organization.objects.assessed_units().order_by("code"):
            user = User.objects.filter(organization=unit, role=Role.UNIT).first()
            if user is None:
                user = create_user(
                    admin,
                    User(
                        username=f"{unit.code.lower()}_unit",
                        last_name=unit.short_name or unit.name,
                        first_name="联络员",
                        organization=unit,
                        role=Role.UNIT,
                    ),
                    PASSWORD,
                    reason="负载测试：为被考核单位开通账号",
                )
            units.append(user)
    for user in [*clerks, *units]:
        if user.must_change_password:
            change_own_password(user, PASSWORD)
    return clerks[:CLERKS], units


def _variants(slot: Any, period: Any, entry: Any) -> list[dict[str, str]] | None:
    """Three valid, different inputs for a cell (none equal to what is stored)."""
    from jixiao.collection import leaf

    fields = [f.column for f in leaf.input_fields(slot.indicator)]
    if not fields:
        return None
    out = []
    for value, grade in (("61", "A"), ("73.5", "B"), ("88", "C"), ("95", "A")):
        raw = {c: (grade if c == "grade" else "100" if c == "reference" else value) for c in fields}
        outcome = leaf.evaluate(
            slot.indicator,
            slot.points,
            slot.staffing,
            raw,
            heavy_share=period.scheme.heavy_deduction_share,
            reason=REASON,
        )
        if [e for e in outcome.errors if e != outcome.reason_needed]:
            continue
        if entry is not None and all(getattr(entry, c) == outcome.values.get(c) for c in fields):
            continue  # what is stored already: saving it would change nothing
        out.append(raw)
    return out if len(out) >= 3 else None


def plan(counts: dict[str, int]) -> dict[str, Any]:
    from jixiao.accounts.models import User
    from jixiao.collection.actions import EDITABLE
    from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus, PeriodStatus
    from jixiao.collection.structure import department_slots
    from jixiao.scoring.models import RunCategory, RunStatus, ScoreRun

    clerks, units = _accounts()  # made by `scale` on the template: only looked up here
    period = CollectionPeriod.objects.get(status=PeriodStatus.OPEN)
    by_department: dict[int, list[Any]] = defaultdict(list)
    for clerk in clerks:
        by_department[clerk.organization_id].append(clerk)
    entries = {(e.indicator_id, e.unit_id): e for e in Entry.objects.filter(period=period)}
    cells = []  # (department, slot, entry)
    for department_id in sorted(by_department):
        department = by_department[department_id][0].organization
        if not period.accepts_entries_from(department_id):
            continue
        for slot in department_slots(period, department):
            entry = entries.get(slot.key)
            if entry is not None and entry.status not in EDITABLE:
                continue
            variants = _variants(slot, period, entry)
            if variants:
                cells.append((department, slot, entry, variants))
    # Uploaders take 3 cells each from the end, clerks share the rest round-robin.
    n_upload, n_clerk = counts["uploaders"], counts["clerks"]
    upload_cells = cells[len(cells) - 3 * n_upload :] if n_upload else []
    grid_cells = cells[: len(cells) - len(upload_cells)]
    if len(grid_cells) < n_clerk:
        raise SystemExit(f"only {len(grid_cells)} editable cells for {n_clerk} clerks")
    clerk_plans: list[dict[str, Any]] = []
    for i in range(n_clerk):
        mine = grid_cells[i::n_clerk]
        department = mine[0][0]
        staff = by_department[department.pk]
        # Cells of one plan may span departments: keep the plan to the first one's.
        mine = [c for c in mine if c[0].pk == department.pk]
        tabs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for _d, slot, entry, variants in mine:
            tabs[slot.indicator.pk].append(
                {
                    "unit": slot.unit.pk,
                    "values": variants,
                    "reason": REASON,
                    "version": entry.version if entry else None,
                }
            )
        clerk_plans.append(
            {
                "session": _session(staff[i % len(staff)]),
                "period": period.pk,
                "department": department.code,
                "tabs": [{"indicator": k, "rows": v} for k, v in tabs.items()],
            }
        )
    upload_plans = []
    for i in range(n_upload):
        mine = upload_cells[3 * i : 3 * i + 3]
        department = mine[0][0]
        mine = [c for c in mine if c[0].pk == department.pk]
        staff = by_department[department.pk]
        upload_plans.append(
            {
                "session": _session(staff[i % len(staff)]),
                "period": period.pk,
                "department": department.code,
                "rows": [
                    {
                        "indicator": slot.indicator.pk,
                        "unit": slot.unit.pk,
                        "indicator_code": slot.indicator.code,
                        "unit_code": slot.unit.code,
                        "values": variants,
                        "reason": REASON,
                    }
                    for _d, slot, _e, variants in mine
                ],
            }
        )
    office = User.objects.get(username="office")
    waiting = list(
        Entry.objects.filter(period=period, status=EntryStatus.SUBMITTED)
        .order_by("pk")
        .values("pk", "version")
    )
    reviewers = [
        {"session": _session(office), "entries": waiting[i :: counts["reviewers"]]}
        for i in range(counts["reviewers"])
    ]
    run = (
        ScoreRun.objects.filter(status=RunStatus.PUBLISHED)
        .order_by("-year__year", "-number")
        .first()
    )
    assert run is not None, "the demo has a published run"
    categories = list(RunCategory.objects.filter(run=run).values_list("category_id", flat=True))
    unit_plans = [
        {
            "session": _session(units[i % len(units)]),
            "run": run.pk,
            "unit": units[i % len(units)].organization_id,
        }
        for i in range(counts["units"])
    ]
    leader = User.objects.get(username="leader")
    leaders = [
        {"session": _session(leader), "run": run.pk, "categories": categories}
        for _ in range(counts["leaders"])
    ]
    return {
        "clerks": clerk_plans,
        "uploaders": upload_plans,
        "reviewers": reviewers,
        "units": unit_plans,
        "leaders": leaders,
        "period": period.pk,
        "clerk_accounts": len(clerks),
        "unit_accounts": len(units),
        "editable_cells": len(cells),
        "waiting_entries": len(waiting),
    }


def _number(text: str) -> Decimal | None:
    from jixiao.core.values import parse_number

    return parse_number(text) if text not in ("", None) else None


def verify(plan_data: dict[str, Any], acks: list[dict[str, Any]], started: str) -> dict[str, Any]:
    from django.utils.dateparse import parse_datetime

    from jixiao.audit.models import AuditEvent
    from jixiao.collection.models import Entry, EntryStatus

    period = plan_data["period"]
    last: dict[tuple[int, int], dict[str, str]] = {}
    cell_saves = 0
    for a in acks:
        if a["kind"] == "save":
            last[(a["indicator"], a["unit"])] = a["values"]
            cell_saves += 1
        elif a["kind"] == "upload":
            for row in a["rows"]:
                last[(row["indicator"], row["unit"])] = row["values"]
                cell_saves += 1
    entries = {(e.indicator_id, e.unit_id): e for e in Entry.objects.filter(period=period)}
    missing = []
    for key, values in last.items():
        entry = entries.get(key)
        stored_ok = entry is not None and all(
            (getattr(entry, column) or "") == value
            if column == "grade"
            else getattr(entry, column) == _number(value)
            for column, value in values.items()
        )
        if not stored_ok:
            missing.append(
                {
                    "cell": key,
                    "acknowledged": values,
                    "stored": None if entry is None else str(entry.value),
                }
            )
    approved = [a["entry"] for a in acks if a["kind"] == "approve"]
    not_approved = list(
        Entry.objects.filter(pk__in=approved)
        .exclude(status__in=[EntryStatus.APPROVED, EntryStatus.AWAITING_CONFIRMATION])
        .values_list("pk", flat=True)
    )
    since = parse_datetime(started)
    audit_rows = AuditEvent.objects.filter(
        at__gte=since, object_type="collection.entry", action__in=["create", "update", "import"]
    ).count()
    return {
        "acknowledged_saves": sum(a["kind"] == "save" for a in acks),
        "acknowledged_uploads": sum(a["kind"] == "upload" for a in acks),
        "acknowledged_cells": cell_saves,
        "cells_checked": len(last),
        "cells_missing": missing[:20],
        "acknowledged_approvals": len(approved),
        "approvals_missing": not_approved,
        "audit_rows_for_saves": audit_rows,
        "ok": not missing and not not_approved and audit_rows == cell_saves,
    }


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "scale":
        _accounts()
    elif sys.argv[1] == "plan":
        Path(sys.argv[3]).write_text(json.dumps(plan(json.loads(sys.argv[2])), ensure_ascii=False))
    else:
        plan_data = json.loads(Path(sys.argv[2]).read_text())
        acks = [json.loads(line) for line in Path(sys.argv[3]).read_text().splitlines() if line]
        print(json.dumps(verify(plan_data, acks, sys.argv[4]), ensure_ascii=False))
