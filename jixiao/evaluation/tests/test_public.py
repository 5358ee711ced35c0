"""The public rating: one tap, one rating per device a day, bursts quarantined, never a 500."""

import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from jixiao.audit.models import AuditEvent
from jixiao.collection.models import Entry
from jixiao.evaluation import actions, satisfaction
from jixiao.evaluation.models import Round, RoundSource
from jixiao.evaluation.public_models import RatingStatus, SatisfactionRating, ServiceWindow
from jixiao.evaluation.tests.factories import make_setup


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _window(unit, name="综合窗口", items="户籍办理\n社保咨询"):
    return satisfaction.add_window(unit, name, items)


def _tap(client, window, choice=5, **extra):
    return client.post(reverse("rate:rate", args=[window.code]), {"choice": choice, **extra})


@pytest.mark.django_db
def test_the_page_offers_five_choices_and_names_the_device(client):
    setup = make_setup(1)
    window = _window(setup.units[0])
    page = client.get(reverse("rate:rate", args=[window.code]))
    text = page.content.decode()
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in text
    assert "户籍办理" in text
    assert "jxd" in page.cookies
    assert "http://" not in text.replace("http://testserver", "")


@pytest.mark.django_db
def test_one_tap_stores_one_rating_and_thanks(client):
    setup = make_setup(1)
    window = _window(setup.units[0])
    client.get(reverse("rate:rate", args=[window.code]))
    done = _tap(client, window, 4, item="社保咨询", comment="办事很快")
    assert "感谢您的评价" in done.content.decode()
    rating = SatisfactionRating.objects.get()
    assert (rating.choice, rating.item, rating.comment, rating.status) == (
        4,
        "社保咨询",
        "办事很快",
        RatingStatus.ACCEPTED,
    )


@pytest.mark.django_db
def test_the_same_device_rates_a_window_once_a_day(client):
    setup = make_setup(1)
    window = _window(setup.units[0])
    client.get(reverse("rate:rate", args=[window.code]))
    _tap(client, window, 5)
    again = _tap(client, window, 1)
    assert "今天已经评价过" in again.content.decode()
    assert SatisfactionRating.objects.count() == 1


@pytest.mark.django_db
def test_a_long_comment_is_refused_and_nothing_stored(client):
    setup = make_setup(1)
    window = _window(setup.units[0])
    response = _tap(client, window, 5, comment="很" * 201)
    assert "最多 200 字" in response.content.decode()
    assert not SatisfactionRating.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["nope99", "x" * 40, "%3Cscript%3E", "../../etc", "ABC DEF"])
def test_a_malformed_or_unknown_qr_code_gets_a_friendly_page(client, code):
    response = client.get(f"/r/{code}/")
    assert response.status_code == 404
    assert "二维码无法识别" in response.content.decode()
    assert client.post(f"/r/{code}/", {"choice": 5}).status_code == 404


@pytest.mark.django_db
@override_settings(SATISFACTION_BURST_PER_ADDRESS=2)
def test_a_burst_from_one_address_is_quarantined_not_dropped():
    setup = make_setup(1)
    window = _window(setup.units[0])
    for _ in range(4):
        _tap(Client(), window, 5)  # a new device each time, the same address
    statuses = sorted(SatisfactionRating.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "accepted", "quarantined", "quarantined"]


@pytest.mark.django_db
@override_settings(SATISFACTION_SAME_COMMENT=1, SATISFACTION_BURST_PER_ADDRESS=100)
def test_identical_comments_are_quarantined_and_reviewed_with_a_record(office):
    setup = make_setup(1)
    window = _window(setup.units[0])
    for _ in range(3):
        _tap(Client(), window, 1, comment="态度很差")
    held = list(SatisfactionRating.objects.filter(status=RatingStatus.QUARANTINED))
    assert len(held) == 2
    satisfaction.review_quarantined(held, count=False, reason="同一意见刷屏")
    assert SatisfactionRating.objects.count() == 3
    assert SatisfactionRating.objects.filter(status=RatingStatus.REJECTED).count() == 2
    assert AuditEvent.objects.filter(reason="同一意见刷屏").count() == 2


@pytest.mark.django_db
def test_a_satisfaction_round_feeds_the_indicator_with_its_explanation(client):
    setup = make_setup(2)
    setup.round.delete()
    round_ = actions.create_round(
        Round(
            year=setup.round.year,
            scheme=setup.round.scheme,
            name="点击评价器",
            source=RoundSource.SATISFACTION,
        )
    )
    actions.add_indicator(round_, setup.indicator)
    window = _window(setup.units[0])
    for choice in (5, 5, 4, 2):
        _tap(Client(), window, choice)
    actions.open_round(round_)
    actions.close_round(round_)
    actions.publish_round(round_)
    entry = Entry.objects.get(indicator=setup.indicator, unit=setup.units[0])
    assert entry.value == Decimal("80")  # (100 + 100 + 80 + 40) / 4
    assert "满意度指数" in entry.reason
    assert "4 次" in entry.reason
    assert not Entry.objects.filter(unit=setup.units[1]).exists()


@pytest.mark.django_db
def test_a_unit_sees_only_its_own_comments(unit, unit_client):
    setup = make_setup(1)
    own = ServiceWindow.objects.create(unit=unit.organization, name="窗口A")
    other = _window(setup.units[0])
    _tap(Client(), own, 5, comment="本单位的意见")
    _tap(Client(), other, 5, comment="别的单位的意见")
    page = unit_client.get(reverse("evaluation:dashboard")).content.decode()
    assert "本单位的意见" in page
    assert "别的单位的意见" not in page


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="jixiao.urls_public")
def test_the_public_server_mounts_only_the_rating_pages(client):
    setup = make_setup(1)
    window = _window(setup.units[0])
    assert client.get(f"/r/{window.code}/").status_code == 200
    assert client.get("/accounts/login/").status_code == 404
    assert client.get("/evaluation/").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_identical_taps_store_one_row():
    setup = make_setup(1)
    window = _window(setup.units[0])
    client = Client()
    client.get(reverse("rate:rate", args=[window.code]))
    cookie = client.cookies["jxd"].value
    start = threading.Barrier(50)
    codes: list[int] = []

    def tap() -> None:
        c = Client()
        c.cookies["jxd"] = cookie
        start.wait()
        codes.append(_tap(c, window, 5).status_code)
        connection.close()

    threads = [threading.Thread(target=tap) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 50
    assert SatisfactionRating.objects.count() == 1
