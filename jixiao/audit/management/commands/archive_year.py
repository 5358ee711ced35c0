"""Export a closed year whole into an archive file (docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jixiao.audit.actions import export_year_archive, read_year_archive
from jixiao.audit.archive import ArchiveRefused
from jixiao.org.models import AssessmentYear


class Command(BaseCommand):
    help = "Export a closed assessment year (business data and audit rows) into a zip."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--out", required=True, help="the archive file to write")
        parser.add_argument(
            "--read-back", action="store_true", help="also read it into the archive view"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = AssessmentYear.objects.filter(year=options["year"]).first()
        if year is None:
            raise CommandError(f"没有 {options['year']} 考核年度。")
        try:
            data = export_year_archive(year, None)
            out = Path(options["out"])
            out.write_bytes(data)
            self.stdout.write(f"{out}: {len(data)} bytes")
            if options["read_back"]:
                stored = read_year_archive(data, None, out.name)
                self.stdout.write(f"read back: {stored.rows} rows, {stored.audit_rows} audit rows")
        except ArchiveRefused as error:
            raise CommandError(str(error)) from error
