"""Red and yellow cards at their boundaries, the run's idempotency, reminders, revoking."""

from __future__ import annotations

from datetime import date

import pytest

from jixiao.accounts.models import User
from jixiao.collection.models import Notification
from jixiao.core.workflow import TransitionRefused
from jixiao.supervision import actions, cards
from jixiao.supervision.cards import RuleFacts, TaskFacts, due_cards
from jixiao.supervision.models import Card, CardRules, Milestone, TaskState
from jixiao.supervision.tests.factories import in_state

D = date
RULES = RuleFacts()  # accept 3 days, report every 10 days, 2 yellows make a red


def _rules(task: TaskFacts, today: date, rules: RuleFacts = RULES) -> list[str]:
    return sorted(f"{d.rule}:{d.key}" for d in due_cards(task, rules, today))


def test_a_report_due_on_day_d_is_late_from_d_plus_one() -> None:
    task = TaskFacts(TaskState.ACCEPTED, D(2026, 12, 31), D(2026, 3, 1), D(2026, 3, 2))
    assert _rules(task, D(2026, 3, 12)) == []  # due 3-12: on time that day
    assert _rules(task, D(2026, 3, 13)) == ["late_report:report:2026-03-12"]
    # a second missed period is a second yellow, and two yellows make a red
    assert _rules(task, D(2026, 3, 23)) == [
        "late_report:report:2026-03-12",
        "late_report:report:2026-03-22",
        "yellows:yellows:1",
    ]


def test_a_report_resets_the_clock() -> None:
    task = TaskFacts(
        TaskState.IN_PROGRESS, D(2026, 12, 31), D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 12)
    )
    assert _rules(task, D(2026, 3, 22)) == []
    assert _rules(task, D(2026, 3, 23)) == ["late_report:report:2026-03-22"]


def test_a_task_not_accepted_within_the_days_is_yellow_the_day_after() -> None:
    task = TaskFacts(TaskState.ASSIGNED, D(2026, 12, 31), assigned_on=D(2026, 3, 1))
    assert _rules(task, D(2026, 3, 4)) == []
    assert _rules(task, D(2026, 3, 5)) == ["late_accept:accept"]


def test_the_deadline_is_red_from_the_day_after() -> None:
    task = TaskFacts(
        TaskState.IN_PROGRESS, D(2026, 3, 31), D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 30)
    )
    assert _rules(task, D(2026, 3, 31)) == []
    assert _rules(task, D(2026, 4, 1)) == ["deadline:deadline"]


def test_a_milestone_slips_when_it_is_late_or_done_late() -> None:
    task = TaskFacts(
        TaskState.IN_PROGRESS,
        D(2026, 12, 31),
        D(2026, 3, 1),
        D(2026, 3, 2),
        D(2026, 4, 20),
        milestones=(
            (1, D(2026, 4, 15), None),
            (2, D(2026, 4, 10), D(2026, 4, 12)),
            (3, D(2026, 4, 1), D(2026, 4, 1)),
        ),
    )
    assert _rules(task, D(2026, 4, 15)) == ["milestone:milestone:2"]
    assert _rules(task, D(2026, 4, 16)) == [
        "milestone:milestone:1",
        "milestone:milestone:2",
        "yellows:yellows:1",
    ]


def test_rules_switch_off_and_closed_tasks_earn_nothing() -> None:
    late = TaskFacts(TaskState.ASSIGNED, D(2026, 3, 1), assigned_on=D(2026, 1, 1))
    off = RuleFacts(yellow_for_late_accept=False, red_for_deadline=False, yellows_per_red=0)
    assert _rules(late, D(2026, 6, 1), off) == []
    closed = TaskFacts(TaskState.CLOSED, D(2026, 3, 1), assigned_on=D(2026, 1, 1))
    assert _rules(closed, D(2026, 6, 1)) == []


def test_a_revoked_yellow_does_not_count_toward_a_red() -> None:
    task = TaskFacts(
        TaskState.ACCEPTED,
        D(2026, 12, 31),
        D(2026, 3, 1),
        D(2026, 3, 2),
        revoked=frozenset({("late_report", "report:2026-03-12")}),
    )
    assert "yellows:yellows:1" not in _rules(task, D(2026, 3, 23))


@pytest.mark.django_db
def test_the_run_is_idempotent_and_tells_the_unit(
    supervision: User, unit: User, unit_org: object
) -> None:
    task = in_state(TaskState.ACCEPTED, unit_org, supervision, deadline=D(2026, 3, 20))  # type: ignore[arg-type]
    first = cards.run(D(2026, 3, 23))
    assert sorted((c.color, c.rule) for c in first.cards) == [
        ("red", "deadline"),
        ("red", "yellows"),
        ("yellow", "late_report"),
        ("yellow", "late_report"),
    ]
    assert cards.run(D(2026, 3, 23)).cards == []
    assert Card.objects.filter(task=task).count() == 4
    assert Notification.objects.filter(recipient=unit, text__contains="被亮").count() == 1


@pytest.mark.django_db
def test_reminders_go_out_once_before_a_report_and_the_deadline(
    supervision: User, unit: User, unit_org: object
) -> None:
    in_state(TaskState.ACCEPTED, unit_org, supervision, deadline=D(2026, 3, 12))  # type: ignore[arg-type]
    # accepted 3-2: report due 3-12, the deadline too; 2 days ahead is 3-10
    assert cards.run(D(2026, 3, 9)).reminders == 0
    assert cards.run(D(2026, 3, 10)).reminders == 2
    assert cards.run(D(2026, 3, 11)).reminders == 0
    texts = list(Notification.objects.filter(recipient=unit).values_list("text", flat=True))
    assert any("推进情况请于 2026-03-12 前报送" in t for t in texts)
    assert any("办结时限为 2026-03-12" in t for t in texts)


@pytest.mark.django_db
def test_the_years_rules_are_used_and_a_card_can_be_revoked_with_a_reason(
    supervision: User, unit: User, unit_org: object
) -> None:
    CardRules.objects.create(year=2026, report_every_days=5, yellows_per_red=0)
    task = in_state(TaskState.ACCEPTED, unit_org, supervision)  # type: ignore[arg-type]
    Milestone.objects.create(task=task, name="排查", due=D(2026, 3, 5))
    issued = cards.run(D(2026, 3, 8)).cards
    assert sorted(c.rule for c in issued) == ["late_report", "milestone"]
    card = issued[0]
    with pytest.raises(TransitionRefused, match="请填写撤销理由"):
        actions.revoke_card(supervision, card, "")
    with pytest.raises(TransitionRefused, match="只有督查室"):
        actions.revoke_card(unit, card, "误报")
    actions.revoke_card(supervision, card, "节点调整已报批")
    assert Card.objects.counted().filter(task=task).count() == 1
    assert cards.run(D(2026, 3, 8)).cards == []  # a revoked card is not issued again
