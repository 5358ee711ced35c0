"""Figures shown to people: one rounding rule everywhere (docs/scoring.md "Exactness and
the rounding rule"): ROUND_HALF_UP, a half away from zero, on the exact value.

Python's round(), Decimal.quantize() without a rounding argument and numpy all round a
half to even (a mean of 69.885 would show 69.88; 12.5% would show 12%). Every page,
export and message that rounds a figure goes through `half_up` or `percent` instead
(templates: the `figures` filters of the same names; Django's floatformat already
rounds half up).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

# Enough digits for any figure we show: exact before the single rounding.
_EXACT = Context(prec=60)

Number = Decimal | int | str


def half_up(value: Number | None, places: int = 2) -> Decimal | None:
    """`value` rounded half up to `places` decimals (None stays None): 69.885 → 69.89,
    −85.505 → −85.51."""
    if value is None or value == "":
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_EXACT)


def mean(values: Iterable[Number], places: int = 2) -> Decimal | None:
    """The exact mean, rounded half up once (None for no values)."""
    numbers = [v if isinstance(v, Decimal) else Decimal(str(v)) for v in values]
    if not numbers:
        return None
    exact = _EXACT.divide(sum(numbers, Decimal(0)), Decimal(len(numbers)))
    return half_up(exact, places)


def percent(part: Number, whole: Number = 1, places: int = 0) -> Decimal:
    """part ÷ whole as a percentage rounded half up: percent(1, 8) → 13 (12.5), percent of
    a share: percent(Decimal("0.6667"), places=2) → 66.67. 0 when whole is 0."""
    whole_number = Decimal(str(whole))
    if not whole_number:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    exact = _EXACT.divide(Decimal(str(part)) * 100, whole_number)
    result = half_up(exact, places)
    assert result is not None
    return result
