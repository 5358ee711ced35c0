"""Hostile files at the scheme import door (issue 8), Excel and JSON, through the view:
a Chinese refusal, the draft's tree unchanged, the server still serving."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.core.excel import DEFAULT_LIMITS
from jixiao.core.tests import hostile
from jixiao.scheme import excel_io
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import Scheme

HEADERS = [*excel_io.REQUIRED, "党群类分值[DQ]"]


def _post(client: Client, scheme: Scheme, data: bytes, name: str) -> str:
    upload = io.BytesIO(data)
    upload.name = name
    response = client.post(reverse("scheme:scheme_import", args=[scheme.pk]), {"file": upload})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("kind", sorted(hostile.XLSX_CLASSES))
def test_a_hostile_workbook_is_refused_and_the_tree_is_unchanged(
    draft: Scheme, office_client: Client, kind: str
) -> None:
    before = load_nodes(draft)
    page = _post(
        office_client, draft, hostile.XLSX_CLASSES[kind](HEADERS, DEFAULT_LIMITS), "s.xlsx"
    )
    assert hostile.REFUSALS[kind] in page
    assert load_nodes(draft) == before
    assert office_client.get(reverse("scheme:scheme_import", args=[draft.pk])).status_code == 200


@pytest.mark.parametrize("kind", sorted(hostile.JSON_CLASSES))
def test_a_hostile_json_document_is_refused_and_the_tree_is_unchanged(
    draft: Scheme, office_client: Client, kind: str
) -> None:
    before = load_nodes(draft)
    page = _post(office_client, draft, hostile.JSON_CLASSES[kind](), "scheme.json")
    assert hostile.REFUSALS[kind] in page
    assert load_nodes(draft) == before


def test_a_csv_is_not_taken_for_a_scheme(draft: Scheme, office_client: Client) -> None:
    page = _post(office_client, draft, hostile.nul_csv(HEADERS), "scheme.csv")
    assert "不是有效的 Excel" in page
