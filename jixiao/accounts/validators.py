from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least 3 of the 4 character classes: upper, lower, digits, symbols (MLPS 3)."""

    required = 3

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.required:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


class PolicyLengthValidator:
    """The minimum length set by the security admin (never below 8)."""

    def validate(self, password: str, user: Any = None) -> None:
        from jixiao.accounts.models import SecurityPolicy

        minimum = SecurityPolicy.load().min_password_length
        if len(password) < minimum:
            raise ValidationError(
                _("密码长度至少为 %(min)d 位。") % {"min": minimum}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码长度须达到安全策略规定的最小长度。")
