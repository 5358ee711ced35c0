"""The run's input snapshot gives back exactly the engine input it was made from."""

from __future__ import annotations

import numpy as np

from bench.province import generate_province
from jixiao.scoring.engine import score_category
from jixiao.scoring.snapshot import dump_data, load_data, tree_from_json, tree_to_json


def test_a_snapshot_round_trip_scores_exactly_the_same() -> None:
    province = generate_province(units=80, categories=2, leaves=30, seed=3)
    for tree in province.trees:
        code = tree.category_code
        data = province.data.data[code]
        blob, layout = dump_data(data)
        again = load_data(blob, layout)
        rebuilt = tree_from_json(tree_to_json(tree, {}))  # params come back as JSON text
        before = score_category(province.data.trees[code], data)
        after = score_category(rebuilt, again)
        assert np.array_equal(before.scores, after.scores)
        assert [u.total for u in before.units] == [u.total for u in after.units]
        assert again.events == data.events
