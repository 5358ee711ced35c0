"""Extension points other apps subscribe to from their AppConfig.ready() (the scheme app
never imports them), like collection's hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jixiao.scheme.models import Scheme

# Called in create_scheme's transaction after a scheme was copied from last year's:
# (new scheme, the scheme it was copied from). Supervision carries unfinished
# rectification into the new year here.
scheme_copied: list[Callable[[Scheme, Scheme], None]] = []
