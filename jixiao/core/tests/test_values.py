"""The one door for typed values: numbers fit their column, text has no hidden characters,
ids are ASCII digits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.values import (
    REASON_MAX_LENGTH,
    clean_text,
    int_param,
    parse_number,
    strict_int,
    text_problem,
)


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("85", Decimal("85.0000")),
        ("１２３．５", Decimal("123.5000")),  # full-width, as a Chinese input method types
        ("1,234", Decimal("1234.0000")),
        ("－3", Decimal("-3.0000")),
        ("85%", Decimal("0.8500")),
        (" 7 ", Decimal("7.0000")),
        ("9.123456", Decimal("9.1235")),  # rounded to the column, half up
        (9.123456, Decimal("9.1235")),
        (12, Decimal("12.0000")),
        ("1.5E+3", Decimal("1500.0000")),
        ("9999999999999999.9999", Decimal("9999999999999999.9999")),
    ],
)
def test_numbers_are_read_as_people_type_them_and_rounded_to_the_column(
    typed: object, number: Decimal
) -> None:
    assert parse_number(typed) == number
    assert str(parse_number(typed)) == str(number)


def test_a_percentage_field_reads_85_percent_as_85() -> None:
    assert parse_number("85%", percent=True) == Decimal(85)


@pytest.mark.parametrize("blank", [None, "", "  ", "-", "\u3000"])
def test_blank_is_no_value(blank: object) -> None:
    assert parse_number(blank) is None


@pytest.mark.parametrize(
    "typed",
    [
        "12345678901234567",  # beyond DECIMAL(20, 4)
        12345678901234567,
        1e300,
        "9999999999999999.99995",  # rounds up past the column
        "-12345678901234567",
    ],
)
def test_a_number_beyond_the_column_is_refused_in_chinese(typed: object) -> None:
    with pytest.raises(ValueError, match="数值超出范围"):
        parse_number(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "NaN",
        "inf",
        "-Infinity",
        float("nan"),
        float("inf"),
        "²",
        "1²",
        "٣",
        "①",
        "1e99999",
        "abc",
        "1.2.3",
        "0x10",
        "1_000",
        True,
        "8\x00",
    ],
)
def test_what_is_not_a_plain_number_is_refused_in_chinese(typed: object) -> None:
    with pytest.raises(ValueError, match="数字"):
        parse_number(typed)


def test_an_unrounded_number_keeps_its_places_but_must_still_fit() -> None:
    assert str(parse_number("1.23456", rounded=False)) == "1.23456"
    with pytest.raises(ValueError, match="整数部分最多 8 位"):
        parse_number("123456789", digits=12, places=4, rounded=False)


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
def test_any_input_is_a_number_that_fits_or_a_chinese_refusal(value: object) -> None:
    try:
        number = parse_number(value)
    except ValueError as error:
        refusal = str(error)
        number = None
    else:
        refusal = "数字"
    assert any("\u4e00" <= c <= "\u9fff" for c in refusal)
    if number is not None:
        assert abs(number) < Decimal(10) ** 16
        assert number.as_tuple().exponent == -4


def test_text_is_trimmed_and_line_ends_unified() -> None:
    assert clean_text("  依据台账\r\n第二行 ") == "依据台账\n第二行"
    assert clean_text(None) == ""


@pytest.mark.parametrize("hidden", ["\x00", "\x07", "\x1b[31m", "\x7f"])
def test_text_with_control_characters_is_refused(hidden: str) -> None:
    with pytest.raises(ValueError, match="控制字符"):
        clean_text(f"依据{hidden}台账")


def test_one_length_limit_for_every_reason() -> None:
    assert clean_text("说" * REASON_MAX_LENGTH) == "说" * REASON_MAX_LENGTH
    assert text_problem("说" * (REASON_MAX_LENGTH + 1)) == "不能超过 2000 个字（现有 2001 个）"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("7", 7),
        (" 42 ", 42),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("1.0", None),
        ("", None),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("1" * 40, None),
        (5, 5),
        (True, None),
    ],
)
def test_ids_are_ascii_digits_that_fit_a_bigint(raw: object, number: int | None) -> None:
    assert strict_int(raw) == number


def test_an_id_parameter_is_absent_or_valid_or_not_found() -> None:
    assert int_param({}, "year") is None
    assert int_param({"year": ""}, "year") is None
    assert int_param({"year": "2026"}, "year") == 2026
    with pytest.raises(Http404):
        int_param({"year": "２０２６²"}, "year")
