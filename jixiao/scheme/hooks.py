"""Announce, don't reach: points where higher apps plug into the scheme.

The scheme never imports the apps that listen; they subscribe in their AppConfig.ready().

    scheme_copied     (new scheme, the scheme it was copied from) inside the copy's
                      transaction, after the tree was copied: a listener carries what it
                      keeps about last year's indicators to the new ones (evaluation's
                      forced-distribution marks)
    indicator_notes   (scheme, reader's organization id or None for the office)
                      → {indicator code: [Chinese notes to show beside the row]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jixiao.scheme.models import Scheme

SchemeCopied = Callable[[Scheme, Scheme], None]
IndicatorNotes = Callable[[Scheme, int | None], dict[str, list[str]]]

scheme_copied: list[SchemeCopied] = []
indicator_notes: list[IndicatorNotes] = []


def subscribe(hooks: list[Any], listener: Any) -> None:
    if listener not in hooks:
        hooks.append(listener)


def announce_copied(scheme: Scheme, copied_from: Scheme) -> None:
    for listener in scheme_copied:
        listener(scheme, copied_from)


def notes(scheme: Scheme, organization_id: int | None = None) -> dict[str, list[str]]:
    """Notes for the office (organization_id None) or for a reader of that organization."""
    result: dict[str, list[str]] = {}
    for source in indicator_notes:
        for code, items in source(scheme, organization_id).items():
            result.setdefault(code, []).extend(items)
    return result
