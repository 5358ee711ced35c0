"""The demo plan and the demo 群众反映 come out as their docstrings say, twice over."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from jixiao.accounts import demo as accounts_demo
from jixiao.complaints import demo as complaints_demo
from jixiao.complaints.models import Complaint
from jixiao.inspections import demo
from jixiao.inspections.models import Inspection, Violation
from jixiao.inspections.scope import merge_flags
from jixiao.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_refused_late_registration_a_merge_flag_and_a_quarantined_burst() -> None:
    cache.clear()
    district = org_demo.build()
    accounts_demo.build()
    for _ in range(2):
        demo.build_demo(district)
        complaints_demo.build_demo(district)
    assert Inspection.objects.count() == 5
    assert list(Violation.objects.values_list("kind", "working_days_ahead")) == [("refused", 6)]
    flags = merge_flags(district.year)
    assert [(f.unit.name, len(f.inspections)) for f in flags] == [("东湖街道", 2)]
    statuses = sorted(Complaint.objects.values_list("status", flat=True))
    assert statuses.count("quarantined") == 2
    assert {"accepted", "rejected", "merged", "new"} <= set(statuses)
    assert Complaint.objects.exclude(quarantine_reason="").count() == 3
