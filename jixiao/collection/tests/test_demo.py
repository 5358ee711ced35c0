from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from jixiao.accounts import demo as accounts_demo
from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.collection import demo
from jixiao.collection.models import (
    BonusPenaltyEvent,
    CollectionPeriod,
    Entry,
    EntryStatus,
    RecheckRequest,
)
from jixiao.collection.scope import slots_for
from jixiao.org import demo as org_demo
from jixiao.scheme.models import Indicator, IndicatorKind

S = EntryStatus


def build() -> None:
    from jixiao.evaluation import demo as evaluation_demo
    from jixiao.scheme import demo as scheme_demo

    district = org_demo.build()
    accounts_demo.build()
    with acting_as(User.objects.get(username="office")):
        scheme_demo.build_demo(district)
        demo.build_demo(district)
        # The evaluation leaves' entries come from the evaluation demo's rounds.
        evaluation_demo.build_demo(district)


@pytest.mark.django_db
def test_without_a_scheme_the_demo_does_nothing() -> None:
    district = org_demo.build()
    accounts_demo.build()
    demo.build_demo(district)
    assert not CollectionPeriod.objects.exists()


@pytest.mark.django_db
def test_the_demo_tells_the_story_and_is_idempotent() -> None:
    build()
    counts = (
        Entry.objects.count(),
        RecheckRequest.objects.count(),
        BonusPenaltyEvent.objects.count(),
        sorted(Entry.objects.values_list("id", "status", "value", "reference", "grade")),
    )
    with acting_as(User.objects.get(username="office")):
        demo.build_demo(org_demo.build())
    assert (
        Entry.objects.count(),
        RecheckRequest.objects.count(),
        BonusPenaltyEvent.objects.count(),
        sorted(Entry.objects.values_list("id", "status", "value", "reference", "grade")),
    ) == counts
    q2 = set(
        Entry.objects.filter(department__code="FGJ", period__code="2026-Q2").values_list(
            "status", flat=True
        )
    )
    assert {S.DRAFT, S.SUBMITTED, S.RETURNED, S.AWAITING_CONFIRMATION, S.APPROVED} <= q2
    assert Entry.objects.filter(department__code="FGJ", period__code="2026-Q1", status=S.FINAL)
    assert RecheckRequest.objects.filter(unit__code="JD01", status="open").count() == 2
    with acting_as(User.objects.get(username="office")):
        assert demo.answer_demo_recheck()
        assert not demo.answer_demo_recheck()
    answered = RecheckRequest.objects.get(unit__code="JD01", status="answered")
    assert answered.entry.status == S.RECHECK_ANSWERED
    assert answered.after["value"] != answered.before["value"]


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2025, 2026])
def test_every_leaf_is_complete_in_the_period_scoring_reads(year: int) -> None:
    """For each leaf, the latest period with entries that count holds an entry that
    counts for every unit the leaf applies to (that is the period scoring reads)."""
    build()
    counting = Entry.objects.scoring_inputs().filter(period__scheme__year__year=year)
    latest: dict[int, CollectionPeriod] = {}
    for entry in counting.select_related("period").order_by("period__ends_on", "period_id"):
        latest[entry.indicator_id] = entry.period
    leaves = (
        Indicator.objects.filter(scheme__year__year=year, children__isnull=True)
        .exclude(kind=IndicatorKind.BONUS_PENALTY)
        .exclude(method="")
    )
    assert leaves.count() > 30
    for indicator in leaves:
        period = latest[indicator.pk]
        expected = {s.unit.pk for s in slots_for(period, [indicator])}
        got = set(
            counting.filter(period=period, indicator=indicator).values_list("unit_id", flat=True)
        )
        assert expected, indicator.code
        assert got == expected, (indicator.code, period.code)


@pytest.mark.django_db
def test_demo_values_are_plausible_for_their_method() -> None:
    build()
    values: dict[str, list[Entry]] = defaultdict(list)
    for entry in Entry.objects.select_related("indicator").filter(status=S.FINAL):
        values[entry.indicator.method].append(entry)
    ratios = [
        e.value / e.reference
        for e in values["completion"]
        if e.value is not None and e.reference and not e.indicator.params.get("lower_is_better")
    ]
    assert all(Decimal("0.7") <= r <= Decimal("1.15") for r in ratios)
    assert sum(Decimal("0.85") <= r <= Decimal("1.1") for r in ratios) > 0.8 * len(ratios)
    assert {e.value for e in values["deduction"]} <= {0, 1, 2, 3}
    grades = [e.grade for e in values["grade"]]
    assert set(grades) <= {"A", "B", "C"}
    assert grades.count("A") + grades.count("B") > 0.8 * len(grades)
    ratings = [e.value for e in values["evaluation"] if e.value is not None]
    assert ratings
    assert all(80 <= r <= 98 for r in ratings)
    # deterministic: the inputs derive from the codes only
    entry = values["completion"][0]
    slot = next(s for s in slots_for(entry.period, [entry.indicator]) if s.unit.pk == entry.unit_id)
    assert demo.inputs(slot, entry.period) == demo.inputs(slot, entry.period)
    assert Decimal(demo.inputs(slot, entry.period)["value"]) == entry.value
