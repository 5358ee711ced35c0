"""The progress grid with evidence, and the monthly report's Excel and PDF jobs."""

from __future__ import annotations

import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import User
from jixiao.core.testing import download_from_job, login, page_text
from jixiao.monitoring import actions
from jixiao.monitoring.models import Progress, ProgressEvidence
from jixiao.monitoring.tests.conftest import Monitored

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_unit_saves_progress_with_evidence_and_only_it_and_the_office_may_download_it(
    monitored: Monitored, unit: User, other_unit: User, office: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    pk = monitored.target.pk
    client = login(Client(), unit)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("monitoring:progress", args=[2026, 4]),
            {
                f"value-{pk}": "400",
                f"narrative-{pk}": "一季度项目全部开工",
                f"evidence-{pk}": SimpleUploadedFile("开工照片.pdf", PDF),
            },
            follow=True,
        )
    assert "已保存 1 项进度" in page_text(response)
    assert "开工照片.pdf" in page_text(response)
    evidence = ProgressEvidence.objects.get()
    url = reverse("monitoring:evidence", args=[evidence.pk])
    assert client.get(url).status_code == 200
    assert login(Client(), office).get(url).status_code == 200
    assert login(Client(), other_unit).get(url).status_code == 404


def test_a_file_that_is_not_evidence_is_refused_and_the_value_still_saved(
    monitored: Monitored, unit: User
) -> None:
    pk = monitored.target.pk
    response = login(Client(), unit).post(
        reverse("monitoring:progress", args=[2026, 4]),
        {f"value-{pk}": "400", f"evidence-{pk}": SimpleUploadedFile("a.pdf", b"MZ\x90\x00")},
        follow=True,
    )
    assert "不支持的文件类型" in page_text(response)
    assert not ProgressEvidence.objects.exists()
    assert Progress.objects.get().value == D(400)


def test_a_stale_version_on_the_grid_is_a_conflict_not_an_overwrite(
    monitored: Monitored, unit: User, department: User
) -> None:
    row = actions.enter_progress(department, monitored.target, 4, D(410))
    pk = monitored.target.pk
    response = login(Client(), unit).post(
        reverse("monitoring:progress", args=[2026, 4]),
        {f"value-{pk}": "999", f"version-{pk}": str(row.version - 1)},
        follow=True,
    )
    assert "已被他人修改" in page_text(response)
    assert Progress.objects.get().value == D(410)


def test_the_office_exports_the_report_as_excel_and_pdf(
    monitored: Monitored, office: User, unit: User
) -> None:
    actions.enter_progress(unit, monitored.target, 10, D(1000))
    client = login(Client(), office)
    url = reverse("monitoring:report_export", args=[2026, 10])
    book = download_from_job(client, url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("类别", "名次", "单位", "月度得分")
    assert rows[1][2:4] == (monitored.world.unit.name, "100.00")
    pdf = download_from_job(client, url, {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_a_unit_cannot_export_a_month_not_yet_published(monitored: Monitored, unit: User) -> None:
    response = login(Client(), unit).post(
        reverse("monitoring:report_export", args=[2026, 10]), {"format": "xlsx"}
    )
    assert response.status_code == 404
