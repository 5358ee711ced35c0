"""How org's audit rows read; see audit/render.py. Imports name the category by code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from jixiao.audit.render import register
from jixiao.org.models import UnitCategory


def _category(value: Any, row: Any) -> str:
    lookup = {"pk": value} if str(value).isdigit() else {"code": value}
    category = UnitCategory.objects.filter(**lookup).select_related("year").first()
    return f"{category.year.name} {category.name}" if category is not None else str(value)


register("org.unitenrollment", "category", _("考核类别"), show=_category)
