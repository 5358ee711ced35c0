"""Every uniqueness and constraint refusal reads as a sentence a clerk understands:
no model declares a constraint or a unique field with Django's generic message
("包含 考核方案 和 周期编码 的 采集周期 已经存在。")."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from jixiao.org.models import Organization


def _jixiao_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("jixiao.")]


def test_every_constraint_has_its_own_message() -> None:
    generic = [
        f"{m._meta.label}.{c.name}"
        for m in _jixiao_models()
        for c in m._meta.constraints
        if c.violation_error_message == c.default_violation_error_message
    ]
    assert generic == []


def test_every_unique_field_has_its_own_message() -> None:
    generic = [
        f"{m._meta.label}.{f.name}"
        for m in _jixiao_models()
        for f in m._meta.concrete_fields
        if f.unique
        and not f.primary_key
        and f.error_messages["unique"] == models.Field.default_error_messages["unique"]
        and f.name != "username"  # Django's own account model words it plainly already
    ]
    assert generic == []


def test_a_duplicate_organization_code_says_what_to_do(db: None) -> None:
    Organization.objects.create(code="FGJ", name="区发展和改革局", kind="department")
    duplicate = Organization(code="FGJ", name="另一个局", kind="department")
    with pytest.raises(ValidationError, match="这个编码已被其他单位使用，请换一个编码。"):
        duplicate.full_clean()
