"""A department penalised for breaking the distribution carries its mark into next
year's scheme when the office copies last year's: beside the indicator, on the office's
scheme page and on the department's own, audited, carried once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.audit.models import AuditEvent
from jixiao.collection import actions as collection
from jixiao.collection.tests.factories import make_category
from jixiao.core.testing import login, page_text
from jixiao.evaluation import marks
from jixiao.evaluation.models import DistributionMark, DistributionPolicy
from jixiao.evaluation.tests.factories import make_setup
from jixiao.evaluation.tests.test_qualitative import _qualitative
from jixiao.org.models import Organization
from jixiao.org.tests.factories import AssessmentYearFactory
from jixiao.scheme import actions as scheme_actions
from jixiao.scheme import hooks
from jixiao.scheme.models import Scheme

pytestmark = pytest.mark.django_db

CONSEQUENCE = "下年度降低权重或取消评分资格"


@pytest.fixture
def next_scheme(department: User, office: User) -> Scheme:
    setup = make_setup()
    _qualitative(setup, department, ["9.5", "9.2", "8.5", "8", "7"], DistributionPolicy.PENALISE)
    collection.submit_period(department, setup.period)
    year = AssessmentYearFactory(year=2027, name="2027 年度", is_current=False)
    make_category(year, "DQ", scale=100)
    with acting_as(office):
        return scheme_actions.create_scheme(year, "2027 方案", copy_from=setup.round.scheme)


def test_copying_last_years_scheme_carries_the_breach_to_the_indicator_concerned(
    next_scheme: Scheme, department: User
) -> None:
    mark = DistributionMark.objects.get(scheme=next_scheme)
    assert (mark.indicator_code, mark.department) == ("DX09", department.organization)
    assert AuditEvent.objects.filter(
        object_type="evaluation.distributionmark", object_id=str(mark.pk)
    ).exists()
    assert marks.carry_marks(next_scheme, mark.breach.scheme) == 0  # carried once


def test_the_office_sees_the_mark_beside_the_indicator_on_next_years_scheme(
    next_scheme: Scheme, office_client: Client, department: User
) -> None:
    text = page_text(office_client.get(reverse("scheme:scheme_detail", args=[next_scheme.pk])))
    name = department.organization.name
    assert f"2026 年度{name}在“工作作风评价”" in text
    assert CONSEQUENCE in text


def test_only_the_department_concerned_reads_its_mark(
    next_scheme: Scheme, department: User, other_department_org: Organization
) -> None:
    own = hooks.notes(next_scheme, department.organization_id)
    assert list(own) == ["DX09"]
    assert CONSEQUENCE in own["DX09"][0]
    assert hooks.notes(next_scheme, other_department_org.pk) == {}


def test_a_scheme_made_from_scratch_carries_nothing(office: User) -> None:
    year = AssessmentYearFactory(year=2027, name="2027 年度", is_current=False)
    with acting_as(office):
        scheme = scheme_actions.create_scheme(year, "2027 方案")
    assert not DistributionMark.objects.filter(scheme=scheme).exists()


def test_breaches_recorded_after_the_copy_are_carried_from_the_breaches_page(
    department: User, office: User, office_client: Client, leader: User
) -> None:
    last_year = make_setup()
    year = AssessmentYearFactory(year=2027, name="2027 年度", is_current=False)
    make_category(year, "DQ", scale=100)
    with acting_as(office):
        scheme = scheme_actions.create_scheme(year, "2027 方案", copy_from=last_year.round.scheme)
    assert not DistributionMark.objects.exists()
    # 2026's last submission breaks the rule after 2027's scheme was copied
    _qualitative(
        last_year, department, ["9.5", "9.2", "8.5", "8", "7"], DistributionPolicy.PENALISE
    )
    collection.submit_period(department, last_year.period)
    type(year).objects.update(is_current=False)
    type(year).objects.filter(pk=year.pk).update(is_current=True)
    page = page_text(office_client.get(reverse("evaluation:breaches")))
    assert "带入本年度方案（1 条尚未带入）" in page
    refused = login(Client(), leader).post(reverse("evaluation:breaches_carry"))
    assert refused.status_code == 403
    assert not DistributionMark.objects.exists()
    done = office_client.post(reverse("evaluation:breaches_carry"), follow=True)
    assert "已将 1 条上年度违规标记带入本年度方案" in page_text(done)
    assert "已带入本年度方案" in page_text(done)
    assert list(hooks.notes(scheme)) == ["DX09"]
