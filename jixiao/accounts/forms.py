from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jixiao.accounts.models import SecurityPolicy, User
from jixiao.accounts.roles import Role
from jixiao.core.forms import StyledModelForm
from jixiao.org.models import Organization


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续输错多次后账号将被锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("动态口令"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("请输入认证器上显示的 6 位数字。")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-center",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": 6,
                "autofocus": True,
            }
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput)
    new_password1 = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
        self.fields[
            "new_password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2:
            if new1 != new2:
                self.add_error("new_password2", _("两次输入的新密码不一致。"))
            elif new1 == data.get("old_password"):
                self.add_error("new_password1", _("新密码不能与当前密码相同。"))
            else:
                try:
                    password_validation.validate_password(new1, self.user)
                except forms.ValidationError as error:
                    self.add_error("new_password1", error)
        return data


class UserForm(StyledModelForm):
    """Creating and editing accounts: the role list offers only the roles whose accounts
    this admin manages (see accounts/policy.py)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = User
        fields = [
            "username",
            "last_name",
            "first_name",
            "organization",
            "role",
            "is_org_leader",
            "phone",
            "email",
            "is_active",
        ]
        labels = {"last_name": _("姓"), "first_name": _("名"), "is_active": _("启用")}

    def __init__(self, *args: Any, roles: Collection[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        role_field: forms.TypedChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = [("", "---------")] + [c for c in Role.choices if c[0] in roles]
        self.fields["organization"].queryset = Organization.objects.active()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["username"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org: Organization | None = data.get("organization")
        role = data.get("role")
        if org is None or not role:
            return data
        if role == Role.DEPARTMENT and not org.is_department:
            self.add_error("organization", _("数据采集单位角色只能属于数据采集单位。"))
        if role == Role.UNIT and not org.is_assessed_unit:
            self.add_error("organization", _("被考核单位角色只能属于被考核单位。"))
        if role == Role.OFFICE and not org.is_office:
            self.add_error("organization", _("绩效办角色只能属于绩效办。"))
        if data.get("is_org_leader") and role != Role.DEPARTMENT:
            self.add_error("is_org_leader", _("只有数据采集单位的账号可以设为单位负责人。"))
        return data


class SecurityPolicyForm(StyledModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SecurityPolicy
        fields = [
            "min_password_length",
            "password_max_age_days",
            "lockout_failures",
            "lockout_minutes",
            "session_idle_minutes",
        ]
        help_texts = {
            "min_password_length": _("不少于 8 位（等保三级）。"),
            "password_max_age_days": _("不超过 90 天，到期后强制修改。"),
            "lockout_failures": _("3–5 次。"),
            "lockout_minutes": _("不少于 30 分钟。"),
            "session_idle_minutes": _("不超过 30 分钟无操作即退出。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
