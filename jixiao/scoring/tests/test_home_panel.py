from __future__ import annotations

from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.org.models import AssessmentYear, Organization
from jixiao.scoring import actions
from jixiao.scoring.models import RankingsAudience
from jixiao.scoring.tests.factories import publish, zhangjiagang_world


def test_a_unit_sees_its_published_total_rank_and_grade_on_its_home_page(
    unit_client: Client, office: User, department_org: Organization, unit_org: Organization
) -> None:
    world = zhangjiagang_world(department=department_org)
    world.units[unit_org.code] = unit_org
    world.unit(unit_org.code, "JG", staffing=30)
    world.entry(unit_org.code, "1.1.1", 95, 100)
    AssessmentYear.objects.filter(pk=world.year.pk).update(is_current=True)
    home = unit_client.get(reverse("core:home")).content.decode()
    assert "本年度考核结果尚未发布" in home

    run = publish(
        actions.compute_run(world.year, user=office), user=office, audience=RankingsAudience.LEADERS
    )
    result = run.results.get(unit=unit_org)
    home = unit_client.get(reverse("core:home")).content.decode()
    assert "尚未发布" not in home
    assert str(result.total) in home
    assert reverse("scoring:card", args=[run.pk, unit_org.pk]) in home
