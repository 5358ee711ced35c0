"""The Django side of the restore drill (deploy/backup/drill.py), run with its DATABASE_URL.

`python deploy/backup/drill_helper.py change <label>` makes ordinary changes through the
actions a user's pages call: a new organization, and a PDF evidence file attached to an
entry by the department that entered it (a database row, its audit rows and a media
file). `... files` prints, as JSON, every media file the database refers to.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    django.setup()


def change(label: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from jixiao.accounts.models import User
    from jixiao.audit.context import acting_as
    from jixiao.collection.evidence import attach
    from jixiao.collection.models import Entry
    from jixiao.org.actions import create_organization
    from jixiao.org.models import Organization, OrganizationKind

    office = User.objects.get(username="office")
    with acting_as(office, "127.0.0.1"):
        create_organization(
            Organization(
                code=f"DRILL{label}", name=f"演练单位{label}", kind=OrganizationKind.AGENCY
            )
        )
    entry = Entry.objects.filter(entered_by__isnull=False).order_by("pk").first()
    assert entry is not None
    assert entry.entered_by is not None
    pdf = b"%PDF-1.4\n% drill " + label.encode() + b"\n%%EOF\n"
    with acting_as(entry.entered_by, "127.0.0.1"), transaction.atomic():
        attach(
            SimpleUploadedFile(f"佐证{label}.pdf", pdf, "application/pdf"),
            entry.entered_by,
            entry=entry,
        )


def files() -> list[str]:
    from jixiao.collection.models import EvidenceFile

    return sorted(EvidenceFile.objects.values_list("file", flat=True))


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "change":
        change(sys.argv[2])
    else:
        print(json.dumps(files()))
