"""A department's slots, kept by each process and checked against the database on each use.

Building a department's slots (scope.slots_for) takes four queries and a model instance
per enrolled unit, category and indicator, on every grid, save, preview and template
download: on a deadline day the largest part of those requests. What it is built from
(organizations, categories, enrollments, the scheme, its indicators, their points and
explicit units) hardly changes while departments fill in data, so each process keeps the
result, valid for one value of `StructureToken`: database triggers set a new random token
in the same transaction as any write to those tables, whatever makes it (migration
0007). One query reads the token; when this process has the slots for that token, they
are used as they are. Several app servers stay right with no message between them.

The token is read before the slots are built: a change committed in between leaves newer
slots under the older token, which the next request, seeing the new token, replaces. A
transaction that changed the structure and rolled back had its own random token, which
never comes back, so slots read inside it are never matched.

The slots' model instances are shared by the requests of a process: read them, never
change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from jixiao.collection.models import CollectionPeriod, StructureToken
from jixiao.collection.scope import Slot, collected_indicators, slots_for
from jixiao.org.models import Organization

# Bounded by the slots it holds: a province department's 20 indicators for 10,000 units
# is 200,000; past the bound the least recently used departments go first.
CACHE_SLOTS = 400_000

_Key = tuple[int, int, str, int, int]
_CACHE: OrderedDict[_Key, tuple[int, list[Slot]]] = OrderedDict()
_LOCK = threading.Lock()


def current_token() -> int | None:
    """None when the row is missing (a test flushed the tables): nothing is then kept."""
    return StructureToken.objects.filter(pk=1).values_list("token", flat=True).first()


def department_slots(period: CollectionPeriod, department: Organization) -> list[Slot]:
    """Every slot the department fills in the period, as scope.slots_for builds them."""
    key = (period.pk, period.scheme_id, period.kind, period.scheme.year_id, department.pk)
    token = current_token()
    with _LOCK:
        held = _CACHE.get(key)
        if held is not None and held[0] == token:
            _CACHE.move_to_end(key)
            return list(held[1])
    slots = slots_for(period, collected_indicators(period, department))
    if token is not None:
        _remember(key, token, slots)
    return list(slots)


def _remember(key: _Key, token: int, slots: list[Slot]) -> None:
    with _LOCK:
        _CACHE[key] = (token, slots)
        _CACHE.move_to_end(key)
        held = sum(len(s) for _t, s in _CACHE.values())
        while len(_CACHE) > 1 and held > CACHE_SLOTS:
            _key, (_token, dropped) = _CACHE.popitem(last=False)
            held -= len(dropped)


def forget() -> None:
    """Empties this process's cache (tests that count queries)."""
    with _LOCK:
        _CACHE.clear()
