"""The other end of the loop: a source's page lists its tasks and offers 转督查督办.

`{% supervision_source "entry" entry.pk %}` on an entry, `"correction"` on a spot-check
correction, `{% supervision_report_card result %}` on a report card (the unit's cards of
the year and its tasks, and the link that raises a task from a low score). Only what
the user may see is listed; the link is offered to who may raise a task.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from jixiao.accounts.roles import Role
from jixiao.supervision.access import tasks_visible_to
from jixiao.supervision.models import Card, CardColor

register = template.Library()
RAISERS = (Role.SUPERVISION, Role.OFFICE)


def _raise_url(source_type: str, source_id: int) -> str:
    query = urlencode({"source_type": source_type, "source_id": str(source_id)})
    return f"{reverse('supervision:task_new')}?{query}"


@register.simple_tag(takes_context=True)
def supervision_raise_url(context: Any, source_type: str, source_id: int) -> str:
    """The 转督查督办 link of a finding for who may raise a task ('' for others)."""
    user = context["request"].user
    return _raise_url(source_type, source_id) if user.role in RAISERS else ""


@register.inclusion_tag("supervision/tags/source.html", takes_context=True)
def supervision_source(context: Any, source_type: str, source_id: int) -> dict[str, Any]:
    user = context["request"].user
    tasks = list(
        tasks_visible_to(user)
        .from_source(source_type, source_id)
        .select_related("lead_unit")
        .order_by("pk")
    )
    return {
        "tasks": tasks,
        "raise_url": _raise_url(source_type, source_id) if user.role in RAISERS else "",
    }


@register.inclusion_tag("supervision/tags/report_card.html", takes_context=True)
def supervision_report_card(context: Any, result: Any) -> dict[str, Any]:
    user = context["request"].user
    year = result.run.year.year
    cards = list(
        Card.objects.filter(unit_id=result.unit_id, year=year)
        .select_related("task")
        .order_by("-issued_on", "-pk")[:50]
    )
    counted = [c for c in cards if c.revoked_at is None]
    return {
        "year": year,
        "cards": cards,
        "red": sum(1 for c in counted if c.color == CardColor.RED),
        "yellow": sum(1 for c in counted if c.color == CardColor.YELLOW),
        "tasks": list(
            tasks_visible_to(user)
            .filter(lead_unit_id=result.unit_id, year=year)
            .exclude(state="draft")
            .order_by("deadline", "pk")[:50]
        ),
        "raise_url": _raise_url("report_card", result.pk) if user.role in RAISERS else "",
    }
