"""Every exported cell, headers included, goes through the escaping door: a name that
starts like a formula ("=", "+", "-", "@") is text in every workbook and CSV we hand out."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.audit.models import AuditEvent
from jixiao.core.excel import FORMULA_PREFIXES
from jixiao.core.testing import download_from_job, login
from jixiao.org.models import Organization, UnitCategory
from jixiao.scheme.models import Indicator
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience
from jixiao.scoring.tests.factories import World, publish, zhangjiagang_world

pytestmark = pytest.mark.django_db

HOSTILE = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)"]


@pytest.fixture(params=HOSTILE)
def hostile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(department_org: Organization, unit_org: Organization, hostile: str) -> World:
    w = zhangjiagang_world(department=department_org)
    w.units[unit_org.code] = unit_org
    w.unit(unit_org.code, "JG", staffing=30)
    w.entry(unit_org.code, "1.1.1", 95, 100)
    UnitCategory.objects.filter(year=w.year).update(name=hostile)
    Organization.objects.filter(pk=unit_org.pk).update(name=hostile, short_name=hostile)
    Indicator.objects.filter(scheme=w.scheme).update(name=hostile)
    return w


def _cells(data: bytes) -> list[tuple[str, object, str]]:
    book = load_workbook(io.BytesIO(data))
    return [
        (f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def _assert_inert(cells: list[tuple[str, object, str]], hostile: str) -> None:
    assert any(value == "'" + hostile for _where, value, _kind in cells), "name not exported"
    for where, value, kind in cells:
        assert kind != "f", where
        if isinstance(value, str):
            assert not value.startswith(FORMULA_PREFIXES), (where, value)


def test_the_scheme_export_escapes_its_header_row(world: World, office: User, hostile: str) -> None:
    response = login(Client(), office).get(reverse("scheme:export_xlsx", args=[world.scheme.pk]))
    assert response.status_code == 200
    _assert_inert(_cells(response.content), hostile)


def test_the_results_export_escapes_every_name(world: World, office: User, hostile: str) -> None:
    run = actions.compute_run(world.year, user=office)
    publish(run, user=office, audience=RankingsAudience.LEADERS)
    response = download_from_job(
        login(Client(), office), reverse("scoring:export_xlsx", args=[run.pk])
    )
    assert response.status_code == 200
    _assert_inert(_cells(response.content), hostile)


def test_the_organization_export_escapes_every_name(
    world: World, office: User, hostile: str
) -> None:
    response = login(Client(), office).get(
        reverse("org:organization_export"), {"year": world.year.year}
    )
    assert response.status_code == 200
    _assert_inert(_cells(response.content), hostile)


def test_the_collection_template_escapes_every_name(
    world: World, department: User, hostile: str
) -> None:
    response = login(Client(), department).get(
        reverse("collection:template", args=[world.period.pk])
    )
    assert response.status_code == 200
    _assert_inert(_cells(response.content), hostile)


def test_the_audit_csv_escapes_every_cell(audit_admin: User, hostile: str) -> None:
    AuditEvent.objects.create(
        action="update", actor_name=hostile, object_type=hostile, object_id=hostile, reason="x"
    )
    response = login(Client(), audit_admin).get(reverse("audit:export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert ["'" + hostile] * 3 == [rows[-1][1], rows[-1][5], rows[-1][6]]
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_PREFIXES), value
