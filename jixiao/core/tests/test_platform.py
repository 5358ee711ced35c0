"""The promises of the platform: production settings, offline pages, demo, API docs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.accounts.roles import Role
from jixiao.core.testing import login
from jixiao.org.models import Organization, UnitCategory, UnitEnrollment

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "jixiao.example.gov.cn",
        "JIXIAO_DATA_DIR": str(tmp_path),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//"""
)


def test_no_template_or_asset_of_ours_loads_anything_from_another_host() -> None:
    offenders = []
    for path in (ROOT / "jixiao").rglob("*"):
        ours = path.suffix in {".html", ".css", ".js"} and "node_modules" not in path.parts
        if ours and EXTERNAL.search(path.read_text(encoding="utf-8", errors="ignore")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_demo_district_is_realistic_and_rebuilding_it_changes_nothing(db: None) -> None:
    call_command("load_demo", quiet=True)
    counts = (Organization.objects.count(), User.objects.count(), UnitEnrollment.objects.count())
    call_command("load_demo", quiet=True)
    assert (
        Organization.objects.count(),
        User.objects.count(),
        UnitEnrollment.objects.count(),
    ) == counts
    assert UnitEnrollment.objects.filter(year__year=2026).count() == 60
    assert UnitCategory.objects.filter(year__year=2026).count() == 3
    assert Organization.objects.filter(is_department=True).count() == 25
    roles = set(User.objects.values_list("role", flat=True))
    assert len(roles) == len(Role) == 11


def test_the_healthcheck_answers_without_login(db: None) -> None:
    assert Client().get(reverse("core:healthz")).json()["status"] == "ok"


def test_the_api_is_described_by_openapi(department: User) -> None:
    client = login(Client(), department)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/org/organizations/" in schema["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "jsdelivr" not in docs


def test_the_ui_is_chinese_by_default_and_switches_to_english(department: User) -> None:
    client = login(Client(), department)
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "退出登录" in page
    assert "数据采集单位" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in page
    assert "Log out" in page
    assert "Hello, " in page
    assert "Data-collection department" in page
    assert "退出登录" not in page
    # Switching back restores Chinese.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get(reverse("core:home")).content.decode()


def test_the_login_page_speaks_english_once_chosen(db: None) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Username" in html
    assert "登录" not in html


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(db: None) -> None:
    # Office computers may run an English browser; the UI stays Chinese by default.
    page = Client().get(reverse("accounts:login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html


EN_CATALOG = ROOT / "jixiao" / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sd]|%%")


def _po_entries(path: Path) -> list[dict[str, str | list[str]]]:
    """A minimal .po reader: flags and the unescaped msgid / msgid_plural / msgstr(s)."""
    entries: list[dict[str, str | list[str]]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str | list[str]] = {"flags": []}
        key = ""
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] = [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] = str(entry[key]) + _po_string(line)
            else:
                key, _, rest = line.partition(" ")
                entry[key] = _po_string(rest)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _po_string(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def test_the_english_catalog_is_complete_and_compiled() -> None:
    import gettext

    entries = _po_entries(EN_CATALOG / "django.po")
    assert len(entries) > 500
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert fuzzy == []
    untranslated, broken = [], []
    for e in messages:
        forms = [v for k, v in e.items() if k.startswith("msgstr")]
        if not forms or any(v == "" for v in forms):
            untranslated.append(e["msgid"])
        elif "python-format" in e["flags"]:
            wanted = sorted(PLACEHOLDER.findall(str(e["msgid"])))
            if any(sorted(PLACEHOLDER.findall(str(v))) != wanted for v in forms):
                broken.append(e["msgid"])
    assert untranslated == []
    assert broken == []
    # The committed .mo is compiled from this .po (users may have no gettext tools).
    with (EN_CATALOG / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def shown(e: dict[str, str | list[str]]) -> str:
        if "msgctxt" in e:  # pgettext: 取消 the button vs. an indicator removed
            return compiled.pgettext(str(e["msgctxt"]), str(e["msgid"]))
        return compiled.gettext(str(e["msgid"]))

    stale = [e["msgid"] for e in messages if "msgstr" in e and shown(e) != e["msgstr"]]
    assert stale == []


@pytest.mark.parametrize(
    "path",
    [
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/bootstrap/css/bootstrap.min.css",
        "core/jixiao.css",
    ],
)
def test_front_end_libraries_are_served_by_jixiao_itself(path: str) -> None:
    from django.contrib.staticfiles import finders

    assert finders.find(path), path


def test_every_api_endpoint_is_documented_without_warnings(tmp_path: Path) -> None:
    # drf-spectacular warns about endpoints it cannot describe; the schema must be whole.
    call_command("spectacular", "--fail-on-warn", "--validate", file=str(tmp_path / "schema.yaml"))
    assert "/api/v1/scheme/" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.parametrize(
    ("path", "text"), [("/no-such-page/", "页面不存在"), ("/audit/", "没有权限")]
)
def test_error_pages_are_chinese_and_keep_the_navigation(
    department_client: Client, path: str, text: str
) -> None:
    response = department_client.get(path)
    assert response.status_code in (403, 404)
    page = response.content.decode()
    assert text in page
    assert 'class="jx-nav"' in page
