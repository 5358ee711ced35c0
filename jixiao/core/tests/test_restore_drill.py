"""The backup and point-in-time restore drill (deploy/backup/drill.py) runs in CI.

It builds its own throwaway PostgreSQL clusters under /tmp (never the server the tests
use), so it runs in the PostgreSQL pass of `make test` and is skipped on SQLite. About
1.5 minutes: most of it is loading the demo district.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.drill]

ROOT = Path(__file__).resolve().parents[3]


def test_a_backup_restores_to_the_moment_chosen_with_its_audit_trail_and_media() -> None:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the restore drill runs in the PostgreSQL pass (set DATABASE_URL)")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        if os.environ.get("CI") == "true":
            pytest.fail("the PostgreSQL server binaries are missing")
        pytest.skip("needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    done = subprocess.run(
        [sys.executable, "deploy/backup/drill.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"], report
    assert report["tables_differing"] == []
    assert {"audit_auditevent", "org_organization", "collection_evidencefile"} <= set(
        report["tables_changed_after_target"]
    )
    assert report["audit_rows"] > 1000
    assert report["media_files"] == 1
