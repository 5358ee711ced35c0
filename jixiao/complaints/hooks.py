"""Where other apps plug into the 群众反映 queue without this app importing them.

`accepted` callbacks run inside `accept_complaint`'s transaction, after the complaint
is marked 已转办 and audited, with (complaint, user); a callback that raises
`TransitionRefused` refuses the whole acceptance. The supervision app subscribes in its
`AppConfig.ready()`:

    from jixiao.complaints import hooks
    hooks.on_accepted(make_task_from_complaint)

and may return nothing; what it creates links back through its own model. `handed_to`
callbacks name where an accepted complaint went (e.g. "督查任务 DC-2026-0012") for the
queue page and the citizen's status lookup; the first non-empty answer wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jixiao.complaints.models import Complaint

Accepted = Callable[["Complaint", Any], None]
HandedTo = Callable[["Complaint"], str]

accepted: list[Accepted] = []
handed_to: list[HandedTo] = []


def on_accepted(callback: Accepted) -> Accepted:
    """Subscribe (usable as a decorator); subscribing twice is harmless."""
    if callback not in accepted:
        accepted.append(callback)
    return callback


def where_handed(complaint: Complaint) -> str:
    for callback in handed_to:
        if text := callback(complaint):
            return text
    return ""
