"""Writes of the audit app: exporting a closed year and reading an archive back."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jixiao.audit import archive
from jixiao.audit.models import ArchivedRow, AuditAction, YearArchive
from jixiao.audit.records import record
from jixiao.core import bulk
from jixiao.org.models import AssessmentYear

BATCH = 5000


def export_year_archive(year: AssessmentYear, user: Any) -> bytes:
    """A closed year's archive file; the export itself is in the audit trail."""
    if not archive.is_closed(year):
        raise archive.ArchiveRefused(
            _("只能归档已结束的年度（当前年度之前的年度）：%(y)s 尚未结束。") % {"y": year.name}
        )
    name = user.get_username() if user is not None else "system"
    data = archive.export_year(year, exported_by=name)
    with transaction.atomic():
        record(
            AuditAction.EXPORT,
            year,
            after={"archive_sha256": archive.hashlib.sha256(data).hexdigest()},
            reason=_("导出年度归档"),
            actor=user,
        )
    return data


def _text(fields: dict[str, Any]) -> str:
    return " ".join(
        json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
        for v in fields.values()
        if v not in (None, "")
    )


def read_year_archive(data: bytes, user: Any, file_name: str = "") -> YearArchive:
    """Check an archive file and copy its rows into the archive tables (never into the
    live ones): all or nothing."""
    zipped, read = archive.read_manifest(data)
    if YearArchive.objects.filter(sha256=read.sha256).exists():
        raise archive.ArchiveRefused(_("这个归档文件已经读入过，不必重复读入。"))
    manifest = read.manifest
    exported_at = parse_datetime(manifest["exported_at"])
    assert exported_at is not None  # read_manifest checked it
    with transaction.atomic():
        stored = YearArchive(
            year=manifest["year"],
            year_name=str(manifest.get("year_name", ""))[:100],
            exported_at=exported_at,
            exported_by=str(manifest.get("exported_by", ""))[:150],
            sha256=read.sha256,
            manifest=manifest,
            rows=read.rows,
            audit_rows=read.audit_rows,
            read_by=user.get_username() if user is not None else "system",
        )
        stored.file.save(f"{manifest['year']}-{read.sha256[:12]}.zip", ContentFile(data), False)
        stored.save()
        for table in manifest["tables"]:
            is_audit = table["model"] == archive.AUDIT_LABEL
            batch: list[ArchivedRow] = []
            for row in archive.rows_of(zipped, table):
                fields = row["fields"]
                batch.append(
                    ArchivedRow(
                        archive=stored,
                        model=table["model"][:100],
                        object_pk=str(row["pk"])[:64],
                        at=parse_datetime(fields.get("at") or "") if is_audit else None,
                        actor_name=str(fields.get("actor_name", ""))[:150] if is_audit else "",
                        action=str(fields.get("action", ""))[:24] if is_audit else "",
                        text=_text(fields),
                        data=fields,
                    )
                )
                if len(batch) >= BATCH:
                    bulk.insert(ArchivedRow, batch)
                    batch = []
            if batch:
                bulk.insert(ArchivedRow, batch)
        record(
            AuditAction.IMPORT,
            stored,
            after={"rows": stored.rows, "audit_rows": stored.audit_rows, "file": file_name},
            reason=_("读入年度归档"),
            actor=user,
        )
    return stored
