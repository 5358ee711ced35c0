"""The collection grid of a qualitative indicator under forced distribution carries the
rule per category for the live counter (collection's grid_counters hook); other
indicators' grids carry none."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.core.testing import login
from jixiao.evaluation.models import DistributionPolicy
from jixiao.evaluation.qualitative import grid_counter
from jixiao.evaluation.tests.factories import make_setup
from jixiao.evaluation.tests.test_qualitative import _qualitative

pytestmark = pytest.mark.django_db


def _config(html: str) -> dict | None:
    found = re.search(r'data-distribution="([^"]*)"', html)
    if found is None:
        return None
    return json.loads(found.group(1).replace("&quot;", '"'))


def test_the_grid_carries_the_rule_per_category_on_the_indicators_points(
    department: User,
) -> None:
    setup = make_setup()
    indicator = _qualitative(setup, department, ["8"] * 5, DistributionPolicy.PENALISE)
    url = reverse("collection:workspace", args=[setup.period.pk])
    html = login(Client(), department).get(url, {"indicator": indicator.pk}).content.decode()
    config = _config(html)
    assert config is not None
    assert config["policy"] == DistributionPolicy.PENALISE
    [group] = config["groups"]
    assert (group["name"], group["high"], group["low"], group["scale"]) == (
        setup.category.name,
        "9",
        "8",
        "10",
    )
    assert group["labels"]["most"] == "最多"
    assert "不符合仍可提交，但本单位将被扣分并记录在案" in html
    assert 'data-group="' in html


def test_a_graded_indicator_counts_grades_as_points_times_their_share(department: User) -> None:
    setup = make_setup()
    indicator = _qualitative(setup, department, ["8"] * 5, DistributionPolicy.REFUSE)
    indicator.method = "grade"
    indicator.params = {}
    counter = grid_counter(indicator, {setup.category.pk: ("机关部门", 10)})
    assert counter is not None
    assert Decimal(counter["grades"]["A"]) == 1
    assert Decimal(counter["grades"]["B"]) == Decimal("0.8")
    assert set(counter["grades"]) >= {"A", "B", "C", "D"}


def test_an_indicator_without_a_distribution_rule_has_no_counter(department: User) -> None:
    setup = make_setup()
    indicator = _qualitative(setup, department, ["8"] * 5, DistributionPolicy.OFF)
    url = reverse("collection:workspace", args=[setup.period.pk])
    html = login(Client(), department).get(url, {"indicator": indicator.pk}).content.decode()
    assert _config(html) is None
    assert "jx-dist-rule" not in html
