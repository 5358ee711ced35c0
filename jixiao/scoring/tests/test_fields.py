"""Node scores are stored as a binary vector: exact for every integer, whatever its size."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.db import connection

from jixiao.scoring import actions
from jixiao.scoring.fields import (
    INT32,
    INT64,
    JSON,
    decode_scores,
    encode_matrix,
    encode_scores,
)
from jixiao.scoring.models import UnitResult
from jixiao.scoring.tests.factories import zhangjiagang_world

CASES = [
    [],
    [0],
    [525000, 178500, 0, 1],
    [-1, -525000, 2**31 - 1, -(2**31)],  # int32 bounds
    [2**31, -(2**31) - 1],  # just beyond int32
    [2**63 - 1, -(2**63)],  # int64 bounds
    [2**63, -(2**63) - 1, 10**40, -(10**40), 7],  # beyond int64: exact JSON
]


@pytest.mark.parametrize("values", CASES)
def test_every_integer_round_trips_exactly(values: list[int]) -> None:
    encoded = encode_scores(values)
    assert decode_scores(encoded) == values
    assert all(type(v) is int for v in decode_scores(encoded) or [])
    # numpy input gives the same bytes as a list (object arrays for Python ints)
    kind = np.int64 if all(-(2**63) <= v < 2**63 for v in values) else object
    assert encode_scores(np.array(values, dtype=kind)) == encoded


def test_the_narrowest_exact_width_is_chosen() -> None:
    assert encode_scores([1, -2]) == INT32 + np.array([1, -2], "<i4").tobytes()
    assert encode_scores([2**31]).startswith(INT64)
    assert encode_scores([-(2**31) - 1]).startswith(INT64)
    assert encode_scores([2**63]).startswith(JSON)
    assert len(encode_scores(list(range(230)))) == 1 + 4 * 230


def test_a_category_matrix_encodes_each_unit_like_a_single_vector() -> None:
    scores = np.array([[5, -3, 0], [2**40, 7, -(2**40)]], dtype=np.int64)
    rows = encode_matrix(scores)
    assert [decode_scores(r) for r in rows] == [[5, 2**40], [-3, 7], [0, -(2**40)]]
    assert all(r.startswith(INT64) for r in rows)
    small = encode_matrix(np.array([[1, 2], [-3, 4]], dtype=np.int64))
    assert small == [encode_scores([1, -3]), encode_scores([2, 4])]
    big = np.array([[2**70, 1]], dtype=object)
    assert [decode_scores(r) for r in encode_matrix(big)] == [[2**70], [1]]


def test_legacy_json_rows_still_read() -> None:
    legacy = json.dumps([525000, -1, 2**64])
    assert decode_scores(legacy) == [525000, -1, 2**64]
    assert decode_scores(legacy.encode()) == [525000, -1, 2**64]
    assert decode_scores(memoryview(b"[1, 2]")) == [1, 2]
    assert decode_scores(None) is None


def test_non_integers_are_refused() -> None:
    with pytest.raises(TypeError):
        encode_scores(np.array([1.5], dtype=object))
    with pytest.raises(ValueError, match="encoding"):
        decode_scores(b"\x02\x00")


@pytest.mark.django_db
def test_stored_results_read_back_as_lists_of_ints_on_this_database() -> None:
    w = zhangjiagang_world()
    run = actions.compute_run(w.year)
    row = UnitResult.objects.filter(run=run, unit__code="FGJ").values_list("scores", flat=True)[0]
    assert isinstance(row, list)
    assert row[0] == 525000  # 实绩 52.5 of 60 (see test_articles)
    result = UnitResult.objects.get(run=run, unit__code="FGJ")
    values = [0, -1, 2**31, -(2**63), 2**63 + 5, 10**30]
    result.scores = values
    result.save(update_fields=["scores"])
    result.refresh_from_db()
    assert result.scores == values
    # The column holds bytes, not JSON text.
    with connection.cursor() as cursor:
        cursor.execute("SELECT scores FROM scoring_unitresult WHERE id = %s", [result.pk])
        raw = bytes(cursor.fetchone()[0])
    assert raw == encode_scores(values)
