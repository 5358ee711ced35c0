"""The 观察员意见 panel of the public 绩效比拼 board (monitoring app), glued at merge.

    from jixiao.observers.board import observer_opinions
    opinions = observer_opinions(2026, limit=8)

Returns the newest *submitted* observations of the year (never drafts or returned
ones), newest first, as plain dicts the board can render or serialise as is:

    {"unit": "东湖街道", "point": "便民服务中心", "date": "2026-10-12",
     "rating": 5, "rating_label": "满意", "excerpt": "窗口排队……"}

`point` is "" when the observation names no point; `date` is the local observation
date (YYYY-MM-DD); `excerpt` is at most `excerpt_length` characters, whitespace folded.
The observer's name is left out on purpose: the board may be readable without login.
One query whatever the year's size.
"""

from __future__ import annotations

from typing import Any

from jixiao.observers.models import Observation, Rating
from jixiao.observers.reports import EXCERPT_LENGTH, excerpt

LABELS = dict(Rating.choices)


def observer_opinions(
    year: int, limit: int = 10, *, excerpt_length: int = EXCERPT_LENGTH
) -> list[dict[str, Any]]:
    rows = (
        Observation.objects.submitted()
        .filter(observed_on__year=year)
        .order_by("-observed_on", "-submitted_at", "-id")
        .values_list("unit__name", "point__name", "observed_on", "rating", "text")[: max(limit, 0)]
    )
    return [
        {
            "unit": unit,
            "point": point or "",
            "date": f"{date:%Y-%m-%d}",
            "rating": rating,
            "rating_label": str(LABELS.get(rating, "")),
            "excerpt": excerpt(text, excerpt_length),
        }
        for unit, point, date, rating, text in rows
    ]
