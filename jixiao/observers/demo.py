"""Demo observers, made through the app's own actions (as the office and observers
would through the pages).

The office registers observation points at 东湖街道 (JD01), 西关街道 (JD02) and a third
street, assigns 钱文 (`observer`) to JD01 and JD02 and 蒋涛 (`observer2`) to the third
street and one JD01 point; they file notes from September to November 2026: most
submitted, one draft, one the office returned with a reason.

Idempotent: nothing is done when a point exists already.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.observers import actions
from jixiao.observers.models import ObservationPoint, Rating
from jixiao.org.models import Organization

POINTS = [
    ("JD01", "东湖街道便民服务中心", "东湖路 18 号", "窗口排队时间、办事指引、工作人员态度"),
    ("JD01", "东湖社区老旧小区改造工地", "东湖新村 3 区", "施工进度、文明施工、围挡与扬尘"),
    ("JD02", "西关街道综治中心", "西关大街 66 号", "矛盾调解受理、回访记录"),
    ("JD03", "街道政务服务大厅", "", "一窗通办、帮办代办"),
]

# (observer, unit code, point index or None, date, rating, text, end state)
NOTES: list[tuple[str, str, int | None, dt.date, int, str, str]] = [
    (
        "observer",
        "JD01",
        0,
        dt.date(2026, 9, 8),
        Rating.VERY_SATISFIED,
        "上午十点到场，取号后八分钟办结社保补缴；导办员主动引导老人使用自助机。",
        "submitted",
    ),
    (
        "observer",
        "JD01",
        1,
        dt.date(2026, 10, 14),
        Rating.FAIR,
        "三区外立面改造按计划推进，但围挡有两处破损，裸土未完全覆盖，雨天路面泥泞。",
        "submitted",
    ),
    (
        "observer",
        "JD01",
        0,
        dt.date(2026, 11, 12),
        Rating.SATISFIED,
        "窗口增加了午间不打烊服务，高峰期仍需等候约二十分钟，建议增开综合窗口。",
        "submitted",
    ),
    (
        "observer",
        "JD02",
        2,
        dt.date(2026, 10, 21),
        Rating.DISSATISFIED,
        "调解室无人值守，电话回访记录缺失近一个月，群众反映诉求答复慢。",
        "submitted",
    ),
    (
        "observer",
        "JD02",
        2,
        dt.date(2026, 11, 18),
        Rating.SATISFIED,
        "已安排专人值守，回访记录补齐，并在公示栏公布了受理进度。",
        "draft",
    ),
    (
        "observer2",
        "JD03",
        3,
        dt.date(2026, 11, 5),
        Rating.VERY_SATISFIED,
        "一窗通办运行顺畅，帮办代办员熟悉业务，企业开办一次办结。",
        "submitted",
    ),
    (
        "observer2",
        "JD01",
        1,
        dt.date(2026, 11, 20),
        Rating.DISSATISFIED,
        "工地夜间施工噪声扰民。",
        "returned",
    ),
]


def build_demo(district: Any) -> None:
    office = User.objects.filter(username="office").first()
    observers = {u.username: u for u in User.objects.filter(username__in=["observer", "observer2"])}
    if office is None or len(observers) < 2 or ObservationPoint.objects.exists():
        return
    units = {o.code: o for o in Organization.objects.filter(code__in={p[0] for p in POINTS})}
    if len(units) < len({p[0] for p in POINTS}):
        return
    with acting_as(office):
        points = [
            actions.register_point(office, units[code], name=name, address=address, focus=focus)
            for code, name, address, focus in POINTS
        ]
        actions.assign_observer(office, observers["observer"], units["JD01"])
        actions.assign_observer(office, observers["observer"], units["JD02"])
        actions.assign_observer(office, observers["observer2"], units["JD03"])
        actions.assign_observer(office, observers["observer2"], units["JD01"], points[1])
    for username, code, index, date, rating, text, state in NOTES:
        observer = observers[username]
        with acting_as(observer):
            note = actions.save_observation(
                observer,
                None,
                unit=units[code],
                point=points[index] if index is not None else None,
                observed_on=date,
                rating=rating,
                text=text,
            )
            if state != "draft":
                actions.submit_observation(observer, note, note.version)
        if state == "returned":
            with acting_as(office):
                actions.return_observation(
                    office, note, "请补充具体时间段和现场照片，便于单位核实整改。"
                )
