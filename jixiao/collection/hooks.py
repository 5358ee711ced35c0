"""Checks that higher apps hang on collection's writes (announce, don't reach).

`before_submit` runs, inside the submission's transaction, every check registered with
`on_submit` (e.g. the evaluation app's forced distribution of qualitative scores). A
check refuses by raising `TransitionRefused`; it may also write (a ledger event), which
commits or rolls back with the submission.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from jixiao.accounts.models import User
from jixiao.collection.models import CollectionPeriod, Entry

SubmitCheck = Callable[[User, CollectionPeriod, Sequence[Entry]], None]

_submit_checks: list[SubmitCheck] = []


def on_submit(check: SubmitCheck) -> SubmitCheck:
    if check not in _submit_checks:
        _submit_checks.append(check)
    return check


def before_submit(user: User, period: CollectionPeriod, entries: Sequence[Entry]) -> None:
    for check in _submit_checks:
        check(user, period, entries)
