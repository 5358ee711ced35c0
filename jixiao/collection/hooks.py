"""Announce, don't reach: points where higher apps plug into data collection.

Collection never imports the apps that listen; they subscribe in their AppConfig.ready()
(verification's implausible-entry flags) or at import (evaluation's forced distribution).
Each hook runs inside the caller's transaction.

    entries_saved        (entry ids) after the grid or an upload saved drafts
    approval_blockers    (entries) → {entry id: Chinese reason it may not be approved yet}
    entry_notes          (entry ids) → {entry id: [Chinese notes to show beside the row]}
    on_submit            (user, period, entries) before a submission; a check refuses by
                         raising `TransitionRefused` and may write (a ledger event), which
                         commits or rolls back with the submission
    grid_counters        (indicator, {category id: (name, points)}) → a live counter for
                         the entry grid, or None: {"policy": …, "groups": [{"id", "name",
                         and the rule core/static/core/distribution.js counts with}]}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jixiao.accounts.models import User
from jixiao.collection.models import CollectionPeriod, Entry

EntriesSaved = Callable[[Sequence[int]], None]
ApprovalBlockers = Callable[[Sequence[Any]], dict[int, str]]
EntryNotes = Callable[[Sequence[int]], dict[int, list[str]]]
SubmitCheck = Callable[[User, CollectionPeriod, Sequence[Entry]], None]
GridCounter = Callable[[Any, dict[int, tuple[str, Any]]], dict[str, Any] | None]

entries_saved: list[EntriesSaved] = []
approval_blockers: list[ApprovalBlockers] = []
entry_notes: list[EntryNotes] = []
_submit_checks: list[SubmitCheck] = []
grid_counters: list[GridCounter] = []


def announce_saved(entry_ids: Sequence[int]) -> None:
    if entry_ids:
        for listener in entries_saved:
            listener(entry_ids)


def blockers(entries: Sequence[Any]) -> dict[int, str]:
    result: dict[int, str] = {}
    for check in approval_blockers:
        result.update(check(entries))
    return result


def notes(entry_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for source in entry_notes:
        for pk, items in source(entry_ids).items():
            result.setdefault(pk, []).extend(items)
    return result


def on_submit(check: SubmitCheck) -> SubmitCheck:
    if check not in _submit_checks:
        _submit_checks.append(check)
    return check


def before_submit(user: User, period: CollectionPeriod, entries: Sequence[Entry]) -> None:
    for check in _submit_checks:
        check(user, period, entries)


def grid_counter(indicator: Any, categories: dict[int, tuple[str, Any]]) -> dict[str, Any] | None:
    """The first live counter a subscriber offers for this indicator's grid."""
    for source in grid_counters:
        counter = source(indicator, categories)
        if counter:
            return counter
    return None
