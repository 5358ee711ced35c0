from decimal import Decimal
from typing import Any

import pytest

from jixiao.audit.context import acting_as
from jixiao.audit.models import AuditEvent
from jixiao.core.concurrency import EditConflict
from jixiao.org.models import UnitCategory
from jixiao.scheme import actions
from jixiao.scheme.diff import diff_trees
from jixiao.scheme.loading import load_nodes
from jixiao.scheme.models import Indicator, RevisionStatus, Scheme, SchemeRevision, SchemeStatus
from jixiao.scheme.tests.conftest import small_tree


def test_copying_last_years_scheme_copies_the_whole_tree(
    last_scheme: Scheme, year: Any, office: Any
) -> None:
    with acting_as(office):
        scheme = actions.create_scheme(year, "2026 方案", copy_from=last_scheme)
    assert scheme.based_on == last_scheme
    assert load_nodes(scheme) == load_nodes(last_scheme)
    points = Indicator.objects.get(scheme=scheme, code="A1").points.get(category__code="AG")
    assert points.category.year == year


def test_copy_refuses_when_the_new_year_lacks_a_category(
    last_scheme: Scheme, year: Any, office: Any
) -> None:
    UnitCategory.objects.filter(year=year, code="ST").update(code="JD")
    with acting_as(office), pytest.raises(actions.SchemeActionError, match="ST"):
        actions.create_scheme(year, "2026 方案", copy_from=last_scheme)
    assert not Scheme.objects.filter(year=year).exists()


def test_publishing_locks_the_scheme(published: Scheme, office: Any) -> None:
    assert published.status == SchemeStatus.PUBLISHED
    indicator = Indicator.objects.get(scheme=published, code="A1")
    category = UnitCategory.objects.get(year=published.year, code="AG")
    with acting_as(office), pytest.raises(actions.SchemeActionError, match="锁定"):
        actions.set_points(indicator, indicator.version, category, Decimal(1))
    assert indicator.points.get(category=category).points == Decimal(40)


def test_a_scheme_with_errors_cannot_be_published(draft: Scheme, office: Any) -> None:
    indicator = Indicator.objects.get(scheme=draft, code="A1")
    category = UnitCategory.objects.get(year=draft.year, code="AG")
    with acting_as(office):
        actions.set_points(indicator, indicator.version, category, Decimal(39))
        with pytest.raises(actions.SchemeActionError) as error:
            actions.publish_scheme(draft, draft.version, accept_warnings=True)
    assert any("下级指标分值合计" in e for e in error.value.errors)
    draft.refresh_from_db()
    assert draft.status == SchemeStatus.DRAFT


def test_warnings_must_be_accepted_before_publishing(draft: Scheme, office: Any) -> None:
    with acting_as(office):
        Indicator.objects.filter(scheme=draft, code__in=["A", "A1"]).update(is_qualitative=True)
        with pytest.raises(actions.SchemeActionError, match="提示"):
            actions.publish_scheme(draft, draft.version, accept_warnings=False)
        actions.publish_scheme(draft, draft.version, accept_warnings=True)
    assert Scheme.objects.get(pk=draft.pk).status == SchemeStatus.PUBLISHED


def test_a_revision_records_its_reason_and_what_changed(published: Scheme, office: Any) -> None:
    a1 = Indicator.objects.get(scheme=published, code="A1")
    a2 = Indicator.objects.get(scheme=published, code="A2")
    ag = UnitCategory.objects.get(year=published.year, code="AG")
    with acting_as(office):
        revision = actions.start_revision(published, "区委常委会调整分值", office)
        actions.set_points(a1, a1.version, ag, Decimal(35))
        actions.set_points(a2, a2.version, ag, Decimal(25))
        actions.apply_revision(revision)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPLIED
    assert revision.number == 1
    assert [c["code"] for c in revision.summary["changed"]] == ["A1", "A2"]
    assert revision.summary["changed"][0]["fields"] == ["points"]
    assert AuditEvent.objects.filter(reason__contains="方案修订第 1 次").count() == 2


def test_a_revision_that_breaks_the_sums_cannot_be_applied(published: Scheme, office: Any) -> None:
    a1 = Indicator.objects.get(scheme=published, code="A1")
    ag = UnitCategory.objects.get(year=published.year, code="AG")
    with acting_as(office):
        revision = actions.start_revision(published, "试调", office)
        actions.set_points(a1, a1.version, ag, Decimal(35))
        with pytest.raises(actions.SchemeActionError):
            actions.apply_revision(revision)
    assert SchemeRevision.objects.get(pk=revision.pk).status == RevisionStatus.OPEN


def test_abandoning_a_revision_restores_the_published_tree(published: Scheme, office: Any) -> None:
    before = load_nodes(published)
    a1 = Indicator.objects.get(scheme=published, code="A1")
    with acting_as(office):
        revision = actions.start_revision(published, "试调", office)
        actions.delete_indicator(Indicator.objects.get(scheme=published, code="C1"), 1)
        actions.shift_indicator(a1, 1)
        actions.cancel_revision(revision)
    assert load_nodes(published) == before
    assert not SchemeRevision.objects.filter(scheme=published).exists()


def test_a_revision_needs_a_reason(published: Scheme, office: Any) -> None:
    with acting_as(office), pytest.raises(actions.SchemeActionError, match="原因"):
        actions.start_revision(published, "  ", office)


def test_concurrent_edits_of_an_indicator_conflict(draft: Scheme, office: Any) -> None:
    a1 = Indicator.objects.get(scheme=draft, code="A1")
    ag = UnitCategory.objects.get(year=draft.year, code="AG")
    stale = a1.version
    with acting_as(office):
        actions.set_points(a1, stale, ag, Decimal(41))
        with pytest.raises(EditConflict):
            actions.set_points(Indicator.objects.get(pk=a1.pk), stale, ag, Decimal(42))
    assert a1.points.get(category=ag).points == Decimal(41)


def test_moving_a_node_changes_the_level_of_its_subtree(draft: Scheme, office: Any) -> None:
    a = Indicator.objects.get(scheme=draft, code="A")
    b = Indicator.objects.get(scheme=draft, code="B")
    with acting_as(office):
        actions.move_indicator(b, b.version, a)
    assert Indicator.objects.get(code="B").level == 2
    assert Indicator.objects.get(code="B1").level == 3
    b = Indicator.objects.get(code="B")
    with acting_as(office), pytest.raises(actions.SchemeActionError, match="三级"):
        actions.move_indicator(a, a.version, Indicator.objects.get(code="C"))
    with acting_as(office), pytest.raises(actions.SchemeActionError):
        actions.move_indicator(
            a, Indicator.objects.get(code="A").version, Indicator.objects.get(code="B1")
        )


def test_reordering_swaps_siblings(draft: Scheme, office: Any) -> None:
    a2 = Indicator.objects.get(scheme=draft, code="A2")
    with acting_as(office):
        actions.shift_indicator(a2, -1)
    assert list(
        Indicator.objects.filter(parent__code="A")
        .order_by("sort_order")
        .values_list("code", flat=True)
    ) == ["A2", "A1"]


def test_closing_a_published_scheme(published: Scheme, office: Any) -> None:
    with acting_as(office):
        actions.close_scheme(published, published.version)
    assert Scheme.objects.get(pk=published.pk).status == SchemeStatus.CLOSED


def test_the_diff_matches_indicators_by_code_and_gives_the_share() -> None:
    old = small_tree()
    new = [n for n in small_tree() if n.code != "C1"]
    new = [
        n.__class__(**{**n.__dict__, "name": "群众满意度调查"}) if n.code == "B1" else n
        for n in new
    ]
    new.append(new[0].__class__("D", None, 1, "新指标", "common"))
    diff = diff_trees(old, new)
    assert [n.code for n in diff.added] == ["D"]
    assert [n.code for n in diff.removed] == ["C1"]
    assert [(c.code, c.fields) for c in diff.changed] == [("B1", ("name",))]
    assert diff.total == 8
    assert diff.adjusted == 3
    assert diff.share == Decimal("37.5")
