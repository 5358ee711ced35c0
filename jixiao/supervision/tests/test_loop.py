"""The loop end to end: a returned entry → one click to a prefilled task (linked both
ways) → the unit answers → 核验 未完成 costs a red card → next year's scheme copy carries
the item, with a red card of the new year that the 督查督办 leaf scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login, page_text
from jixiao.scheme.actions import create_scheme
from jixiao.scheme.models import IndicatorKind
from jixiao.supervision import actions
from jixiao.supervision.models import Card, SourceKind, SupervisionTask, TaskState
from jixiao.supervision.results import write_card_entries
from jixiao.supervision.workflow import Act

pytestmark = pytest.mark.django_db


def test_a_returned_entry_becomes_a_task_and_unfinished_work_costs_next_year(
    world: World, office: User, supervision: User, unit: User, office_org: object
) -> None:
    f.make_indicator(
        world.scheme,
        "D01",
        office_org,  # type: ignore[arg-type]
        points={world.category: 5},
        method="supervision_cards",
        kind=IndicatorKind.COMMON,
        name="督查督办",
    )
    entry = f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.RETURNED)
    Entry.objects.filter(pk=entry.pk).update(review_comment="佐证材料与台账不一致")
    client = login(Client(), office)

    # one click from the entry to a prefilled form
    page = page_text(client.get(reverse("collection:entry_detail", args=[entry.pk])))
    assert "转督查督办" in page
    form_url = reverse("supervision:task_new") + f"?source_type=entry&source_id={entry.pk}"
    form = client.get(form_url)
    assert "重点项目推进" in page_text(form)
    assert "佐证材料与台账不一致" in form.content.decode()
    initial = form.context["form"].initial
    response = client.post(
        reverse("supervision:task_new"),
        {
            **{
                k: initial[k]
                for k in ("year", "title", "problem", "source_type", "source_id", "source_text")
            },
            "source_kind": SourceKind.ASSESSMENT,
            "lead_unit": world.unit.pk,
            "deadline": "2026-09-30",
            "level": "normal",
        },
    )
    task = SupervisionTask.objects.get()
    assert response.status_code == 302
    assert (task.source_type, task.source_id) == ("entry", entry.pk)
    # linked both ways
    assert task.title in page_text(client.get(reverse("collection:entry_detail", args=[entry.pk])))
    detail = page_text(
        login(Client(), supervision).get(reverse("supervision:task", args=[task.pk]))
    )
    assert "重点项目推进" in detail

    actions.transition(supervision, task, Act.ASSIGN, today=date(2026, 7, 1))
    actions.transition(unit, task, Act.ACCEPT, today=date(2026, 7, 2))
    actions.transition(unit, task, Act.REQUEST_CLOSE, reason="已补充材料", today=date(2026, 7, 10))
    actions.transition(supervision, task, Act.VERIFY, result="undone", reason="台账仍不完整")
    assert Card.objects.filter(task=task, rule="result_undone", color="red").exists()

    # next year: the scheme copy carries the item with a red card of 2027
    year27 = f.AssessmentYearFactory(year=2027, is_current=False)
    category27 = f.make_category(year27)
    f.enroll(world.unit, category27)
    f.enroll(world.other_unit, category27)
    scheme27 = create_scheme(year27, "2027年度考核方案", copy_from=world.scheme)
    carried = SupervisionTask.objects.get(year=2027)
    assert carried.carried_from == task
    assert carried.state == TaskState.DRAFT
    assert Card.objects.get(task=carried).color == "red"
    create_scheme_again = SupervisionTask.objects.filter(year=2027).count()
    assert create_scheme_again == 1

    f.make_period(scheme27, "2027-Q1")
    write_card_entries(supervision, 2027)
    scored = Entry.objects.get(indicator__scheme=scheme27, indicator__code="D01", unit=world.unit)
    assert (scored.value, scored.reference) == (Decimal(1), Decimal(0))
    assert scored.score == Decimal("4.5000")
    assert "上年未完成整改事项结转" in scored.reason
    # both years show it on the task pages
    old_page = page_text(
        login(Client(), supervision).get(reverse("supervision:task", args=[task.pk]))
    )
    assert "结转至" in old_page


def test_a_unit_cannot_raise_a_task_and_the_office_only_findings(
    world: World, office: User, unit: User
) -> None:
    assert login(Client(), unit).get(reverse("supervision:task_new")).status_code == 403
    draft = actions.TaskDraft(
        year=2026,
        title="x",
        source_kind=SourceKind.LEADER,
        problem="y",
        lead_unit=world.unit,
        deadline=date(2026, 9, 30),
    )
    with pytest.raises(actions.TransitionRefused, match="只有督查室可以立项"):
        actions.create_task(office, draft)
