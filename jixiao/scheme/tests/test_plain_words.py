"""The scheme diff and the revision notices read as words: names, labels, methods in
the words of docs/scoring.md — never dicts, None or codes alone."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse

from jixiao.audit.context import acting_as
from jixiao.audit.models import AuditEvent
from jixiao.audit.render import render
from jixiao.scheme import actions
from jixiao.scheme.models import Scheme
from jixiao.scheme.tests.conftest import small_tree

INTERNALS = re.compile(r"\{'|\{\"|None|\w+_id\b|\w+_code\b|'mode'|\bT\d{2}:\d{2}")


def _edited_tree() -> list[Any]:
    nodes = {n.code: n for n in small_tree()}
    nodes["A2"] = replace(
        nodes["A2"], method="rank", params={"mode": "fixed", "points_by_rank": ["20", "15"]}
    )
    nodes["C1"] = replace(nodes["C1"], parent_code="A", level=2)  # moved under 实绩评估
    nodes["A1"] = replace(nodes["A1"], points={"AG": Decimal(40), "ST": Decimal(350)})
    return list(nodes.values())


def test_the_diff_names_methods_categories_and_moves(
    last_scheme: Scheme, draft: Scheme, office_client: Client, office: Any
) -> None:
    with acting_as(office):
        actions.replace_tree(draft, _edited_tree())
    body = office_client.get(reverse("scheme:scheme_diff", args=[draft.pk])).content.decode()
    changed = body.split("调整的指标", 1)[1]
    assert INTERNALS.search(changed) is None, INTERNALS.search(changed)
    assert "按次扣分（每次扣 1 分" in changed
    assert "排名计分（固定分值，各名次分值 20、15" in changed
    assert "C 加扣分" in changed  # the old parent, by code and name
    assert "A 实绩评估" in changed  # the new parent
    assert "街道类 400 分" in changed
    assert "街道类 350 分" in changed


def test_indicator_audit_rows_read_as_words(draft: Scheme, office: Any) -> None:
    with acting_as(office):
        actions.replace_tree(draft, _edited_tree())
    lines = render(AuditEvent.objects.filter(object_type="scheme.indicator"))
    text = " ".join(f"{c.label} {c.before} {c.after}" for line in lines for c in line.changes)
    assert INTERNALS.search(text) is None, INTERNALS.search(text)
    assert "计分参数" in text
    assert "固定分值" in text
    assert "街道类" in text


def test_a_points_edit_names_the_category(draft: Scheme, office: Any) -> None:
    indicator = draft.indicators.get(code="A1")
    category = draft.year.categories.get(code="ST")
    with acting_as(office):
        actions.set_points(indicator, indicator.version, category, Decimal("350"))
    (line,) = render(AuditEvent.objects.filter(object_type="scheme.indicator", reason=""))[:1]
    change = line.changes[0]
    assert (change.label, change.before, change.after) == ("分值（街道类）", "400", "350")


def test_the_audit_log_names_things_in_a_bounded_number_of_queries(
    draft: Scheme, office: Any, audit_admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    with acting_as(office):
        for _round in range(3):  # many indicator rows naming the same departments
            actions.replace_tree(draft, _edited_tree())
            actions.replace_tree(draft, small_tree())
    assert AuditEvent.objects.filter(object_type="scheme.indicator").count() > 20
    with django_assert_max_num_queries(25):
        page = audit_admin_client.get(reverse("audit:log")).content.decode()
    assert "街道类" in page
