"""The public-only server's lean path for a tap keeps every rule of the Django view: one
rating per device a day (the same signed cookie both ways), quarantine, the headers of
the public middleware, a thank-you only after the row is stored; anything unusual is
answered by Django. Group commit (PostgreSQL): one INSERT for many taps, each told
whether its own row was stored."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from jixiao.evaluation import group_commit, satisfaction
from jixiao.evaluation.fast_intake import FastIntake
from jixiao.evaluation.public_models import RatingStatus, SatisfactionRating
from jixiao.evaluation.tests.factories import make_setup


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()
    group_commit.committer.close()  # its connection would outlive the test database


# The committer writes from its own thread and connection: on PostgreSQL the test's rows
# must be committed for it to see them.
fast_db = pytest.mark.django_db(transaction=True)


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.headers = dict(headers)
        self.text = body.decode()


class Django:
    """The wrapped app: records what the fast path hands over."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


def _post(app: FastIntake, path: str, data: dict[str, Any] | str, **extra: Any) -> Answer:
    body = data if isinstance(data, str) else urlencode(data)
    environ = (
        RequestFactory()
        .post(path, body, content_type="application/x-www-form-urlencoded", **extra)
        .environ
    )
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"], captured["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return Answer(captured["status"], captured["headers"], body)


@pytest.fixture
def window(db: None):
    setup = make_setup(1)
    return satisfaction.add_window(setup.units[0], "综合窗口", "户籍办理\n社保咨询")


@fast_db
def test_a_tap_is_stored_and_thanked_with_the_public_headers(window) -> None:
    django = Django()
    app = FastIntake(django)
    answer = _post(app, f"/r/{window.code}/", {"choice": 4, "item": "社保咨询", "comment": "很快"})
    assert django.calls == 0
    assert answer.status == 200
    assert "感谢您的评价" in answer.text
    assert "您的评价已收到" in answer.text
    rating = SatisfactionRating.objects.get()
    assert (rating.choice, rating.item, rating.comment, rating.status) == (
        4,
        "社保咨询",
        "很快",
        RatingStatus.ACCEPTED,
    )
    style = re.search(r"<style>(.*?)</style>", answer.text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = answer.headers["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy
    assert "nonce" not in policy
    assert "nonce" not in answer.text
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
    assert "jxd=" in answer.headers["Set-Cookie"]
    assert "HttpOnly" in answer.headers["Set-Cookie"]


@fast_db
def test_the_device_cookie_is_the_same_on_both_paths(window, client: Client) -> None:
    app = FastIntake(Django())
    client.get(reverse("rate:rate", args=[window.code]))  # the Django page names the device
    cookie = f"jxd={client.cookies['jxd'].value}"
    first = _post(app, f"/r/{window.code}/", {"choice": 5}, HTTP_COOKIE=cookie)
    assert "Set-Cookie" not in first.headers
    second = _post(app, f"/r/{window.code}/", {"choice": 1}, HTTP_COOKIE=cookie)
    assert "您今天已经评价过这个窗口" in second.text
    assert SatisfactionRating.objects.count() == 1
    # and the cookie the fast path sets is read by the Django view
    fresh = _post(app, f"/r/{window.code}/", {"choice": 3})
    other = Client()
    other.cookies["jxd"] = fresh.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    again = other.post(reverse("rate:rate", args=[window.code]), {"choice": 3})
    assert "您今天已经评价过这个窗口" in again.content.decode()
    assert SatisfactionRating.objects.count() == 2


@fast_db
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/r/{code}/", "choice=9"),
        ("/r/{code}/", "choice=5&comment=%00"),
        ("/r/{code}/?x=1", "choice=5"),
        ("/r/zzzzzzzz/", "choice=5"),
        ("/r/{code}/", "choice=5&comment=%ff"),
    ],
)
def test_anything_unusual_is_answered_by_django(window, path: str, data: str) -> None:
    django = Django()
    answer = _post(FastIntake(django), path.format(code=window.code), data)
    assert django.calls == 1
    assert answer.status in (200, 400, 404)


@fast_db
def test_a_foreign_host_is_refused_by_django_as_before(window, settings) -> None:
    settings.ALLOWED_HOSTS = ["pj.example.gov.cn"]
    django = Django()
    app = FastIntake(django)
    foreign = _post(app, f"/r/{window.code}/", {"choice": 5}, HTTP_HOST="evil.example.com")
    assert django.calls == 1
    assert foreign.status == 400
    ours = _post(app, f"/r/{window.code}/", {"choice": 5}, HTTP_HOST="pj.example.gov.cn")
    assert django.calls == 1
    assert ours.status == 200
    assert SatisfactionRating.objects.count() == 1


@fast_db
def test_a_long_comment_is_refused_in_chinese_and_nothing_stored(window) -> None:
    answer = _post(FastIntake(Django()), f"/r/{window.code}/", {"choice": 5, "comment": "长" * 201})
    assert answer.status == 400
    assert "意见建议最多 200 字" in answer.text
    assert not SatisfactionRating.objects.exists()


@fast_db
@override_settings(SATISFACTION_SAME_COMMENT=1, SATISFACTION_BURST_PER_ADDRESS=100)
def test_identical_comments_are_quarantined_on_the_fast_path_too(window) -> None:
    app = FastIntake(Django())
    for _ in range(3):
        assert _post(app, f"/r/{window.code}/", {"choice": 1, "comment": "差"}).status == 200
    statuses = sorted(SatisfactionRating.objects.values_list("status", flat=True))
    assert statuses == [RatingStatus.ACCEPTED, RatingStatus.QUARANTINED, RatingStatus.QUARANTINED]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_batch_stores_identical_taps_once_and_tells_only_the_first(window) -> None:
    row = (window.pk, window.unit_id, "2026-05-01", "dev", 5, "", "", None, "accepted", "")
    other = (window.pk, window.unit_id, "2026-05-01", "dev2", 4, "", "", None, "accepted", "")
    assert group_commit.write_batch([row, row, other]) == [True, False, True]
    assert group_commit.write_batch([row]) == [False]
    assert SatisfactionRating.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_taps_are_committed_in_batches_before_their_answers(window) -> None:
    committer = group_commit.GroupCommitter()
    start = threading.Barrier(50)
    answers: list[int] = []

    def tap(i: int) -> None:
        start.wait()
        future = committer.submit(
            (window.pk, window.unit_id, "2026-05-01", f"d{i % 25}", 5, "", "", None, "accepted", "")
        )
        answers.append(int(future.result(timeout=30)))
        connection.close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(answers) == 25  # one per device
    assert SatisfactionRating.objects.count() == 25
    assert committer.batches < 50
    committer.close()
