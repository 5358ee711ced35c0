"""A round's life: setting up, casting ballots (anonymously), closing, publishing."""

from decimal import Decimal

import pytest

from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Entry, EntryStatus
from jixiao.evaluation import actions
from jixiao.evaluation.actions import AlreadyCast, BallotRefused, RoundError
from jixiao.evaluation.models import Ballot, BallotScore, DistributionPolicy, RoundStatus
from jixiao.evaluation.tests.factories import ballot_post, make_setup, reviewer_account

pytestmark = pytest.mark.django_db


def test_weights_that_do_not_add_up_to_100_are_refused():
    setup = make_setup()
    with pytest.raises(RoundError, match="合计 90%"):
        actions.set_weights(setup.ri, {setup.leaders: Decimal(50), setup.grassroots: Decimal(40)})


def test_sub_items_must_add_up_to_100_too():
    setup = make_setup()
    with pytest.raises(RoundError, match="子项权重合计 80%"):
        actions.set_items(setup.ri, [("令行禁止、有呼必应", Decimal(30)), ("综合", Decimal(50))])


def test_only_evaluation_leaves_of_the_scheme_can_be_fed():
    from jixiao.collection.tests.factories import make_indicator

    setup = make_setup()
    other = make_indicator(setup.round.scheme, "YW01", setup.indicator.owner, method="direct")
    with pytest.raises(RoundError, match="评议指标"):
        actions.add_indicator(setup.round, other)


def test_a_reviewer_never_rates_their_own_unit():
    from jixiao.evaluation.scope import layout_for

    setup = make_setup()
    reviewer = reviewer_account(setup, "rev1")
    reviewer.organization = setup.units[0]
    reviewer.save()
    units = layout_for(reviewer).screens[0].units
    assert setup.units[0] not in units
    assert len(units) == 4


def test_a_cast_ballot_is_stored_without_a_link_to_its_reviewer():
    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    actions.cast_ballot(reviewer, ballot_post(setup, [90, 85, 80, 75, 70]))
    reviewer.refresh_from_db()
    assert reviewer.cast_at is not None
    assert reviewer.draft == {}
    ballot = Ballot.objects.get()
    assert sorted(BallotScore.objects.values_list("value", flat=True)) == [70, 75, 80, 85, 90]
    assert ballot.group == setup.leaders
    cast = AuditEvent.objects.get(reason="提交评议票")
    assert cast.after == {"status": "cast"}
    assert str(ballot.pk) not in str(list(AuditEvent.objects.values()))


def test_the_second_tab_is_told_the_ballot_was_already_cast():
    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    actions.cast_ballot(reviewer, ballot_post(setup, [90, 85, 80, 75, 70]))
    with pytest.raises(AlreadyCast):
        actions.cast_ballot(reviewer, ballot_post(setup, [60, 60, 60, 60, 60]))
    assert Ballot.objects.count() == 1
    assert BallotScore.objects.filter(value=60).count() == 0


def test_an_incomplete_ballot_says_how_many_cells_are_missing():
    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    post = ballot_post(setup, [90, 85, 80, 75, 70])
    post.pop(next(iter(post)))
    with pytest.raises(BallotRefused, match="还有 1 处未评分"):
        actions.cast_ballot(reviewer, post)
    assert not Ballot.objects.exists()


def test_the_refuse_policy_blocks_a_ballot_that_breaks_the_distribution():
    setup = make_setup(policy=DistributionPolicy.REFUSE)
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    with pytest.raises(BallotRefused, match="最多 1 个"):
        actions.cast_ballot(reviewer, ballot_post(setup, [95, 92, 85, 80, 70]))
    reviewer.refresh_from_db()
    assert reviewer.cast_at is None
    assert not Ballot.objects.exists()
    actions.cast_ballot(reviewer, ballot_post(setup, [95, 88, 85, 80, 70]))


def test_the_warn_policy_accepts_and_flags_the_ballot():
    setup = make_setup(policy=DistributionPolicy.PENALISE)
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    warnings = actions.cast_ballot(reviewer, ballot_post(setup, [95, 92, 85, 80, 70]))
    assert warnings
    assert Ballot.objects.get().off_distribution


def test_closing_with_too_few_ballots_needs_an_acknowledgement():
    setup = make_setup()
    actions.open_round(setup.round)
    with pytest.raises(RoundError, match="请确认票数不足"):
        actions.close_round(setup.round)
    setup.round.refresh_from_db()
    assert setup.round.status == RoundStatus.OPEN
    actions.close_round(setup.round, acknowledge=True)
    setup.round.refresh_from_db()
    assert setup.round.status == RoundStatus.CLOSED
    assert setup.round.warnings_acknowledged


def test_reopening_needs_a_reason_and_records_it():
    setup = make_setup()
    actions.open_round(setup.round)
    actions.close_round(setup.round, acknowledge=True)
    with pytest.raises(RoundError, match="原因"):
        actions.reopen_round(setup.round, " ")
    actions.reopen_round(setup.round, "区领导补投")
    setup.round.refresh_from_db()
    assert setup.round.status == RoundStatus.OPEN
    assert AuditEvent.objects.filter(reason="区领导补投", action="transition").exists()


def test_publishing_writes_the_ratings_as_final_entries_with_their_explanation():
    setup = make_setup(trim=1)
    actions.open_round(setup.round)
    for i, scores in enumerate([[90] * 5, [80] * 5, [70] * 5]):
        actions.cast_ballot(reviewer_account(setup, f"lead{i}"), ballot_post(setup, scores))
    for i, scores in enumerate([[60] * 5, [100] * 5]):
        reviewer = reviewer_account(setup, f"base{i}", setup.grassroots)
        actions.cast_ballot(reviewer, ballot_post(setup, scores))
    actions.close_round(setup.round)
    actions.publish_round(setup.round)
    entry = Entry.objects.get(unit=setup.units[0], indicator=setup.indicator)
    # 区领导 trimmed to 80 (one of three left), 基层单位 untrimmed mean 80: 80
    assert entry.value == Decimal("80")
    assert entry.score == Decimal("8")
    assert entry.status == EntryStatus.FINAL
    assert entry.period == setup.period
    assert "去掉最高最低后 1 票" in entry.reason
    assert "评议得分" in entry.reason
    assert Entry.objects.filter(indicator=setup.indicator).count() == 5


def test_republishing_after_a_reopen_updates_the_same_entries_with_a_record():
    setup = make_setup()
    actions.open_round(setup.round)
    actions.cast_ballot(reviewer_account(setup, "lead0"), ballot_post(setup, [90] * 5))
    actions.close_round(setup.round, acknowledge=True)
    actions.publish_round(setup.round)
    actions.reopen_round(setup.round, "补充一张评议票")
    actions.cast_ballot(reviewer_account(setup, "lead1"), ballot_post(setup, [70] * 5))
    actions.close_round(setup.round, acknowledge=True)
    actions.publish_round(setup.round)
    entry = Entry.objects.get(unit=setup.units[0], indicator=setup.indicator)
    assert entry.value == Decimal("80")
    assert Entry.objects.filter(indicator=setup.indicator).count() == 5
    update = AuditEvent.objects.for_object(entry).get(action="update")
    assert update.before["value"] == "90.0000"
    assert update.after["value"] == "80.0000"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_the_same_moment_store_one_ballot():
    import threading

    from django.db import connection

    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(scores: list[int]) -> None:
        start.wait()
        try:
            actions.cast_ballot(reviewer, ballot_post(setup, scores))
            outcomes.append("cast")
        except AlreadyCast:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(s,)) for s in ([90] * 5, [70] * 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already", "cast"]
    assert Ballot.objects.count() == 1
    assert BallotScore.objects.count() == 5
