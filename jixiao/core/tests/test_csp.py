"""The Content-Security-Policy allows only our own origin, and no template needs more.

The browser test (test_browser_csp.py) proves pages run under it; this one fails fast,
without a browser, when a template adds what the policy refuses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from jixiao.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html") if "node_modules" not in p.parts)

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_pages_allow_scripts_only_from_our_origin_or_with_this_responses_nonce(
    office: User,
) -> None:
    from jixiao.core.testing import login

    response = login(Client(), office).get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert not any(s.startswith(("http", "*")) for values in policy.values() for s in values)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_the_login_page_carries_the_policy_too(db: None) -> None:
    response = Client().get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_inline_script_runs_only_with_the_nonce_of_its_own_response(
    office: User,
) -> None:
    from jixiao.collection.tests import factories as f
    from jixiao.core.testing import login

    scheme = f.make_scheme(f.make_year())
    response = login(Client(), office).get(f"/scheme/{scheme.pk}/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">' in response.content.decode()


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_needs_what_the_policy_refuses(template: Path) -> None:
    text = TEMPLATE_COMMENT.sub("", template.read_text())
    assert not INLINE_HANDLER.search(text), "inline on…= handler: use a data- attribute"
    assert not JS_URL.search(text), "javascript: URL"
    for tag, attributes in INLINE_BLOCK.findall(text):
        if tag.lower() == "script" and "src=" in attributes:
            continue
        assert "request.csp_nonce" in attributes, (
            f'inline <{tag}> without nonce="{{{{ request.csp_nonce }}}}" (or a static file)'
        )


def test_the_api_documentation_widens_only_styles_and_workers_and_only_for_itself(
    office: User,
) -> None:
    from jixiao.core.testing import login

    client = login(Client(), office)
    docs = directives(client.get("/api/docs/")["Content-Security-Policy"])
    assert docs["style-src-elem"] == ["'self'", "'unsafe-inline'"]
    assert docs["worker-src"] == ["'self'", "blob:"]
    assert "'unsafe-inline'" not in docs["script-src"]
    swagger = client.get("/api/docs/swagger/")
    assert "<script>" not in swagger.content.decode()  # its start-up script is a file
    assert "style-src-elem" not in directives(swagger["Content-Security-Policy"])
    assert "style-src-elem" not in directives(client.get("/")["Content-Security-Policy"])
