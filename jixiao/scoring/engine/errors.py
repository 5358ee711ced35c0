"""Errors raised by the engine; messages are Chinese because users read them."""

from __future__ import annotations

from collections.abc import Iterable


class ScoringError(Exception):
    """Scoring cannot go on: the scheme, the parameters or the data are invalid.

    `problems` lists every problem found (not just the first), in a stable order.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("；".join(self.problems[:20]))


class SchemeError(ScoringError):
    """The indicator tree or a method's parameters are invalid."""


class InputError(ScoringError):
    """Entered values are invalid (not missing: missing data scores 0 and is flagged)."""
