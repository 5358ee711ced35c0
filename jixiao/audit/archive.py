"""A closed year, exported whole and read back (docs/deployment.md, "Audit retention and
archives").

The file is a zip: `manifest.json` (format, year, who and when, and per table its file,
row count and SHA-256) and one JSON Lines file per table under `tables/`, one object a
line: `{"pk": …, "fields": {…}}` as Django's serializer writes it (foreign keys as ids,
times in ISO 8601 UTC). The year's business data is every row that reaches the year
through its foreign keys (found from the models, so a new app's tables are included
without editing this module), plus the organizations they name; its audit rows are every
audit row about one of those objects. Accounts, sessions and second-factor keys are
never exported.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditEvent
from jixiao.org.models import AssessmentYear, Organization

FORMAT = "jixiao-year-archive"
FORMAT_VERSION = 1
AUDIT_LABEL = "audit.auditevent"
# Never in an archive: secrets and the archives themselves.
EXCLUDED_APPS = {"accounts", "sessions", "otp_totp", "otp_static", "axes", "audit", "admin"}
MAX_DEPTH = 5
MAX_FILE_BYTES = 2 * 1024**3  # inflated, per table
ID_CHUNK = 5000


class ArchiveRefused(Exception):
    """The file is not a readable archive; the message is Chinese and says why."""


def year_paths() -> dict[str, str]:
    """For each model that belongs to a year, the lookup path from it to the year's pk."""
    paths: dict[str, str] = {"org.assessmentyear": "pk"}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in EXCLUDED_APPS or label in paths:
            continue
        path = _path_to_year(model)
        if path:
            paths[label] = f"{path}__pk"
    return paths


def _path_to_year(model: type[models.Model]) -> str | None:
    queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
    seen = {model}
    while queue:
        current, path, depth = queue.popleft()
        for field in current._meta.concrete_fields:
            if not field.is_relation or (not field.many_to_one and not field.one_to_one):
                continue
            target = field.related_model
            if not isinstance(target, type) or target in seen:
                continue
            step = f"{path}__{field.name}" if path else field.name
            if target is AssessmentYear:
                return step
            if depth + 1 < MAX_DEPTH:
                seen.add(target)
                queue.append((target, step, depth + 1))
    return None


def is_closed(year: AssessmentYear) -> bool:
    """A year is closed once a later year is the current one."""
    current = AssessmentYear.objects.filter(is_current=True).first()
    return current is not None and current.year > year.year


def _lines(queryset: models.QuerySet[Any]) -> Iterator[bytes]:
    for obj in queryset.order_by("pk").iterator(chunk_size=2000):
        (row,) = serializers.serialize("python", [obj])
        line = {"pk": row["pk"], "fields": row["fields"]}
        yield json.dumps(line, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def _audit_rows(objects: dict[str, list[str]]) -> Iterator[bytes]:
    """Every audit row about one of the objects (a row is about exactly one object)."""
    for label, pks in sorted(objects.items()):
        for start in range(0, len(pks), ID_CHUNK):
            yield from _lines(
                AuditEvent.objects.filter(
                    object_type=label, object_id__in=pks[start : start + ID_CHUNK]
                )
            )


def export_year(year: AssessmentYear, exported_by: str) -> bytes:
    """The year's archive file (see the module docstring)."""
    buffer = io.BytesIO()
    tables = []
    objects: dict[str, list[str]] = {}
    paths = year_paths()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def write(label: str, lines: Iterator[bytes]) -> None:
            digest, count, name = hashlib.sha256(), 0, f"tables/{label}.jsonl"
            with archive.open(name, "w", force_zip64=True) as out:
                for line in lines:
                    data = line + b"\n"
                    out.write(data)
                    digest.update(data)
                    count += 1
            tables.append(
                {"model": label, "file": name, "rows": count, "sha256": digest.hexdigest()}
            )

        for label, path in sorted(paths.items()):
            model = apps.get_model(label)
            queryset = model._default_manager.filter(**{path: year.pk})
            objects[label] = [str(pk) for pk in queryset.values_list("pk", flat=True)]
            write(label, _lines(queryset))
        write("org.organization", _lines(Organization.objects.all()))
        write(AUDIT_LABEL, _audit_rows(objects))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "year": year.year,
            "year_name": year.name,
            "exported_at": timezone.now().isoformat(),
            "exported_by": exported_by,
            "tables": tables,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


@dataclass
class ReadArchive:
    manifest: dict[str, Any]
    sha256: str

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"])

    @property
    def audit_rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"] if t["model"] == AUDIT_LABEL)


def read_manifest(data: bytes) -> tuple[zipfile.ZipFile, ReadArchive]:
    """Open an archive and check its manifest and every table's size, count and checksum."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ArchiveRefused(_("这不是绩效系统导出的年度归档文件。")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused(_("这不是绩效系统导出的年度归档文件。"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveRefused(_("归档文件的格式版本不受支持。"))
    if not isinstance(manifest.get("year"), int) or not parse_datetime(
        str(manifest.get("exported_at"))
    ):
        raise ArchiveRefused(_("归档文件的清单不完整。"))
    names = set(archive.namelist())
    for table in manifest.get("tables", []):
        name = table.get("file")
        if name not in names or archive.getinfo(name).file_size > MAX_FILE_BYTES:
            raise ArchiveRefused(_("归档文件缺少数据表 %(t)s。") % {"t": table.get("model")})
        digest, count = hashlib.sha256(), 0
        with archive.open(name) as part:
            for line in part:
                digest.update(line)
                count += 1
        if digest.hexdigest() != table.get("sha256") or count != table.get("rows"):
            raise ArchiveRefused(
                _("数据表 %(t)s 的校验值或记录数与清单不符，文件可能已损坏或被改动。")
                % {"t": table.get("model")}
            )
    return archive, ReadArchive(manifest, hashlib.sha256(data).hexdigest())


def rows_of(archive: zipfile.ZipFile, table: dict[str, Any]) -> Iterator[dict[str, Any]]:
    with archive.open(table["file"]) as part:
        for line in part:
            yield json.loads(line)
