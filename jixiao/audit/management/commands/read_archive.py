"""Read an archive file back into the archive tables the audit admin searches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixiao.audit.actions import read_year_archive
from jixiao.audit.archive import ArchiveRefused


class Command(BaseCommand):
    help = "Check an archive file written by archive_year and make it searchable."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            stored = read_year_archive(path.read_bytes(), None, path.name)
        except (ArchiveRefused, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{stored}: {stored.rows} rows, {stored.audit_rows} audit rows")
