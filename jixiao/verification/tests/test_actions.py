"""Spot checks end to end, and flags on save and at approval."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.accounts.models import User
from jixiao.audit.models import AuditAction, AuditEvent
from jixiao.collection.models import Entry, EntryStatus
from jixiao.collection.tests import factories as f
from jixiao.collection.tests.conftest import World
from jixiao.collection.workflow import Act, EntryTransition, TransitionRefused
from jixiao.scoring import actions as scoring
from jixiao.scoring.models import UnitResult
from jixiao.scoring.views_support import explain_result
from jixiao.verification import actions
from jixiao.verification.models import (
    CorrectionStatus,
    EntryFlag,
    ItemStatus,
    SpotCheck,
    SpotCheckItem,
)

pytestmark = pytest.mark.django_db
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _drawn_item(world: World, office: User, inspector: User) -> SpotCheckItem:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    check = actions.draw_sample(office, world.period, fraction=D("1"), seed=5, inspector=inspector)
    return check.items.get(entry__unit=world.unit, entry__indicator=world.direct)


def test_a_draw_covers_every_department_and_records_seed_and_population(
    world: World, office: User, inspector: User
) -> None:
    for indicator in (world.direct, world.deduction, world.other):
        for unit in (world.unit, world.other_unit):
            f.make_entry(world.period, indicator, unit, status=EntryStatus.APPROVED, value="1")
    f.make_entry(world.period, world.completion, world.unit, value="1", reference="2")  # draft
    check = actions.draw_sample(office, world.period, fraction=D("0.1"), seed=11)
    departments = set(check.items.values_list("entry__department", flat=True))
    assert departments == {world.direct.owner_id, world.other.owner_id}
    assert check.population_size == 6  # drafts are not checked
    assert check.seed == 11
    assert len(check.population_fingerprint) == 64
    assert AuditEvent.objects.filter(
        object_type="verification.spotcheck", action=AuditAction.CREATE
    ).exists()
    assert actions.redraw(check) == (True, True)


def test_a_redraw_notices_a_changed_population(world: World, office: User) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    check = actions.draw_sample(office, world.period, fraction=D("0.5"), seed=1)
    f.make_entry(world.period, world.direct, world.other_unit, status=EntryStatus.APPROVED)
    assert actions.redraw(check) == (False, False)


def test_an_accurate_finding_needs_a_note_and_keeps_the_entry(
    world: World, office: User, inspector: User
) -> None:
    item = _drawn_item(world, office, inspector)
    with pytest.raises(TransitionRefused, match="核验说明"):
        actions.record_finding(inspector, item, accurate=True, note=" ")
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    actions.record_finding(inspector, item, accurate=True, note="现场台账一致", files=[photo])
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCURATE
    assert item.photos.get().content_type == "image/png"


def test_a_photo_that_is_not_what_it_claims_is_refused_and_nothing_is_recorded(
    world: World, office: User, inspector: User
) -> None:
    item = _drawn_item(world, office, inspector)
    fake = SimpleUploadedFile("现场.png", b"<html>not a photo</html>")
    with pytest.raises(TransitionRefused, match="不支持的文件类型"):
        actions.record_finding(inspector, item, accurate=True, note="一致", files=[fake])
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_only_inspectors_record_findings(
    world: World, office: User, inspector: User, department: User
) -> None:
    item = _drawn_item(world, office, inspector)
    for user in (office, department):
        with pytest.raises(TransitionRefused):
            actions.record_finding(user, item, accurate=True, note="x")


def _correct(world: World, office: User, inspector: User) -> Any:
    item = _drawn_item(world, office, inspector)
    actions.record_finding(
        inspector,
        item,
        accurate=False,
        note="台账只有 5 项",
        raw={"value": "5"},
        reason="现场核实仅完成 5 项",
    )
    item.refresh_from_db()
    return item.correction


def test_the_department_may_object_once_and_only_the_office_decides(
    world: World, office: User, inspector: User, department: User, other_department: User
) -> None:
    correction = _correct(world, office, inspector)
    with pytest.raises(TransitionRefused, match="只有数据采集单位"):
        actions.act_on_correction(other_department, correction, "object", "不同意")
    with pytest.raises(TransitionRefused, match="理由"):
        actions.act_on_correction(department, correction, "object", "")
    actions.act_on_correction(department, correction, "object", "另有 3 项在其他台账")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.OBJECTED
    with pytest.raises(TransitionRefused):
        actions.act_on_correction(department, correction, "object", "再次异议")
    with pytest.raises(TransitionRefused, match="只有绩效办"):
        actions.act_on_correction(department, correction, "confirm")


def test_a_confirmed_correction_changes_the_score_and_explains_itself(
    world: World,
    office: User,
    inspector: User,
    department: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from jixiao.scheme.models import Indicator, IndicatorPoints

    root = Indicator.objects.get(scheme=world.scheme, code="ROOT")
    IndicatorPoints.objects.create(indicator=root, category=world.category, points=D(60))
    world.category.scale = 60
    world.category.save()
    correction = _correct(world, office, inspector)
    run = scoring.compute_run(world.scheme.year, user=office)
    before = UnitResult.objects.get(run=run, unit=world.unit).total
    with django_capture_on_commit_callbacks(execute=True):
        actions.act_on_correction(office, correction, "confirm", "以现场台账为准")
    correction.refresh_from_db()
    assert (correction.score_before, correction.score_after) == (D("8"), D("5"))
    result = UnitResult.objects.get(run=run, unit=world.unit)
    assert result.total == before - 3
    entry = Entry.objects.get(pk=correction.item.entry_id)
    assert entry.value == D("5")
    explained = explain_result(result)
    reason = explained.entries[entry.pk].reason
    assert "察访核验更正" in reason
    assert inspector.display_name in reason
    assert "现场核实仅完成 5 项" in reason
    assert office.display_name in reason


def test_a_dismissed_correction_leaves_the_entry_alone(
    world: World, office: User, inspector: User
) -> None:
    correction = _correct(world, office, inspector)
    with pytest.raises(TransitionRefused, match="理由"):
        actions.act_on_correction(office, correction, "dismiss")
    actions.act_on_correction(office, correction, "dismiss", "部门补充材料属实")
    assert Entry.objects.get(pk=correction.item.entry_id).value == D("8")


# -- flags ----------------------------------------------------------------------------


def _peers(world: World, n: int = 6) -> None:
    from jixiao.org.models import Organization

    for i in range(n):
        unit = Organization.objects.create(code=f"P{i}", name=f"街道{i}", kind=world.unit.kind)
        f.enroll(unit, world.category)
        f.make_entry(world.period, world.completion, unit, value=str(95 + i), reference="100")


def test_saving_an_implausible_entry_flags_it_and_a_plausible_one_clears_it(
    world: World, department: User
) -> None:
    from jixiao.collection.actions import RowInput, save_rows
    from jixiao.collection.scope import slot_for

    _peers(world)
    slot = slot_for(world.period, world.completion, world.unit)
    assert slot is not None
    save_rows(
        department, world.period, [RowInput(slot, {"value": "480", "reference": "100"}, "", None)]
    )
    entry = Entry.objects.get(indicator=world.completion, unit=world.unit)
    assert entry.flag.reasons[0] == "完成率 480%，超过上限 300%"
    save_rows(
        department,
        world.period,
        [RowInput(slot, {"value": "98", "reference": "100"}, "", entry.version)],
    )
    assert not EntryFlag.objects.filter(entry=entry).exists()


def test_a_flagged_entry_cannot_be_approved_until_acknowledged_with_a_note(
    world: World, office: User
) -> None:
    entry = f.make_entry(
        world.period,
        world.completion,
        world.unit,
        status=EntryStatus.SUBMITTED,
        value="480",
        reference="100",
        score="20",
    )
    flag = EntryFlag.objects.create(entry=entry, reasons=["完成率 480%，超过上限 300%"])
    with pytest.raises(TransitionRefused, match="数据异常提示尚未确认"):
        EntryTransition(Act.APPROVE, office).execute([entry])
    with pytest.raises(TransitionRefused, match="审核说明"):
        actions.acknowledge_flag(office, flag, "")
    actions.acknowledge_flag(office, flag, "超额完成有批文")
    EntryTransition(Act.APPROVE, office).execute([entry])
    entry.refresh_from_db()
    assert entry.status in (EntryStatus.APPROVED, EntryStatus.AWAITING_CONFIRMATION)


def test_the_spot_check_row_is_unique_per_draw(world: World, office: User) -> None:
    f.make_entry(world.period, world.direct, world.unit, status=EntryStatus.APPROVED)
    actions.draw_sample(office, world.period, fraction=D("1"), seed=1)
    actions.draw_sample(office, world.period, fraction=D("1"), seed=1)
    assert SpotCheck.objects.count() == 2


def test_a_threshold_per_indicator_moves_the_ceiling(world: World, office: User) -> None:
    from jixiao.verification.flags import assess_entries

    entry = f.make_entry(world.period, world.completion, world.unit, value="250", reference="100")
    assert assess_entries([entry.pk])[entry.pk] == []
    actions.set_threshold(
        office, world.completion, ceiling=D("2"), jump_factor=None, mad_k=None, allow_negative=False
    )
    assert assess_entries([entry.pk])[entry.pk] == ["完成率 250%，超过上限 200%"]
    with pytest.raises(TransitionRefused, match="跳变倍数须大于 1"):
        actions.set_threshold(
            office,
            world.completion,
            ceiling=None,
            jump_factor=D("1"),
            mad_k=None,
            allow_negative=False,
        )


def test_a_big_batch_shares_peer_statistics_and_still_catches_the_typo(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.verification import flags

    _peers(world)
    entry = f.make_entry(world.period, world.completion, world.unit, value="480", reference="100")
    one_by_one = flags.assess_entries([entry.pk])[entry.pk]
    monkeypatch.setattr(flags, "SHARED_STATS_FROM", 0)
    shared = flags.assess_entries([entry.pk])[entry.pk]
    assert shared[0] == one_by_one[0] == "完成率 480%，超过上限 300%"
    assert "明显偏离同类单位" in shared[-1]


def test_a_province_scale_batch_is_flagged_by_a_task_after_commit(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from jixiao.verification import flags

    entry = f.make_entry(world.period, world.completion, world.unit, value="480", reference="100")
    monkeypatch.setattr(flags, "BACKGROUND_FROM", 0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        flags.flag_entries([entry.pk])
    assert not EntryFlag.objects.filter(entry=entry).exists()
    for callback in callbacks:
        callback()
    assert EntryFlag.objects.get(entry=entry).reasons == ["完成率 480%，超过上限 300%"]
