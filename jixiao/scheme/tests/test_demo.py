from typing import Any

from jixiao.audit.context import acting_as
from jixiao.scheme.demo import build_demo
from jixiao.scheme.loading import load_nodes, validate_scheme
from jixiao.scheme.models import Indicator, Scheme, SchemeRevision, SchemeStatus
from jixiao.scoring.engine.methods import METHODS


def test_the_demo_schemes_are_complete_clean_and_idempotent(db: None, office: Any) -> None:
    from jixiao.org import demo as org_demo

    with acting_as(office):
        district = org_demo.build()
        build_demo(district)
        current = Scheme.objects.get(year__year=2026)
        first = load_nodes(current)
        build_demo(district)
    assert load_nodes(current) == first
    assert current.status == SchemeStatus.PUBLISHED
    assert Scheme.objects.get(year__year=2025).status == SchemeStatus.CLOSED
    assert validate_scheme(current).errors == []
    assert {n.method for n in first if n.method} == set(METHODS)
    assert Indicator.objects.filter(scheme=current, owner__code="FGJ").count() >= 5
    bases = {n.params["base"] for n in first if n.method == "staffing_task"}
    assert bases == {"3", "4", "5"}
    assert any(n.method == "completion" and n.params.get("lower_is_better") for n in first)
    share = {n.code: n.points for n in first if n.code in ("SH01", "SH0101")}
    assert share["SH0101"]["DQ"] * 10 == share["SH01"]["DQ"] * 3  # 30% of grassroots review
    assert SchemeRevision.objects.applied().filter(scheme=current).count() == 1
