"""Red and yellow cards (红黄牌) and reminders: the daily run.

The rules are a pure function over plain facts (`due_cards`): given a task's dates, its
milestones, the year's `CardRules` and today, which cards the task has earned. Each card
has a key (the missed report date, the milestone, "deadline", the n-th pair of yellows),
and the database keeps one card per (task, rule, key), so running the day twice issues
nothing twice. Boundaries (docs/supervision.md): a report due on day D is late from D+1;
a task is red from the day after its deadline; a task not accepted within `accept_days`
of being handed over is yellow from the day after.

Reminders go out before a report is due, before the deadline (both `remind_before_days`
ahead) and when a card is issued (overdue); a `Reminder` row per (task, key) keeps
them from repeating.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.audit.models import AuditAction
from jixiao.audit.records import build_event, record_many
from jixiao.supervision import notices
from jixiao.supervision.models import (
    CARD_COLOR,
    OPEN_STATES,
    Card,
    CardColor,
    CardRule,
    CardRules,
    Milestone,
    Reminder,
    SupervisionTask,
    TaskState,
)


@dataclass(frozen=True)
class RuleFacts:
    accept_days: int = 3
    report_every_days: int = 10
    remind_before_days: int = 2
    yellow_for_late_accept: bool = True
    yellow_for_late_report: bool = True
    yellow_for_milestone: bool = True
    red_for_deadline: bool = True
    yellows_per_red: int = 2


@dataclass(frozen=True)
class TaskFacts:
    state: str
    deadline: date
    assigned_on: date | None = None
    accepted_on: date | None = None
    last_report_on: date | None = None
    # (milestone id, due, done_on)
    milestones: Sequence[tuple[int, date, date | None]] = ()
    # (rule, key) of the yellow cards the task holds, and of its revoked cards
    yellows_held: frozenset[tuple[str, str]] = frozenset()
    revoked: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Due:
    rule: str
    key: str
    note: str

    @property
    def color(self) -> str:
        return CARD_COLOR[CardRule(self.rule)]


REPORTING = (TaskState.ACCEPTED, TaskState.IN_PROGRESS)


def next_report_due(task: TaskFacts, rules: RuleFacts) -> date | None:
    anchor = task.last_report_on or task.accepted_on
    if task.state not in REPORTING or anchor is None:
        return None
    return anchor + timedelta(days=rules.report_every_days)


def due_cards(task: TaskFacts, rules: RuleFacts, today: date) -> list[Due]:
    """The cards this task has earned by `today` (keys make them idempotent)."""
    if task.state not in OPEN_STATES:
        return []
    out: list[Due] = []
    if rules.yellow_for_late_accept and task.state == TaskState.ASSIGNED and task.assigned_on:
        limit = task.assigned_on + timedelta(days=rules.accept_days)
        if today > limit:
            out.append(Due(CardRule.LATE_ACCEPT, "accept", f"应于 {limit} 前领办"))
    if rules.yellow_for_late_report:
        due = next_report_due(task, rules)
        step = timedelta(days=rules.report_every_days)
        while due is not None and today > due:
            out.append(Due(CardRule.LATE_REPORT, f"report:{due}", f"推进情况应于 {due} 前报送"))
            due += step
    if rules.yellow_for_milestone:
        for pk, when, done_on in task.milestones:
            if (done_on is None and today > when) or (done_on is not None and done_on > when):
                out.append(Due(CardRule.MILESTONE, f"milestone:{pk}", f"节点时限 {when}"))
    if rules.red_for_deadline and today > task.deadline:
        out.append(Due(CardRule.DEADLINE, "deadline", f"办结时限 {task.deadline}"))
    if rules.yellows_per_red:
        derived = {(d.rule, d.key) for d in out if d.color == CardColor.YELLOW}
        yellows = len((task.yellows_held | derived) - task.revoked)
        for n in range(1, yellows // rules.yellows_per_red + 1):
            out.append(
                Due(CardRule.YELLOWS, f"yellows:{n}", f"累计 {n * rules.yellows_per_red} 张黄牌")
            )
    return out


def reminders_due(task: TaskFacts, rules: RuleFacts, today: date) -> list[tuple[str, str]]:
    """(key, Chinese text) of the reminders due today (before a report, before the deadline)."""
    if task.state not in OPEN_STATES:
        return []
    ahead = timedelta(days=rules.remind_before_days)
    out = []
    due = next_report_due(task, rules)
    if due is not None and due - ahead <= today <= due:
        out.append((f"report:{due}", _("推进情况请于 %(d)s 前报送") % {"d": due}))
    if task.deadline - ahead <= today <= task.deadline:
        out.append(("deadline", _("办结时限为 %(d)s，请按时办结") % {"d": task.deadline}))
    return out


def rule_facts(rules: CardRules | None) -> RuleFacts:
    if rules is None:
        return RuleFacts()
    return RuleFacts(
        accept_days=rules.accept_days,
        report_every_days=rules.report_every_days,
        remind_before_days=rules.remind_before_days,
        yellow_for_late_accept=rules.yellow_for_late_accept,
        yellow_for_late_report=rules.yellow_for_late_report,
        yellow_for_milestone=rules.yellow_for_milestone,
        red_for_deadline=rules.red_for_deadline,
        yellows_per_red=rules.yellows_per_red,
    )


def rules_for(year: int) -> CardRules:
    """The year's rules, or the defaults (unsaved) when the year has none."""
    return CardRules.objects.filter(year=year).first() or CardRules(year=year)


@dataclass
class RunResult:
    cards: list[Card] = field(default_factory=list)
    reminders: int = 0


def run(today: date | None = None, tasks: Iterable[SupervisionTask] | None = None) -> RunResult:
    """Issue today's cards and reminders for every open task (idempotent)."""
    today = today or timezone.localdate()
    qs = SupervisionTask.objects.open().select_related("lead_unit")
    if tasks is not None:
        qs = qs.filter(pk__in=[t.pk for t in tasks])
    result = RunResult()
    rules_by_year: dict[int, RuleFacts] = {}
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        chunk = list(qs.filter(pk__in=ids[start : start + 2000]).order_by("pk"))
        with transaction.atomic():
            _run_chunk(chunk, today, rules_by_year, result)
    return result


def _run_chunk(
    tasks: list[SupervisionTask],
    today: date,
    rules_by_year: dict[int, RuleFacts],
    result: RunResult,
) -> None:
    pks = [t.pk for t in tasks]
    milestones: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
    for m_task, m_pk, due, done in (
        Milestone.objects.filter(task_id__in=pks)
        .values_list("task_id", "pk", "due", "done_on")
        .order_by("due", "pk")
    ):
        milestones[m_task].append((m_pk, due, done))
    held: dict[int, set[tuple[str, str]]] = defaultdict(set)
    yellows: dict[int, set[tuple[str, str]]] = defaultdict(set)
    revoked: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for c_task, rule, key, color, revoked_at in Card.objects.filter(task_id__in=pks).values_list(
        "task_id", "rule", "key", "color", "revoked_at"
    ):
        held[c_task].add((rule, key))
        if revoked_at is not None:
            revoked[c_task].add((rule, key))
        elif color == CardColor.YELLOW:
            yellows[c_task].add((rule, key))
    sent: dict[int, set[str]] = defaultdict(set)
    for r_task, key in Reminder.objects.filter(task_id__in=pks).values_list("task_id", "key"):
        sent[r_task].add(key)
    new_cards: list[Card] = []
    new_reminders: list[Reminder] = []
    for task in tasks:
        if task.year not in rules_by_year:
            rules_by_year[task.year] = rule_facts(CardRules.objects.filter(year=task.year).first())
        rules = rules_by_year[task.year]
        facts = TaskFacts(
            state=task.state,
            deadline=task.deadline,
            assigned_on=task.assigned_on,
            accepted_on=task.accepted_on,
            last_report_on=task.last_report_on,
            milestones=milestones.get(task.pk, ()),
            yellows_held=frozenset(yellows.get(task.pk, ())),
            revoked=frozenset(revoked.get(task.pk, ())),
        )
        # A card is issued once: one already held (or revoked) is not issued again.
        fresh = [d for d in due_cards(facts, rules, today) if (d.rule, d.key) not in held[task.pk]]
        for d in fresh:
            new_cards.append(
                Card(
                    task=task,
                    unit_id=task.lead_unit_id,
                    year=task.year,
                    color=d.color,
                    rule=d.rule,
                    key=d.key,
                    issued_on=today,
                    note=d.note[:300],
                )
            )
        if fresh:
            names = "、".join(
                f"{CardColor(d.color).label}（{CardRule(d.rule).label}）" for d in fresh
            )
            notices.remind(task, _("“%(t)s”被亮%(c)s") % {"t": task.title, "c": names})
            result.reminders += 1
        for key, text in reminders_due(facts, rules, today):
            if key in sent[task.pk]:
                continue
            new_reminders.append(Reminder(task=task, key=key, sent_on=today))
            notices.remind(task, _("“%(t)s”：%(x)s") % {"t": task.title, "x": text})
            result.reminders += 1
    Card.objects.bulk_create(new_cards, batch_size=1000)
    Reminder.objects.bulk_create(new_reminders, batch_size=1000)
    record_many(
        [
            build_event(
                AuditAction.CREATE,
                card,
                after={"color": card.color, "rule": card.rule, "unit": card.unit_id},
                object_repr=str(card),
            )
            for card in new_cards
        ]
    )
    result.cards.extend(new_cards)


def counts_by_unit(year: int) -> dict[int, tuple[int, int]]:
    """unit id → (red, yellow) counted cards of the year."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = Card.objects.counted().filter(year=year).values_list("unit_id", "color")
    for unit_id, color in rows.iterator(chunk_size=5000):
        out[unit_id][0 if color == CardColor.RED else 1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
