"""Nothing joins a reviewer to their scores: not the schema, not the audit trail, not a page."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from jixiao.audit.models import AuditEvent
from jixiao.evaluation import actions
from jixiao.evaluation.models import Ballot, BallotScore, Reviewer
from jixiao.evaluation.tests.factories import ballot_post, make_setup, reviewer_account

pytestmark = pytest.mark.django_db

IDENTIFYING = {Reviewer, get_user_model()}


def _related_models(model: type[models.Model]) -> set[type[models.Model]]:
    return {f.related_model for f in model._meta.get_fields() if f.is_relation and f.related_model}


def test_ballots_and_their_scores_have_no_relation_to_a_reviewer_or_an_account():
    for model in (Ballot, BallotScore):
        assert not (_related_models(model) & IDENTIFYING), model
    assert Ballot not in _related_models(Reviewer)
    assert BallotScore not in _related_models(Reviewer)


def test_ballots_carry_no_time_and_no_ordered_id():
    for model in (Ballot, BallotScore):
        kinds = {type(f) for f in model._meta.concrete_fields}
        assert not kinds & {models.DateTimeField, models.DateField, models.TimeField}
    assert isinstance(Ballot._meta.pk, models.UUIDField)


def test_the_audit_trail_records_that_a_ballot_was_cast_never_what(office_client):
    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    actions.cast_ballot(reviewer, ballot_post(setup, [91, 87, 83, 77, 73]))
    code = actions.issue_codes(setup.round, setup.grassroots, 1)[0]
    actions.cast_ballot(code, ballot_post(setup, [92, 86, 82, 76, 72]))
    ballot_ids = {str(pk) for pk in Ballot.objects.values_list("pk", flat=True)}
    assert len(ballot_ids) == 2
    scores = {"91", "87", "83", "77", "73", "92", "86", "82", "76", "72"}
    for event in AuditEvent.objects.all():
        text = f"{event.before} {event.after} {event.reason} {event.object_repr} {event.object_id}"
        assert not any(pk in text for pk in ballot_ids)
        # Whole numbers only, and not the row ids (a database sequence may reach 91).
        content = f"{event.before} {event.after} {event.reason} {event.object_repr}"
        assert not scores & set(re.findall(r"(?<![\d.])\d+(?![\d.])", content))
        assert event.object_type not in ("evaluation.ballot", "evaluation.ballotscore")
    cast = AuditEvent.objects.filter(reason="提交评议票")
    assert cast.count() == 2
    assert all(e.after == {"status": "cast"} for e in cast)


def test_the_office_pages_show_turnout_and_aggregates_but_no_ballot(office_client):
    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    actions.cast_ballot(reviewer, ballot_post(setup, [91, 87, 83, 77, 73]))
    page = office_client.get(reverse("evaluation:round_detail", args=[setup.round.pk])).content
    text = page.decode()
    assert "rev1" not in text
    ballot = Ballot.objects.get()
    assert str(ballot.pk) not in text
    assert isinstance(ballot.pk, uuid.UUID)


def test_a_draft_is_erased_when_the_ballot_is_cast():
    setup = make_setup()
    actions.open_round(setup.round)
    reviewer = reviewer_account(setup, "rev1")
    actions.save_draft(reviewer, ballot_post(setup, [91, 87, 83, 77, 73]))
    reviewer.refresh_from_db()
    assert reviewer.draft
    actions.cast_ballot(reviewer, ballot_post(setup, [91, 87, 83, 77, 73]))
    reviewer.refresh_from_db()
    assert reviewer.draft == {}


def test_no_api_answer_joins_a_reviewer_to_a_score(office, leader, reviewer):
    from django.test import Client

    from jixiao.core.testing import login

    setup = make_setup()
    actions.open_round(setup.round)
    mine = actions.add_reviewer_accounts(setup.round, setup.leaders, [reviewer])[0]
    actions.cast_ballot(mine, ballot_post(setup, [91, 87, 83, 77, 73]))
    other = reviewer_account(setup, "rev2", setup.grassroots)
    actions.cast_ballot(other, ballot_post(setup, [81, 77, 73, 67, 63]))
    ballot_ids = [str(pk) for pk in Ballot.objects.values_list("pk", flat=True)]
    pk = setup.round.pk
    readers = [login(Client(), office), login(Client(), leader)]
    for client in readers:
        for url in (
            reverse("api_round_list"),
            reverse("api_round_detail", args=[pk]),
            reverse("api_round_turnout", args=[pk]),
            reverse("api_round_results", args=[pk]),
        ):
            text = client.get(url).content.decode()
            names = (f'"{reviewer.username}"', f'"{reviewer.get_full_name()}"', '"rev2"')
            assert not any(secret in text for secret in (*names, *ballot_ids)), url
    own = login(Client(), reviewer)
    listed = own.get(reverse("api_my_ballots")).json()["results"]
    assert [(b["id"], b["cast"]) for b in listed] == [(mine.pk, True)]
    ballot = own.get(reverse("api_ballot", args=[mine.pk]))
    values = [c["value"] for s in ballot.json()["screens"] for r in s["rows"] for c in r["cells"]]
    assert values
    assert set(values) == {""}
    assert not any(b in ballot.content.decode() for b in ballot_ids)
