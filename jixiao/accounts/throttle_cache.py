"""The cache behind the login throttle when there is no Redis (the embedded default).

The per-address login throttle (django-ratelimit) counts in the cache. An in-process
cache counts per worker, so with N gunicorn workers an address got N times its quota.
The database is the one thing every worker shares, so the embedded default keeps the
cache there (Django's DatabaseCache, table made by `manage.py createcachetable`).

Django's generic `incr` is a read followed by a write: two workers incrementing at once
both read 7 and both write 8, and an attacker sending requests in parallel would lose
counts. It also rewrites the expiry with the default timeout, which can end a 10-minute
window early. This `incr` locks the row (SELECT … FOR UPDATE on PostgreSQL; SQLite
takes its write lock at BEGIN because settings use transaction_mode=IMMEDIATE) and
keeps the row's expiry.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self.cache_model_class._meta.db_table)
        db_key = self.make_and_validate_key(key, version=version)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            if connection.features.has_select_for_update:
                cursor.execute(
                    f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                    [db_key],
                )
            # `get` also treats an expired row as missing, as Django does.
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",  # noqa: S608
                [encoded, db_key],
            )
        return value

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        return self.incr(key, -delta, version)
