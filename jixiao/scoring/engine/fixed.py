"""Exact fixed-point helpers shared by the fast path, the reference and explanations.

Rounding rule (the only one in the engine): leaf scores are rounded ROUND_HALF_UP to
4 decimals, so every sum above them is exact; totals and published figures are rounded
ROUND_HALF_UP to 2 decimals. ROUND_HALF_UP rounds a half away from zero, as Decimal
does.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

#: Leaf and node scores are integers in units of 10**-SCORE_DIGITS points.
SCORE_DIGITS = 4
SCORE_UNIT = 10**SCORE_DIGITS
#: Published totals have this many decimals.
TOTAL_DIGITS = 2

#: A context wide enough that the reference's divisions cannot move a rounding
#: decision (see docs/scoring.md, "Exactness").
HIGH = Context(prec=120, rounding=ROUND_HALF_UP, Emax=10**6, Emin=-(10**6))

Q4 = Decimal("0.0001")
Q2 = Decimal("0.01")

#: int64 arithmetic is used only when every intermediate stays below this bound.
INT64_SAFE = 2**62

IntArray = npt.NDArray[Any]
T = TypeVar("T")


def as_decimal(value: object) -> Decimal | None:
    """A Decimal for an int, Decimal or numeric string; None if it is not a finite number.

    Floats are accepted through their shortest repr (0.1 -> Decimal("0.1")) so that JSON
    parameters behave as written; bools are not numbers here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    if not result.is_finite():
        return None
    return result


def places(value: Decimal) -> int:
    """Number of decimal places written in `value` (Decimal("1.50") -> 2, "1E+2" -> 0)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent if exponent < 0 else 0


def scaled(value: Decimal, digits: int) -> int:
    """`value` * 10**digits as an int; exact, `value` must have at most `digits` places."""
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    magnitude: int = int("".join(map(str, digit_tuple))) if digit_tuple else 0
    shift = exponent + digits
    if shift >= 0:
        magnitude *= 10**shift
    else:
        magnitude, remainder = divmod(magnitude, 10**-shift)
        if remainder:
            raise ValueError(f"{value} has more than {digits} decimal places")
    return -magnitude if sign else magnitude


def fraction_of(value: Decimal) -> tuple[int, int]:
    """(numerator, denominator) with denominator a power of ten, exact."""
    digits = places(value)
    return scaled(value, digits), 10**digits


def unscaled(number: int, digits: int) -> Decimal:
    """The Decimal number * 10**-digits, exact, with exactly `digits` places."""
    return Decimal(number).scaleb(-digits, context=HIGH)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero; denominator > 0."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def rhu_div_nonneg(numerator: T, denominator: Any) -> T:
    """Vectorised half-up division for numerator >= 0 and denominator > 0.

    Works on Python ints, int64 arrays and object arrays of Python ints alike.
    """
    result: T = (2 * numerator + denominator) // (2 * denominator)  # type: ignore[operator]
    return result


def total_to_published(total4: int) -> int:
    """A 4-decimal total (in 10**-4) to the published 2-decimal total (in 10**-2)."""
    return round_half_up_div(total4, 10 ** (SCORE_DIGITS - TOTAL_DIGITS))


def published_array(total4: IntArray) -> IntArray:
    """Vectorised `total_to_published` (half away from zero for negative totals too)."""
    step = 10 ** (SCORE_DIGITS - TOTAL_DIGITS)
    magnitude = rhu_div_nonneg(np.abs(total4), step)
    return np.where(total4 < 0, -magnitude, magnitude)


def q4(value: Decimal) -> Decimal:
    return value.quantize(Q4, rounding=ROUND_HALF_UP, context=HIGH)


def q2(value: Decimal) -> Decimal:
    return value.quantize(Q2, rounding=ROUND_HALF_UP, context=HIGH)


def fmt(value: Decimal) -> str:
    """A number as people write it: no exponent, no trailing zeros (60, 0.85, 1200)."""
    if value == 0:
        return "0"
    text = format(value.normalize(context=HIGH), "f")
    return text


def fits_int64(*bounds: int) -> bool:
    """True when every given magnitude bound is safely inside int64."""
    return all(abs(bound) < INT64_SAFE for bound in bounds)


def max_abs(array: IntArray) -> int:
    """Largest magnitude in an int array as a Python int (0 for an empty array)."""
    if array.size == 0:
        return 0
    return int(max(abs(int(array.max())), abs(int(array.min()))))
