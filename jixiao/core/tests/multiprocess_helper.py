"""Processes for test_multiprocess.py, run with the multi-process test's DATABASE_URL.

`python -m jixiao.core.tests.multiprocess_helper seed` builds the Zhangjiagang world with
two entries awaiting review, an office account (with its second factor) and prints what
the test needs as JSON. `... probe` is a long-lived process holding its own per-process
scoring cache, like a second worker or an embedded server: it reads one command a line
from stdin and answers one JSON line (compute, approve <entry>, cache, totals <run>).
`... compute` computes the year once and prints the run it stored or found.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _setup() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    django.setup()


def seed() -> dict[str, Any]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jixiao.accounts.roles import Role
    from jixiao.collection.models import Entry, EntryStatus
    from jixiao.core.testing import make_org, make_user
    from jixiao.org.models import OrganizationKind
    from jixiao.scoring.tests.factories import zhangjiagang_world

    w = zhangjiagang_world()
    office = make_user(
        "office", Role.OFFICE, make_org("JXB", name="区绩效办", kind=OrganizationKind.OFFICE)
    )
    make_user("clerk", Role.DEPARTMENT, w.department)
    make_user("locky", Role.DEPARTMENT, w.department)
    waiting = {}
    for unit, indicator in (("MZJ", "1.1.1"), ("JYJ", "1.1.2")):
        entry = Entry.objects.get(unit__code=unit, indicator__code=indicator)
        Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.SUBMITTED)
        waiting[unit] = entry.pk
    # The office's session as if it had passed password and second factor (the login
    # form itself is exercised with a department account, which needs no second factor).
    session = SessionStore()
    session[SESSION_KEY] = str(office.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = office.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=office).persistent_id
    session.create()
    return {"year": w.year.pk, "waiting": waiting, "office_session": session.session_key}


def probe() -> None:
    from jixiao.accounts.models import User
    from jixiao.audit.context import acting_as
    from jixiao.collection import actions as collection
    from jixiao.collection.models import Entry
    from jixiao.org.models import AssessmentYear
    from jixiao.scoring import actions
    from jixiao.scoring.models import RunCategory, UnitResult

    office = User.objects.get(username="office")
    for line in sys.stdin:
        command, *args = line.split()
        answer: Any
        if command == "compute":
            year = AssessmentYear.objects.get(year=2026)
            run = actions.compute_run(year, user=office)
            answer = {"run": run.pk, "number": run.number}
        elif command == "approve":
            # Embedded (no REDIS_URL): the recompute runs here, on this process's cache.
            with acting_as(office):
                collection.perform(office, Entry.objects.get(pk=int(args[0])), "approve")
            answer = {"ok": True}
        elif command == "cache":
            with actions._CACHE_LOCK:
                cached = {str(rc): state.digest for (_run, rc), state in actions._CACHE.items()}
            stored = {str(pk): d for pk, d in RunCategory.objects.values_list("pk", "digest")}
            answer = {"cached": cached, "stored": stored}
        elif command == "totals":
            rows = UnitResult.objects.filter(run_id=int(args[0])).values_list("unit__code", "total")
            answer = {code: str(total) for code, total in rows}
        else:
            answer = {"error": command}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "seed":
        print(json.dumps(seed()))
    elif sys.argv[1] == "compute":  # one computation of the year, as a server's job does
        from jixiao.org.models import AssessmentYear
        from jixiao.scoring.actions import compute_run

        print(json.dumps({"run": compute_run(AssessmentYear.objects.get(year=2026)).pk}))
    else:
        probe()
