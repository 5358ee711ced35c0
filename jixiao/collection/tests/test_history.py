"""The 办理记录 of an entry reads as words: names, labels and local time, no internals."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.core.testing import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What a page must never show: field names, dicts, None, UTC ISO times, "app.model".
INTERNALS = re.compile(
    r"\w+_id\b|\{'|None|\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)|T\d{2}:\d{2}|"
    r"\b(collection|scheme|scoring|org|accounts|audit)\.[a-z]+\b|recheck_requested|"
    r"answer_recheck|request_recheck"
)


def history_text(page: str) -> str:
    return page.split("办理记录", 1)[1]


def test_an_entry_history_reads_as_words(world: World, personas: dict[str, User]) -> None:
    dept, unit = (login(Client(), personas[n]) for n in ("dept", "unit"))
    grid = reverse("collection:workspace", args=[world.period.pk])
    dept.post(
        f"{grid}?indicator={world.direct.pk}",
        {f"u{world.unit.pk}.value": "6", f"u{world.unit.pk}.reason": "少报一项"},
    )
    entry = Entry.objects.get()
    Entry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.PUBLISHED, published_at=timezone.now()
    )
    act = reverse("collection:entry_action", args=[entry.pk])
    unit.post(
        act,
        {"action": "request_recheck", "reason": "已完成", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    dept.post(
        act,
        {
            "action": "answer_recheck",
            "outcome": "changed",
            "answer": "更正",
            "value": "9",
            "new_reason": "属实",
        },
    )
    page = dept.get(reverse("collection:entry_detail", args=[entry.pk])).content.decode()
    history = history_text(page)
    assert INTERNALS.search(history) is None, INTERNALS.search(history)
    assert world.unit.name in history  # the unit by name, not by id
    assert "申请复核：已公示 → 复核申请中" in history
    assert '得分：<span class="diff-before">6</span> <span class="diff-after">9</span>' in history
    recheck = page.split("复核", 1)[1]
    assert INTERNALS.search(recheck) is None


def test_a_deleted_target_still_reads_as_words(world: World, personas: dict[str, User]) -> None:
    from jixiao.audit.models import AuditEvent
    from jixiao.audit.render import render

    entry = f.make_entry(world.period, world.direct, world.unit)
    event = AuditEvent(
        action="create",
        object_type="collection.entry",
        object_id=str(entry.pk),
        after={"unit_id": 999999, "status": "draft", "submitted_at": "2026-03-01T02:00:00+00:00"},
    )
    (line,) = render([event])
    texts = {c.label: c.after for c in line.changes}
    assert texts["被考核单位"].startswith("（已删除")
    assert texts["状态"] == "草稿"
    assert "2026-03-01 10:00" in texts.values()
