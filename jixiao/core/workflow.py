"""The one transition mechanism: a table of (state, action, actor) → Rule.

Collection's entry review and ledger, verification's spot-check corrections and
supervision's tasks all describe their lifecycle as such a table and move through it
here: `TransitionTable.check` resolves the rule for the user's actor roles (a refusal
names who may act, or says the state does not allow the action, in Chinese), checks the
reason, and `transition_event` builds the audit row every executed step writes in the
same transaction (before/after state, action, reason). Each app keeps its own guards
(deadlines, blockers) and its own notifications; the table and its refusals are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.audit.records import build_event
from jixiao.core.values import text_problem


@dataclass(frozen=True)
class Rule:
    """Where an allowed (state, action, actor) leads, and whether a reason is required."""

    to: str
    reason_required: bool = False


class TransitionRefused(Exception):
    """The action is not allowed; `messages` are Chinese, one per refused item."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


Key = tuple[str, str, str]
Label = Callable[[str], str]
R = TypeVar("R", bound=Rule)


def resolve(
    table: Mapping[Key, R],
    status: str,
    status_label: str,
    action: str,
    actors: Iterable[str],
    *,
    act_label: Label,
    actor_label: Label,
) -> R:
    """The rule for (status, action) and one of `actors`; TransitionRefused otherwise."""
    for actor in sorted(actors):
        rule = table.get((status, action, actor))
        if rule is not None:
            return rule
    label = act_label(action)
    allowed = [a for (st, act, a) in table if st == status and act == action]
    if allowed:
        who = "、".join(actor_label(a) for a in allowed)
        raise TransitionRefused(_("只有%(who)s可以执行“%(act)s”。") % {"who": who, "act": label})
    raise TransitionRefused(
        _("“%(status)s”状态的数据不能执行“%(act)s”。") % {"status": status_label, "act": label}
    )


def check_reason(rule: Rule, reason: str, act_label: str) -> None:
    """A required reason must be given; any reason goes through the text door."""
    if rule.reason_required and not reason.strip():
        raise TransitionRefused(_("请填写%(act)s的理由。") % {"act": act_label})
    if problem := text_problem(reason):
        raise TransitionRefused(_("理由%(e)s") % {"e": problem})


def allowed_actions(table: Mapping[Key, Rule], status: str, actors: Iterable[str]) -> list[str]:
    """Actions of the table these actors may try from this state (guards decide the rest)."""
    held = set(actors)
    seen: list[str] = []
    for st, act, actor in table:
        if st == status and actor in held and act not in seen:
            seen.append(act)
    return seen


class TransitionTable(Generic[R]):
    """A lifecycle: its rules plus the labels its refusals use."""

    def __init__(
        self,
        rules: Mapping[Key, R],
        *,
        act_label: Label,
        actor_label: Label,
    ) -> None:
        self.rules = dict(rules)
        self.act_label = act_label
        self.actor_label = actor_label

    def __iter__(self) -> Any:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def items(self) -> Any:
        return self.rules.items()

    def resolve(self, status: str, status_label: str, action: str, actors: Iterable[str]) -> R:
        return resolve(
            self.rules,
            status,
            status_label,
            action,
            actors,
            act_label=self.act_label,
            actor_label=self.actor_label,
        )

    def check(
        self, status: str, status_label: str, action: str, actors: Iterable[str], reason: str = ""
    ) -> R:
        """The rule, after the reason check; TransitionRefused (Chinese) if not allowed."""
        rule = self.resolve(status, status_label, action, actors)
        check_reason(rule, reason, self.act_label(action))
        return rule

    def available(self, status: str, actors: Iterable[str]) -> list[str]:
        return allowed_actions(self.rules, status, actors)

    def states(self) -> set[str]:
        return {st for (st, _a, _w) in self.rules} | {r.to for r in self.rules.values()}


def transition_event(
    obj: models.Model, before: str, after: str, action: str, reason: str = "", **extra: Any
) -> AuditEvent:
    """The audit row of one executed step (not yet saved: pass to `record_many`)."""
    return build_event(
        AuditAction.TRANSITION,
        obj,
        before={"status": before},
        after={"status": after, "action": action, **extra},
        reason=reason,
    )
