"""Hostile files at the organization import door (issue 8), through the view: a Chinese
refusal, no organization created or changed, the server still serving."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.core.excel import DEFAULT_LIMITS
from jixiao.core.tests import hostile
from jixiao.org import importing
from jixiao.org.models import AssessmentYear, Organization


@pytest.fixture
def year(db: None) -> AssessmentYear:
    return AssessmentYear.objects.create(year=2026, name="2026 年度", is_current=True)


def _post(client: Client, data: bytes, name: str) -> str:
    response = client.post(
        reverse("org:organization_import"), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("kind", sorted(hostile.XLSX_CLASSES))
def test_a_hostile_workbook_is_refused_and_nothing_changes(
    system_admin_client: Client, year: AssessmentYear, kind: str
) -> None:
    before = list(Organization.objects.values_list("code", "name", "version"))
    data = hostile.XLSX_CLASSES[kind](importing.COLUMNS, DEFAULT_LIMITS)
    assert hostile.REFUSALS[kind] in _post(system_admin_client, data, "orgs.xlsx")
    assert list(Organization.objects.values_list("code", "name", "version")) == before
    assert system_admin_client.get(reverse("org:organization_import")).status_code == 200


@pytest.mark.parametrize("kind", sorted(hostile.CSV_CLASSES))
def test_a_hostile_csv_is_refused_and_nothing_changes(
    system_admin_client: Client, year: AssessmentYear, kind: str
) -> None:
    before = Organization.objects.count()
    data = hostile.CSV_CLASSES[kind](importing.COLUMNS, DEFAULT_LIMITS)
    assert hostile.REFUSALS[kind] in _post(system_admin_client, data, "orgs.csv")
    assert Organization.objects.count() == before
