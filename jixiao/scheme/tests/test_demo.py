from dataclasses import replace
from decimal import Decimal
from typing import Any

from jixiao.audit.context import acting_as
from jixiao.collection.scope import DERIVED_METHODS
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
    # Every method a department enters; derived ones (spot_accuracy: verification writes
    # its inputs from spot checks) are exercised in their own app's tests.
    assert {n.method for n in first if n.method} == set(METHODS) - set(DERIVED_METHODS)
    assert Indicator.objects.filter(scheme=current, owner__code="FGJ").count() >= 5
    bases = {n.params["base"] for n in first if n.method == "staffing_task"}
    assert bases == {"3", "4", "5"}
    assert any(n.method == "completion" and n.params.get("lower_is_better") for n in first)
    share = {n.code: n.points for n in first if n.code in ("SH01", "SH0101")}
    assert share["SH0101"]["DQ"] * 10 == share["SH01"]["DQ"] * 3  # 30% of grassroots review
    assert SchemeRevision.objects.applied().filter(scheme=current).count() == 1


def test_the_demo_streets_each_have_their_own_project_and_score_on_the_same_scale(
    db: None, office: Any
) -> None:
    """End to end without the database loader: the demo tree as the engine sees it (points
    and units per category) scores every street on 1000 points, and a street's
    explanation shows only its own 个性指标."""
    from jixiao.org import demo as org_demo
    from jixiao.scheme.loading import context_for
    from jixiao.scoring.engine import (
        CategoryTree,
        LeafInput,
        Node,
        UnitInfo,
        explain,
        score_records,
    )

    with acting_as(office):
        district = org_demo.build()
        build_demo(district)
    scheme = Scheme.objects.get(year__year=2026)
    nodes = load_nodes(scheme)
    projects = {n.code: n.unit_codes for n in nodes if n.parent_code == "JA2" and n.unit_codes}
    streets = sorted(context_for(scheme.year).units_by_category["JD"])
    assert projects["JA205"] == ("JD01",)
    assert projects["JA206"] == ("JD02",)
    assert set(projects["JA207"]) == set(streets) - {"JD01", "JD02"}

    tree = CategoryTree(
        "JD",
        Decimal(1000),
        tuple(
            Node(
                n.code,
                n.parent_code,
                n.level,
                n.name,
                n.kind,
                n.points["JD"],
                n.method or None,
                dict(n.params),
                n.bonus_cap,
                n.penalty_cap,
                n.sort_order,
                frozenset(n.unit_codes) if n.unit_codes else None,
            )
            for n in nodes
            if "JD" in n.points
        ),
    )
    full = {
        "completion": {"actual": 1, "target": 1},
        "schedule_progress": {"actual": 1, "planned": 1},
    }
    inputs = [
        LeafInput(unit, n.code, full[n.method])
        for n in nodes
        if "JD" in n.points and n.method in ("completion", "schedule_progress")
        for unit in streets
    ]
    province, result = score_records([tree], [UnitInfo(u, "JD", 80) for u in streets], inputs)
    category = result.categories["JD"]
    for unit in streets:
        # 拆违工作 (completion, 40) and the street's own project (30), full marks each.
        assert category.score(unit, "JA2") == Decimal(70)
        assert not {"JA205", "JA206", "JA207"} & set(category.unit(unit).missing)
    # The projects are full marks for everyone: 30 each, whichever item is a street's own.
    assert category.score("JD01", "JA205") == Decimal(30)
    assert category.score("JD02", "JA206") == Decimal(30)
    assert category.score("JD09", "JA207") == Decimal(30)
    assert not category.applies("JD01", "JA207")
    card = [n.code for n in explain(category, province.data["JD"], "JD01").walk()]
    assert "JA205" in card
    assert "JA206" not in card
    assert "JA207" not in card


def test_a_street_left_without_a_project_is_a_blocking_error(db: None, office: Any) -> None:
    from jixiao.org import demo as org_demo
    from jixiao.scheme.validation import Rule

    with acting_as(office):
        district = org_demo.build()
        build_demo(district)
    scheme = Scheme.objects.get(year__year=2026)
    nodes = [
        replace(n, unit_codes=tuple(u for u in n.unit_codes if u != "JD15"))
        if n.code == "JA207"
        else n
        for n in load_nodes(scheme)
    ]
    errors = validate_scheme(scheme, nodes).errors
    assert [(e.rule, e.code) for e in errors] == [(Rule.CHILDREN_SUM, "JA2")]
    assert "JD15" in errors[0].message
    assert "合计 170" in errors[0].message
