"""Loaded by pytest (`-p` in pyproject) before pytest-django sets Django up: the test
server is plain HTTP on localhost, and Playwright's sync API runs inside tests."""

import os

os.environ.setdefault("JIXIAO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
