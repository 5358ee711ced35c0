from __future__ import annotations

import pytest

from jixiao.accounts import demo as accounts_demo
from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.collection import demo
from jixiao.collection.models import CollectionPeriod, Entry, EntryStatus, RecheckRequest
from jixiao.org import demo as org_demo


@pytest.mark.django_db
def test_without_a_scheme_the_demo_does_nothing() -> None:
    district = org_demo.build()
    accounts_demo.build()
    demo.build_demo(district)
    assert not CollectionPeriod.objects.exists()


@pytest.mark.django_db
def test_the_demo_tells_the_story_and_is_idempotent() -> None:
    from jixiao.scheme import demo as scheme_demo

    district = org_demo.build()
    accounts_demo.build()
    with acting_as(User.objects.get(username="office")):
        scheme_demo.build_demo(district)
        demo.build_demo(district)
        counts = (Entry.objects.count(), RecheckRequest.objects.count())
        demo.build_demo(district)
    assert (Entry.objects.count(), RecheckRequest.objects.count()) == counts
    statuses = set(Entry.objects.filter(department__code="FGJ").values_list("status", flat=True))
    assert {
        EntryStatus.FINAL,
        EntryStatus.DRAFT,
        EntryStatus.SUBMITTED,
        EntryStatus.RETURNED,
    } <= statuses
    assert RecheckRequest.objects.filter(unit__code="JD01", status="open").exists()
