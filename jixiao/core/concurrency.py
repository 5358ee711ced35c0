"""Optimistic locking: concurrent edits never silently overwrite each other.

Editable business rows carry a `version` column. A form posts back the version it
was rendered with; the save is an UPDATE … WHERE version = <that>, which matches no
row if somebody else saved in between. The user then gets a clear conflict message
and their input is kept on the page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import F
from django.utils.translation import gettext as _


class EditConflict(Exception):
    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        super().__init__(
            _("“%(obj)s”已被他人修改，您的修改未保存。请刷新后核对最新内容再提交。") % {"obj": obj}
        )


def save_versioned(obj: models.Model, expected_version: int, fields: Iterable[str]) -> None:
    """Save `fields` of `obj` only if its row still has `expected_version`."""
    model = type(obj)
    values = {name: getattr(obj, name) for name in fields}
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if updated != 1:
        raise EditConflict(obj)
    obj.version = expected_version + 1  # type: ignore[attr-defined]
