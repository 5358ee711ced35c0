"""Without Redis, the per-address login throttle holds across worker processes.

gunicorn runs several worker processes; an in-process cache gave each its own quota
(76 of 80 failed logins passed with 2 workers). The embedded cache is a database table
every worker shares, and its counter is incremented under a row lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches

from jixiao.accounts.throttle_cache import AtomicDatabaseCache

ROOT = Path(__file__).resolve().parents[3]

# One "worker": 40 login attempts from the same address, counted by the same check the
# login view's @ratelimit makes. Prints how many were let through.
WORKER = textwrap.dedent(
    """
    import django
    django.setup()
    from django.conf import settings
    from django.test import RequestFactory
    from django_ratelimit.core import is_ratelimited
    from jixiao.accounts.views import login_view

    group = f"{login_view.__module__}.{login_view.__qualname__}"
    passed = 0
    for _ in range(40):
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.7.7.7")
        if not is_ratelimited(
            request, group=group, key="ip", rate=settings.LOGIN_ADDRESS_RATE,
            method="POST", increment=True,
        ):
            passed += 1
    print(passed)
    """
)


def test_the_embedded_default_keeps_its_cache_in_the_shared_database() -> None:
    if not os.environ.get("REDIS_URL"):
        assert isinstance(caches["default"], AtomicDatabaseCache)


def test_two_worker_processes_share_one_address_quota(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        JIXIAO_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="jixiao.settings",
        JIXIAO_LOGIN_ADDRESS_RATE="30/10m",
    )
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    passed = [int(worker.communicate(timeout=120)[0].strip()) for worker in workers]
    # 80 attempts from one address across two processes: exactly the quota passes.
    assert sum(passed) == 30, passed


def test_an_increment_keeps_the_window_expiry(db: None) -> None:
    cache.add("window", 1, 600)
    expires_before = _expires("window")
    cache.incr("window")
    cache.incr("window", 5)
    assert cache.get("window") == 7
    assert _expires("window") == expires_before


def _expires(key: str) -> object:
    from django.db import connection

    db_key = cache.make_and_validate_key(key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {settings.CACHES['default']['LOCATION']} WHERE cache_key = %s",
            [db_key],
        )
        return cursor.fetchone()[0]
